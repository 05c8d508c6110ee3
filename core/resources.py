"""Dagster resources: the landing zone, the DuckDB warehouse and dbt, built from explicit
settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource

from core import pseudonym
from core.connection import connect
from core.layout import Layout
from core.lock import check_not_busy
from core.settings import DuckDBLimits, Settings


class RawZone(ConfigurableResource):
    """The landing zone where extracts are dropped (``raw/``)."""

    path: str

    @property
    def root(self) -> Path:
        return Path(self.path)


class Warehouse(ConfigurableResource):
    """The DuckDB warehouse file and its limits. One writer at a time: jobs run in process."""

    path: str
    memory_limit: str = DuckDBLimits.memory_limit
    threads: int = DuckDBLimits.threads

    @property
    def layout(self) -> Layout:
        return Layout(Path(self.path))

    @property
    def limits(self) -> DuckDBLimits:
        return DuckDBLimits(self.memory_limit, self.threads)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        if not read_only:
            check_not_busy(self.layout)  # one line naming the run that writes, not a traceback
        con = connect(
            Path(self.path), read_only=read_only, limits=self.limits, spill=self.layout.spill
        )
        try:
            yield con
        finally:
            con.close()

    def pseudonym_key(self) -> bytes:
        return pseudonym.load_key(self.layout)


def build_resources(settings: Settings) -> dict:
    from dagster_dbt import DbtCliResource

    from core.dbt_project import dbt_executable, dbt_project

    return {
        "raw_zone": RawZone(path=str(settings.raw_dir)),
        "warehouse": Warehouse(
            path=str(settings.warehouse),
            memory_limit=settings.limits.memory_limit,
            threads=settings.limits.threads,
        ),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=dbt_executable()),
    }
