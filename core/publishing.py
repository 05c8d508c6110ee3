"""What readers see is the last complete run: a run builds in a private copy and publishes it
whole as its last step.

A run writes nothing that readers open. Its first write copies the published warehouse file
into ``private/building/`` (``begin``); every step of the run (the raw loads, dbt, the GX
report, the exports, the sheets, the docs site) writes there. The job's last step
(``publish``) checkpoints the copy, closes it (no ``.wal`` is left), syncs it to disk (the run
wrote it unsynced: DuckDB's ``fsync_mode`` none on its connections), writes a journal, and
renames each built item over the published one: the DuckDB file (an atomic ``rename``), then
the folders it rebuilt (exports, reports, docs/dbt, docs/gx). A run that fails or is killed
before that step leaves every published file byte-identical, and the next run starts from the
published file again. A run killed in the middle of the renames leaves its journal: the next
command that opens the warehouse completes them (``recover``), so readers never see half of
two runs for longer than that.

Readers (analysts, BI tools, the webserver) open the published file read-only; a rename does
not disturb an open file, so they never block a run and a run never breaks them.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.connection import (
    NO_VACUUM,
    STORAGE_VERSION,
    comment_on,
    connect,
    in_memory,
    sql_string,
)
from core.layout import Layout

if TYPE_CHECKING:
    import duckdb

JOURNAL = "PUBLISHING.json"
OWNER = "RUN_ID"
DISCARDED = "discarded-"  # a folder being deleted (discard), beside the building area


@dataclass(frozen=True)
class Area:
    """The files a run produces, published or being built: the DuckDB file and the folders the
    publication writes."""

    database: Path
    exports: Path
    reports: Path
    docs: Path

    def items(self) -> list[Path]:
        """In publishing order: the warehouse first, so exports never describe a newer file."""
        return [self.database, self.exports, self.reports, self.docs / "dbt", self.docs / "gx"]


def published(layout: Layout) -> Area:
    return Area(layout.database, layout.exports, layout.reports, layout.docs)


def building_root(layout: Layout) -> Path:
    return layout.private / "building"


def building(layout: Layout) -> Area:
    root = building_root(layout)
    return Area(root / layout.database.name, root / "exports", root / "reports", root / "docs")


def process_marker(layout: Layout) -> str:
    """What every dbt process of this warehouse's runs holds in its environment: its target
    folder (dagster-dbt and ``attrib dbt`` set ``DBT_TARGET_PATH``)."""
    return f"DBT_TARGET_PATH={layout.dbt_target}"


def wal(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


def _owner(layout: Layout) -> str | None:
    try:
        return (building_root(layout) / OWNER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None


# the building copies begun ahead of their run (prepare), by building area, and what failed
_PREPARING: dict[Path, threading.Thread] = {}
_PREPARE_ERRORS: dict[Path, Exception] = {}


def prepare(layout: Layout, run_id: str) -> threading.Thread:
    """Begin run ``run_id``'s building area in the background, before its first step asks for
    it (``begin`` waits for it then): ``attrib run`` does so while it loads the code location,
    under the run lock. An error is kept for ``begin``, which raises it in the run's first
    step (a full disk names the file there, as when the step copies)."""
    root = building_root(layout)

    def copy() -> None:
        try:
            begin(layout, run_id)
        except Exception as exc:  # noqa: BLE001 - raised by begin, in the run's step
            _PREPARE_ERRORS[root] = exc

    _PREPARE_ERRORS.pop(root, None)
    thread = threading.Thread(target=copy, name="building-copy", daemon=True)
    _PREPARING[root] = thread
    thread.start()
    return thread


def _wait_for_prepared(layout: Layout) -> None:
    """Wait for the copy begun ahead (``prepare``), if any; raise what it met."""
    root = building_root(layout)
    ahead = _PREPARING.get(root)
    if ahead is None or ahead is threading.current_thread():
        return
    ahead.join()
    _PREPARING.pop(root, None)
    error = _PREPARE_ERRORS.pop(root, None)
    if error is not None:
        raise error


def abandon(layout: Layout, run_id: str) -> None:
    """Discard the copy begun ahead for run ``run_id`` if no step took it (the code location
    failed to load, Ctrl-C before the run began, a first step that failed before it wrote):
    there is nothing in it to look at, and a national copy is 1.2 GB. A copy a step took is
    the run's partial build, kept until the next run."""
    if building_root(layout) not in _PREPARING:
        return  # none begun ahead, or a step took it
    with contextlib.suppress(Exception):  # no step ran on it: its copy's error is moot
        _wait_for_prepared(layout)
    if _owner(layout) == run_id:
        discard(building_root(layout))


