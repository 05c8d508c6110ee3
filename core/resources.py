"""Dagster resources: the landing zone, the DuckDB warehouse and dbt, built from explicit
settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from core import pseudonym, publishing
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
    """The DuckDB warehouse file and its limits. One writer at a time: jobs run in process.

    ``path`` is the published file. Inside a run, every step reads and writes the run's
    building copy (``area``: the file and the folders of the publication, core/publishing.py),
    which the job's last step publishes; outside a run (sensors), the published file."""

    path: str
    memory_limit: str = DuckDBLimits.memory_limit
    threads: int = DuckDBLimits.threads
    _run_id: str | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        self._run_id = context.run.run_id if context.run else None

    def in_run(self, run_id: str) -> Warehouse:
        """This warehouse as the steps of run ``run_id`` see it (what a job's set-up does)."""
        resource = self.model_copy()
        resource._run_id = run_id
        return resource

    @property
    def layout(self) -> Layout:
        return Layout(Path(self.path))

    @property
    def run_id(self) -> str | None:
        return self._run_id

    @property
    def area(self) -> publishing.Area:
        """Where this run's steps read and write: its building copy, begun on first use."""
        if self._run_id is None:
            return publishing.published(self.layout)
        check_not_busy(self.layout)  # one line naming the run that writes, not a traceback
        return publishing.begin(self.layout, self._run_id)

    @property
    def database(self) -> Path:
        return self.area.database

    @property
    def limits(self) -> DuckDBLimits:
        return DuckDBLimits(self.memory_limit, self.threads)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        if not read_only and self._run_id is None:
            raise RuntimeError("the warehouse is written by runs only (their building copy)")
        con = connect(
            self.database,
            read_only=read_only,
            limits=self.limits,
            spill=self.layout.spill,
            durable=self._run_id is None,  # a building copy: published_warehouse syncs it
        )
        try:
            yield con
        finally:
            con.close()

    def pseudonym_key(self) -> bytes:
        return pseudonym.load_key(self.layout)


def dbt_resource():
    """dagster-dbt's resource without two costs it adds to every dbt invocation, for features
    this project does not use: ``dbt --version`` in a subprocess (1.6 s: the version is that of
    the installed dbt-core, pinned in pyproject.toml) and a dbt adapter opened in process (2.1 s
    to load dbt's macros), which serves only to fetch column metadata and row counts after a
    build; the warehouse records its own (audit.lineage)."""
    from importlib.metadata import version as installed

    from dagster_dbt import DbtCliResource
    from packaging.version import Version

    from core.dbt_project import dbt_executable, dbt_project

    class Dbt(DbtCliResource):
        @cached_property
        def _cli_version(self) -> Version:
            return Version(installed("dbt-core"))

        def _initialize_dbt_core_adapter(self, args):  # noqa: ARG002 - see dbt_resource
            return None

    return Dbt(project_dir=dbt_project, dbt_executable=dbt_executable())


def build_resources(settings: Settings) -> dict:

    return {
        "raw_zone": RawZone(path=str(settings.raw_dir)),
        "warehouse": Warehouse(
            path=str(settings.warehouse),
            memory_limit=settings.limits.memory_limit,
            threads=settings.limits.threads,
        ),
        "dbt": dbt_resource(),
    }
