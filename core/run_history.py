"""Dagster's SQLite event log, keeping one SQLAlchemy engine per database file open.

Dagster's own ``SqliteEventLogStorage`` creates an engine and opens a new SQLite connection for
every event it stores (about 800 events in a sample run: every asset planned, materialised and
checked), then closes it; the statements are compiled again each time. Measured on the tiny
sample, that took about 4 s of a 28 s run. This class keeps the engines of the few most recent
database files (one per run, and the index) and their compiled statements. It writes the same
files in the same format: ``dagster dev`` and Dagster's stock storage read them unchanged. Its
write-ahead logs stay small, and are folded into their files when the instance is disposed
(``attrib run`` disposes it at the end of the run).

Configured by ``pipelines/instance.py`` in the ``dagster.yaml`` of a warehouse's Dagster home.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Iterator

from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
from dagster._core.storage.sql import create_engine
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

KEPT_OPEN = 4  # the run's file, the index, and a reader's few others
# pages of write-ahead log before SQLite folds it into the file (its default, 1000, is 4 MB per
# open file; Dagster's closed connections folded it in after every event)
WAL_PAGES = 100


def _small_wal(dbapi_connection, _record) -> None:
    dbapi_connection.execute(f"PRAGMA wal_autocheckpoint = {WAL_PAGES}")
    # in WAL mode, NORMAL syncs at each fold of the log, not at each event's commit: a power
    # cut may lose the last events, never the file (France quarterly: 198 events, 0.9 s -> 0.7)
    dbapi_connection.execute("PRAGMA synchronous = NORMAL")


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """SQLite event log (one file per run, and an index) with its engines kept open."""

    def __init__(self, base_dir: str, inst_data=None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    @contextlib.contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:  # as Dagster's: one connection at a time per storage
            engine = self._engines.get(shard)
            if engine is None:
                engine = create_engine(
                    self.conn_string_for_shard(shard),
                    connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
                )
                event.listen(engine, "connect", _small_wal)
                if shard not in self._initialized_dbs:
                    self._initdb(engine)
                    self._initialized_dbs.add(shard)
                self._engines[shard] = engine
                while len(self._engines) > KEPT_OPEN:
                    self._engines.popitem(last=False)[1].dispose()
            self._engines.move_to_end(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def _close_engines(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._close_engines()  # the run files are deleted
        super().wipe()

    def dispose(self) -> None:
        self._close_engines()
        super().dispose()
