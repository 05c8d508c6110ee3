"""What a run builds, declared once: the ``attrib`` job over the extract periods that have
files, and the run config of a backfill. ``attrib run``, the schedules, the sensor and the tests
all turn these plans into runs of the code location's jobs.

A run covers one key (``2026T3``) or a range of keys (``2019`` to ``2026T4``) of the extract
partitions; each raw source loads the keys of the range it has files for. dbt then computes
every loaded year, survey and period (or, with ``years``, those of a backfill).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dagster import RunRequest
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from core.partitions import extract_periods, key_year
from ingestion.raw_files import discover
from schemas import SOURCES

WAREHOUSE_TAG = "attrib/warehouse"
INVOCATION_TAG = "attrib/invocation"
DBT_OP = "warehouse_models"


@dataclass(frozen=True)
class RunPlan:
    """One run of a job: its partition key range and, for a backfill, the years dbt computes."""

    job: str
    first: str
    last: str
    years: tuple[int, ...] | None = None
    # a scenario: the raw tables it changed; the run builds only what is downstream of them
    changed_sources: tuple[str, ...] | None = None

    @property
    def label(self) -> str:
        span = self.first if self.first == self.last else f"{self.first} to {self.last}"
        return f"{self.job} [{span}]"

    def tags(self) -> dict[str, str]:
        if self.first == self.last:
            return {}
        return {
            ASSET_PARTITION_RANGE_START_TAG: self.first,
            ASSET_PARTITION_RANGE_END_TAG: self.last,
        }

    @property
    def partition_key(self) -> str | None:
        if self.changed_sources is not None:  # a scenario loads no extract: none partitioned
            return None
        return self.first if self.first == self.last else None

    def run_config(self) -> dict:
        if self.job == "quarterly":  # the period marts compute this period only
            return {"ops": {DBT_OP: {"config": {"periods": [self.first]}}}}
        if not self.years or self.job not in ("attrib", "warehouse"):
            return {}
        return {"ops": {DBT_OP: {"config": {"years": list(self.years)}}}}

    def files(self, raw_dir: Path) -> list[Path]:
        """The landing zone's files this run's raw steps may read: those of its key range and
        of the unpartitioned sources (which a quarterly run does not load: a few kilobytes),
        in the order the steps load them (by source name); none for a scenario, which loads
        no extract."""
        if self.changed_sources is not None:
            return []
        order = extract_periods()
        span = order[order.index(self.first) : order.index(self.last) + 1]
        return [
            found.path
            for name in sorted(SOURCES)
            for key, group in discover(raw_dir, SOURCES[name]).items()
            if key is None or key in span
            for found in group
        ]

    def run_request(self, run_key: str, warehouse: Path) -> RunRequest:
        return RunRequest(
            run_key=run_key,
            job_name=self.job,
            partition_key=self.partition_key,
            run_config=self.run_config(),
            tags={**self.tags(), WAREHOUSE_TAG: str(warehouse)},
        )


def keys_with_files(raw_dir: Path) -> list[str]:
    """Every extract period some raw source has a file for, in partition order."""
    found = {
        key
        for source in SOURCES.values()
        if source.partitioning
        for key in discover(raw_dir, source)
        if key is not None
    }
    return [k for k in extract_periods() if k in found]


def keys_loaded(warehouse: Path) -> list[str]:
    """Extract periods the warehouse holds rows of (its load log), so that a run over the
    landing zone also reaches the partitions whose files were removed from it."""
    import duckdb

    from core.connection import connect

    if not warehouse.exists():
        return []
    try:
        con = connect(warehouse, read_only=True)
    except duckdb.Error:
        return []  # being written: the run will be refused by its lock anyway
    try:
        rows = con.execute(
            """SELECT DISTINCT "partition" FROM raw_validated.load_log
               WHERE "partition" <> 'all' AND source_file IS NOT NULL"""
        ).fetchall()
    except duckdb.CatalogException:
        rows = []
    finally:
        con.close()
    known = set(extract_periods())
    return [k for (k,) in rows if k in known]


def key_range(keys: list[str]) -> tuple[str, str]:
    order = extract_periods()
    ranked = sorted(keys, key=order.index)
    return ranked[0], ranked[-1]


def annual_plan(
    raw_dir: Path, years: range | None = None, job: str = "attrib", loaded: list[str] = ()
) -> RunPlan:
    """Everything in the landing zone (``attrib run``), and the partitions ``loaded`` in the
    warehouse (those whose files are gone are removed); with ``years``, only those years'
    extracts and the yearly, survey and period figures of those years (a backfill)."""
    found = set(keys_with_files(raw_dir)) | set(loaded)
    keys = [k for k in found if years is None or key_year(k) in years]
    if not keys:  # reference tables only: dbt still builds every model (empty)
        first = last = str(years[0]) if years else extract_periods()[-5]
    else:
        first, last = key_range(keys)
    return RunPlan(job, first, last, tuple(years) if years else None)


def period_plan(period: str) -> RunPlan:
    """One extract period (``attrib run --years 2026T3``, the quarterly schedule): the
    ``quarterly`` job, which rebuilds only what the SNE feeds."""
    if period not in extract_periods():
        raise ValueError(f"{period!r} is not an extract period (2025, 2025T1 ... 2025T4)")
    return RunPlan("quarterly", period, period)


def yearly_plan(raw_dir: Path, closed_year: int) -> RunPlan:
    """The yearly run once year N is closed (1 April N+1): every extract up to N's last
    quarter, so new RPLS vintages, plans and surveys are picked up with the closed year's SNE."""
    keys = [k for k in keys_with_files(raw_dir) if key_year(k) <= closed_year]
    first = key_range(keys)[0] if keys else str(closed_year)
    return RunPlan("attrib", first, f"{closed_year}T4")