def begin(layout: Layout, run_id: str) -> Area:
    """The building area of run ``run_id``: created from the published warehouse on the run's
    first write (or earlier, ``prepare``), kept for its later steps, discarded when it belongs
    to an earlier run (one that failed or was killed: it is never published)."""
    _wait_for_prepared(layout)
    recover(layout)
    root, area = building_root(layout), building(layout)
    if _owner(layout) == run_id:
        return area
    for left in root.parent.glob(DISCARDED + "*"):  # a process killed while deleting it
        discard(left)
    if root.exists():
        discard(root)
    root.mkdir(parents=True)
    source = published(layout).database
    if source.exists():
        shutil.copyfile(source, area.database)
        if wal(source).exists():  # written by an older version: the copy replays it
            shutil.copyfile(wal(source), wal(area.database))
        write_back(area.database)
    (root / OWNER).write_text(run_id, encoding="utf-8")  # last: a half copy is never reused
    return area


# the copies being written to disk in the background (write_back), and what went wrong
_WRITING: dict[Path, threading.Thread] = {}
_WRITE_ERRORS: dict[Path, OSError] = {}


def write_back(path: Path) -> None:
    """Start writing a fresh copy to disk in the background. The copy lands in the page
    cache, and the publication's sync would wait until the kernel has written all of it
    (France: 1.2 GB, 1.7 s). Begun now, the disk writes while the run works. An error is
    kept for ``publish``: the kernel reports a failed write once, to this thread, and not to
    a DuckDB that opens the file afterwards."""

    def write() -> None:
        try:
            sync(path)
        except FileNotFoundError:
            return  # the building area was discarded meanwhile
        except OSError as exc:
            _WRITE_ERRORS[path] = exc

    _WRITE_ERRORS.pop(path, None)
    thread = threading.Thread(target=write, name="building-copy-write-back", daemon=True)
    _WRITING[path] = thread
    thread.start()


def written(path: Path) -> None:
    """Wait for the background write of ``path`` (if this process began one) and raise what
    it met: a copy the disk did not take whole is never published."""
    thread = _WRITING.pop(path, None)
    if thread is not None:
        thread.join()
    error = _WRITE_ERRORS.pop(path, None)
    if error is not None:
        raise RuntimeError(f"writing {path} to disk failed ({error}): not published")


def sync(path: Path) -> None:
    """Force ``path``'s data to disk: a run writes its building copy without syncing (its
    connections set DuckDB's ``fsync_mode`` to none), so the publication does it once, before
    the rename that shows the copy to readers."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fdatasync(descriptor)
    finally:
        os.close(descriptor)


# the folders being deleted in the background (discard)
_DISCARDING: list[threading.Thread] = []


def discard(path: Path) -> None:
    """Delete the folder ``path`` without waiting: renamed out of the way at once (the next run
    never sees it), then deleted by a background thread that the process waits for before it
    exits (``discarded``). Deleting a warehouse file frees its blocks and its pages in the page
    cache: 0.9 s for the 1.2 GB of France, which every publication waited for. A process
    killed meanwhile leaves the folder (``discarded-...``), which the next run deletes."""
    trash = path  # already out of the way when its name says so
    if not path.name.startswith(DISCARDED):
        trash = path.with_name(f"{DISCARDED}{uuid.uuid4().hex[:12]}")
        path.rename(trash)
    thread = threading.Thread(
        target=shutil.rmtree,
        args=(trash,),
        kwargs={"ignore_errors": True},  # another process may be deleting it too
        name="discard",
        daemon=True,
    )
    thread.start()
    _DISCARDING.append(thread)


@atexit.register
def discarded() -> None:
    """Wait until every folder this process discarded is deleted."""
    while _DISCARDING:
        _DISCARDING.pop().join()


def building_for(layout: Layout, run_id: str) -> Area | None:
    """The area run ``run_id`` built and did not publish, if it is still there."""
    return building(layout) if _owner(layout) == run_id else None


PUBLICATIONS = "audit.publications"
PUBLICATION_COLUMNS = {
    "run_id": "The run whose build was published: a Dagster run id, or dbt-... for attrib dbt.",
    "published_at": "When its file was checkpointed for publication (local time).",
}


def record_publication(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """One row of ``audit.publications``: which run published the file, and when, written in
    the file it publishes (its last row is the run readers see)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {PUBLICATIONS} (run_id VARCHAR, published_at TIMESTAMP)"
    )
    comment_on(
        con,
        PUBLICATIONS,
        "One row per publication of this file: the run, and when.",
        PUBLICATION_COLUMNS,
    )
    con.execute(f"INSERT INTO {PUBLICATIONS} VALUES (?, localtimestamp)", [run_id])


