"""Materialise every asset of the code location for every partition that has files in
``raw/``, printing one line per asset partition and a summary per source."""

from __future__ import annotations

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
    """A persistent Dagster instance beside the warehouse, so `dagster dev` shows CLI runs
    when started with the same DAGSTER_HOME."""
    home = Path(os.environ.get("DAGSTER_HOME") or warehouse.parent / "dagster_home")
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():  # this workplace has no network: no telemetry to send
        config.write_text("telemetry:\n  enabled: false\n")
    os.environ["DAGSTER_HOME"] = str(home)
    return DagsterInstance.get()


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
            return data.error.message.strip().splitlines()[-1] if data.error else "failed"
    return "failed"


def _build_warehouse(resources: dict, instance: DagsterInstance) -> list[str]:
    """dbt build of every model and test, then the docs site; one line per layer."""
    from assets.warehouse import dbt_docs_site, warehouse_models

    started = time.perf_counter()
    print("dbt build (staging, intermediate, marts) and docs ...", flush=True)
    result = materialize(
        [warehouse_models, dbt_docs_site],
        resources=resources,
        instance=instance,
        raise_on_error=False,
        run_config=QUIET,
    )
    built = defaultdict(int)
    for event in result.get_asset_materialization_events():
        built[event.asset_key.path[0]] += 1
    checks = result.get_asset_check_evaluations()
    failed = [c for c in checks if not c.passed]
    layers = ", ".join(f"{n} {layer}" for layer, n in sorted(built.items()))
    print(
        f"      built {layers}; {len(checks) - len(failed)}/{len(checks)} dbt tests passed "
        f"({time.perf_counter() - started:.1f} s)"
    )
    problems = [f"dbt test {c.asset_key.to_user_string()} {c.check_name} failed" for c in failed]
    if not result.success:
        problems.append(f"dbt: {_failure(result)}")
    for line in problems:
        print(f"      {line}")
    return problems


def run_all(raw_dir: Path, warehouse: Path) -> int:
    try:
        steps = plan(raw_dir)
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
    failures += _build_warehouse(resources, instance)
    print()
    print(f"{'source':<28}{'rows in':>12}{'valid':>12}{'rejected':>10}")
    for name, (read, valid, rejected) in totals.items():
        flag = "" if read == valid + rejected else "  <- does not reconcile"
        print(f"{name:<28}{read:>12,}{valid:>12,}{rejected:>10,}{flag}")
    if failures:
        print(f"\n{len(failures)} asset partition(s) failed:")
        for line in failures:
            print(f"  {line}")
        return 1
    print(
        f"\nWarehouse: {warehouse} (analysts read schema marts; rejected rows are in "
        "raw_validated.rejects with file, line, column, check, value and reason)"
    )
    print(f"dbt docs: {warehouse.parent / 'docs' / 'dbt' / 'index.html'}")
    return 0


__all__ = ["run_all", "plan", "raw_key"]
