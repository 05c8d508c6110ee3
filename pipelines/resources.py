"""Dagster resources: the landing zone and the DuckDB warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource

from ingestion.warehouse import connect
from pipelines import settings


class RawZone(ConfigurableResource):
    """The landing zone where extracts are dropped (``raw/``)."""

    path: str

    @property
    def root(self) -> Path:
        return Path(self.path)


class Warehouse(ConfigurableResource):
    """The DuckDB warehouse file. One writer at a time: every job runs in process."""

    path: str

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        con = connect(Path(self.path), read_only=read_only)
        try:
            yield con
        finally:
            con.close()


def build_resources(raw_dir: str | Path | None = None, warehouse: str | Path | None = None) -> dict:
    from dagster_dbt import DbtCliResource

    from pipelines.dbt_project import dbt_project

    return {
        "raw_zone": RawZone(path=str(settings.raw_dir(raw_dir))),
        "warehouse": Warehouse(path=str(settings.warehouse_path(warehouse))),
        "dbt": DbtCliResource(project_dir=dbt_project),
    }
