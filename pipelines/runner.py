"""Materialise every asset of the code location for every partition that has files in
``raw/``, printing one line per asset partition and a summary per source."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections import defaultdict
from pathlib import Path

from dagster import AssetsDefinition, DagsterEventType, DagsterInstance, materialize

from assets.raw import RAW_ASSETS, raw_key
from ingestion.raw_files import RawFileError, discover, partition_keys
from pipelines.resources import build_resources
from schemas import SOURCES

QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def instance_for(warehouse: Path) -> DagsterInstance:
    """A persistent Dagster instance beside the warehouse (or in the user's own DAGSTER_HOME),
    so `dagster dev` started with the same DAGSTER_HOME shows the CLI's runs. The environment
    is read, never written: a second warehouse in the same process gets its own instance."""
    home = Path(os.environ.get("DAGSTER_HOME") or warehouse.parent / "dagster_home")
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():  # this workplace has no network: no telemetry to send
        config.write_text("telemetry:\n  enabled: false\n")
    return DagsterInstance.from_config(str(home))


def plan(raw_dir: Path) -> list[tuple[str, str | None]]:
    """(source, partition) in load order: reference tables first (others check against them)."""
    steps: list[tuple[str, str | None]] = []
    for source in SOURCES.values():
        if source.partitioning is None:
            if discover(raw_dir, source):
                steps.append((source.name, None))
    for source in SOURCES.values():
        if source.partitioning is not None:
            steps.extend((source.name, key) for key in partition_keys(raw_dir, source))
    return steps


def _failure(result) -> str:
    for event in result.all_events:
        if event.event_type == DagsterEventType.STEP_FAILURE:
            data = event.step_failure_data
            if data.user_failure_data and data.user_failure_data.description:
                return data.user_failure_data.description
            error = data.error
            while error and error.cause and "ExecutionStepExecutionError" in error.cls_name:
                error = error.cause  # Dagster's wrapper: the user's exception says more
            return error.message.strip().splitlines()[0] if error else "failed"
    return "failed"


def _rows(warehouse: Path, query: str) -> list[tuple]:
    """Rows read from the warehouse (read-only, closed at once); none if a table is missing."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(query).fetchall()
    except duckdb.CatalogException:
        return []
    finally:
        con.close()


def _keys(warehouse: Path, query: str) -> list[str]:
    return [str(k) for (k,) in _rows(warehouse, query)]


def capacity_years(warehouse: Path) -> list[str]:
    """Years the loaded plans cover: from each agreement's start year to its last event."""
    return _keys(
        warehouse,
        """SELECT DISTINCT YEAR FROM raw_validated.acd_plans
                               WHERE YEAR >= CAST(_partition AS INTEGER) ORDER BY 1""",
    )


def survey_years(warehouse: Path) -> list[str]:
    """OPS survey years loaded; without any, the current year builds the (empty) tables."""
    return _keys(
        warehouse,
        """SELECT DISTINCT _partition FROM raw_validated.ops
                               ORDER BY 1""",
    ) or [str(dt.date.today().year)]


def sne_periods_loaded(warehouse: Path) -> list[str]:
    """SNE periods with decisions loaded: each gets its quotas and indicators."""
    return _keys(
        warehouse,
        """SELECT DISTINCT _partition FROM raw_validated.sne_attributions
                               ORDER BY 1""",
    )


def _build_step(
    label: str,
    assets: list,
    partition: str | None,
    resources: dict,
    instance: DagsterInstance,
    log_path: Path,
) -> list[str]:
    """Materialise dbt assets (one partition at most); one line with what was built."""
    started = time.perf_counter()
    with log_path.open("a", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        result = materialize(
            assets,
            partition_key=partition,
            resources=resources,
            instance=instance,
            raise_on_error=False,
            run_config=QUIET,
        )
    return _summarise(label, result, started)


def _summarise(label: str, result, started: float) -> list[str]:
    """One line with what a step built and how its checks went; the problems, if any."""
    built = defaultdict(int)
    for event in result.get_asset_materialization_events():
        built[event.asset_key.path[0]] += 1
    checks = result.get_asset_check_evaluations()
    failed = [c for c in checks if not c.passed]
    layers = ", ".join(f"{n} {layer}" for layer, n in sorted(built.items()))
    print(
        f"      {label:<34} built {layers or 'nothing'}; "
        f"{len(checks) - len(failed)}/{len(checks)} checks passed "
        f"({time.perf_counter() - started:.1f} s)",
        flush=True,
    )
    problems = [
        f"{label}: check {c.check_name} on {c.asset_key.to_user_string()} failed"
        + "".join(
            f"\n        {line.removeprefix('- ')}"
            for line in (
                c.metadata["in_plain_words"].value if "in_plain_words" in c.metadata else ""
            ).splitlines()
            if line.startswith("- FAILS")
        )
        for c in failed
    ]
    if not result.success:
        problems.append(f"{label}: {_failure(result)}")
    for line in problems:
        print(f"      {line}")
    return problems


def _build_warehouse(
    raw_dir: Path,
    warehouse: Path,
    resources: dict,
    instance: DagsterInstance,
    years: range | None = None,
) -> list[str]:
    """dbt: staging to marts, then capacity per year of the plans, then the reconciliation
    and the docs site."""
    from assets.warehouse import (
        attainment_models,
        capacity_models,
        dbt_docs_site,
        fragility_models,
        summary_models,
        warehouse_models,
    )

    log = warehouse.parent / "logs" / "dbt.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    print(f"dbt build (dbt's own log: {log})", flush=True)
    problems = _build_step(
        "staging, intermediate, marts", [warehouse_models], None, resources, instance, log
    )
    # without plans there is no objective, but the (empty) capacity tables must exist for the
    # reconciliation and the indicators: compute the current year, which yields no row
    planned = capacity_years(warehouse) or [str(dt.date.today().year)]
    for year in (y for y in planned if in_years(y, years)):
        problems += _build_step(
            f"capacity and objectives [{year}]", [capacity_models], year, resources, instance, log
        )
    for year in (y for y in survey_years(warehouse) if in_years(y, years)):
        problems += _build_step(
            f"fragility [{year}]", [fragility_models], year, resources, instance, log
        )
    problems += _build_step(
        "reconciliation, concentration", [summary_models], None, resources, instance, log
    )
    for period in (p for p in sne_periods_loaded(warehouse) if in_years(p, years)):
        problems += _build_step(
            f"quotas and indicators [{period}]",
            [attainment_models],
            period,
            resources,
            instance,
            log,
        )
    problems += _build_step("docs", [dbt_docs_site], None, resources, instance, log)
    return problems + _publish(raw_dir, warehouse, instance, log)


def _publish(
    raw_dir: Path, warehouse: Path, instance: DagsterInstance, log_path: Path
) -> list[str]:
    """The publication job: GX checks on the marts (they need the marts' definitions, hence
    the whole code location), then the Parquet exports and the territorial sheets."""
    from pipelines.definitions import build_definitions

    started = time.perf_counter()
    job = build_definitions(raw_dir, warehouse).resolve_job_def("publication")
    with log_path.open("a", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=QUIET)
    return _summarise("quality, exports, sheets", result, started)


def in_years(key: str | None, years: range | None) -> bool:
    """Unpartitioned steps always run; a partition ('2025', '2025T2') runs if its year is in
    ``years`` (all when None)."""
    return key is None or years is None or int(key[:4]) in years


def priority_residences_by_territory(warehouse: Path) -> list[str]:
    """Summary lines: priority residences (fragility) per territory, latest survey."""
    rows = _rows(
        warehouse,
        """
        SELECT p.survey_year, coalesce(t.territory_name, p.territory_id), count(*)
        FROM marts.priority_residences p
        LEFT JOIN marts.dim_territory t USING (territory_id)
        WHERE p.survey_year = (SELECT max(survey_year) FROM marts.priority_residences)
        GROUP BY ALL ORDER BY 3 DESC""",
    )
    return [f"{name:<32}{n:>6}   (OPS {year})" for year, name, n in rows]


def run_all(raw_dir: Path, warehouse: Path, years: range | None = None) -> int:
    """Load raw/ and build the warehouse; ``years`` limits the partitions (a backfill)."""
    try:
        steps = [(name, key) for name, key in plan(raw_dir) if in_years(key, years)]
    except RawFileError as exc:
        print(f"error: {exc}")
        return 1
    by_key: dict[str, AssetsDefinition] = {a.key.path[-1]: a for a in RAW_ASSETS}
    resources = build_resources(raw_dir, warehouse)
    instance = instance_for(warehouse)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    failures: list[str] = []
    print(f"Loading {raw_dir} into {warehouse} ({len(steps)} asset partitions)")
    for i, (name, partition) in enumerate(steps, 1):
        started = time.perf_counter()
        label = f"raw_validated/{name}" + (f" [{partition}]" if partition else "")
        result = materialize(
            [by_key[name]],
            partition_key=partition,
            resources=resources,
            instance=instance,
            raise_on_error=False,
            run_config=QUIET,
        )
        seconds = time.perf_counter() - started
        if not result.success:
            failures.append(f"{label}: {_failure(result)}")
            print(f"[{i:>3}/{len(steps)}] {label:<45} FAILED  {_failure(result)}")
            continue
        meta = result.asset_materializations_for_node(by_key[name].node_def.name)[0].metadata
        read, valid, rejected = (
            meta[k].value for k in ("rows_read", "rows_valid", "rows_rejected")
        )
        for j, v in enumerate((read, valid, rejected)):
            totals[name][j] += v
        print(
            f"[{i:>3}/{len(steps)}] {label:<45} read {read:>9,}  valid {valid:>9,}  "
            f"rejected {rejected:>7,}  {seconds:6.1f} s"
        )
    failures += _build_warehouse(raw_dir, warehouse, resources, instance, years)
    print()
    print(f"{'source':<28}{'rows in':>12}{'valid':>12}{'rejected':>10}")
    for name, (read, valid, rejected) in totals.items():
        flag = "" if read == valid + rejected else "  <- does not reconcile"
        print(f"{name:<28}{read:>12,}{valid:>12,}{rejected:>10,}{flag}")
    priority = priority_residences_by_territory(warehouse)
    if priority:
        print(f"\n{'priority residences (fragility)':<32}{'count':>6}")
        print("\n".join(priority))
    if failures:
        print(f"\n{len(failures)} asset partition(s) failed:")
        for line in failures:
            print(f"  {line}")
        return 1
    print(
        f"\nWarehouse: {warehouse} (analysts read schema marts; rejected rows are in "
        "raw_validated.rejects with file, line, column, check, value and reason)"
    )
    docs = warehouse.parent / "docs"
    print(f"dbt docs: {docs / 'dbt' / 'index.html'}")
    print(f"data quality (Great Expectations): {docs / 'gx' / 'report.html'}")
    print(
        f"Parquet exports: {warehouse.parent / 'exports'}; sheets: {warehouse.parent / 'reports'}"
    )
    print("lineage: audit.lineage; any figure: attrib explain <mart> --key column=value")
    return 0


__all__ = ["run_all", "plan", "raw_key"]