def publish(layout: Layout, run_id: str) -> list[Path]:
    """Publish what run ``run_id`` built; return the published paths. The caller has closed
    every connection to the building file (DuckDB's close checkpoints it). The publication's
    own connection has the run's memory bounds and, like the run's, does not compact
    (core/connection.py)."""
    if _owner(layout) != run_id:
        raise RuntimeError(
            f"nothing to publish: {building_root(layout)} does not hold run {run_id}'s build"
        )
    area = building(layout)
    if area.database.exists():
        written(area.database)
        con = connect(area.database, spill=layout.spill)  # fsync_mode standard: it syncs
        con.execute(f"SET max_vacuum_tasks = {NO_VACUUM}")
        record_publication(con, run_id)
        con.execute("CHECKPOINT")
        (version,) = con.execute(
            "SELECT tags['storage_version'] FROM duckdb_databases() "
            "WHERE database_name = current_database()"
        ).fetchone()
        con.close()
        if not (version or "").startswith(STORAGE_VERSION):
            _convert(area.database, layout.spill)
        if wal(area.database).exists():
            raise RuntimeError(
                f"{wal(area.database)} is still there after CHECKPOINT: not published"
            )
        sync(area.database)  # the run wrote it without forcing it to disk (fsync_mode none)
    pairs = [
        (str(built), str(target))
        for built, target in zip(area.items(), published(layout).items(), strict=True)
        if built.exists()
    ]
    journal = building_root(layout) / JOURNAL
    with journal.open("w", encoding="utf-8") as handle:
        json.dump({"run_id": run_id, "items": pairs}, handle)
        handle.flush()
        os.fsync(handle.fileno())
    recover(layout)
    return [Path(target) for _, target in pairs]


def interrupted(layout: Layout) -> str | None:
    """The run whose publication stopped half done (its journal is still there), if any."""
    journal = building_root(layout) / JOURNAL
    return json.loads(journal.read_text())["run_id"] if journal.exists() else None


def _convert(database: Path, spill: Path) -> None:
    """Rewrite a file made in DuckDB's newest format in the format readers can open
    (core.connection.STORAGE_VERSION): once, for a warehouse created before it was set."""
    converted = database.with_name(database.name + ".converted")
    converted.unlink(missing_ok=True)
    con = in_memory(spill)
    con.execute(f"ATTACH {sql_string(str(database))} AS built (READ_ONLY)")
    con.execute(
        f"ATTACH {sql_string(str(converted))} AS converted (STORAGE_VERSION '{STORAGE_VERSION}')"
    )
    con.execute("COPY FROM DATABASE built TO converted")
    con.close()
    os.replace(converted, database)


def recover(layout: Layout) -> str | None:
    """Complete a publication that a killed run left half done (its journal says what).
    Idempotent: an item already renamed is skipped. Returns that run's id, if there was one."""
    root = building_root(layout)
    journal = root / JOURNAL
    if not journal.exists():
        return None
    replaced = root / "replaced"
    entry = json.loads(journal.read_text())
    for built, target in (map(Path, pair) for pair in entry["items"]):
        if not built.exists():
            continue  # renamed before the kill
        target.parent.mkdir(parents=True, exist_ok=True)
        if built.is_dir():
            if target.exists():
                shutil.rmtree(replaced / target.name, ignore_errors=True)
                replaced.mkdir(exist_ok=True)
                target.rename(replaced / target.name)
            built.rename(target)
        else:
            wal(target).unlink(missing_ok=True)  # never replayed onto the new file
            if target.exists():  # kept by a second link: the rename does not free it
                kept = replaced / target.name
                kept.parent.mkdir(exist_ok=True)
                kept.unlink(missing_ok=True)
                with contextlib.suppress(OSError):  # no hard links here: the rename frees it
                    os.link(target, kept)
            os.replace(built, target)
    discard(root)  # with the replaced file and folders
    return entry["run_id"]
