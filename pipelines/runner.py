"""``attrib run``: run the code location's ``attrib`` job for the plan of the landing zone, and
report on the console (progress as it happens, then a summary per source, the checks, what
failed, where the results are). What is built and in which order is the job's business
(``pipelines.jobs``, ``pipelines.build_plan``), not this module's."""

from __future__ import annotations

import contextlib
import os
import sys
import time
import uuid
from pathlib import Path

import duckdb

from core import publishing
from core.connection import connect
from core.files import hash_ahead
from core.lock import WarehouseBusy, WarehouseLock, describe, holder
from core.preflight import PreflightError, check_space, check_writable
from core.settings import Settings
from core.watchdog import start_watchdog, stop_watchdog
from ingestion.raw_files import RawFileError
from pipelines import progress
from pipelines.build_plan import INVOCATION_TAG, WAREHOUSE_TAG, RunPlan
from pipelines.progress import failure_detail

LOGGERS = {"progress": {}, "console": {"config": {"log_level": "CRITICAL"}}}


def _failures(result) -> list[str]:
    return [
        f"{event.step_key}: {failure_detail(event.step_failure_data)}"
        for event in result.get_step_failure_events()
    ]


def _not_built(job, result, selected=None) -> list[str]:
    """Assets of the run (the job's, or the ``selected`` subset) it did not materialise
    (downstream of a failure), by layer."""
    built = {e.asset_key for e in result.get_asset_materialization_events()}
    missing = set(selected or job.asset_layer.executable_asset_keys) - built
    layers: dict[str, int] = {}
    for key in missing:
        layers[key.path[0]] = layers.get(key.path[0], 0) + 1
    return [f"{n} {layer}" for layer, n in sorted(layers.items())]


def _failed_checks(result) -> list[str]:
    lines = []
    for check in result.get_asset_check_evaluations():
        if check.passed:
            continue
        lines.append(f"check {check.check_name} on {check.asset_key.to_user_string()} failed")
        words = check.metadata.get("in_plain_words")
        for line in (words.value if words else "").splitlines():
            if line.startswith("- FAILS"):
                lines.append(f"    {line.removeprefix('- ')}")
    return lines


def _query(database: Path, sql: str, params=None) -> list[tuple]:
    try:
        con = connect(Path(database), read_only=True)
    except duckdb.Error:
        return []
    try:
        return con.execute(sql, params or []).fetchall()
    except duckdb.CatalogException:
        return []
    finally:
        con.close()


def _failed_sources(result) -> set[str]:
    """The raw tables whose load step failed in this run (step ``raw_validated__<table>``)."""
    return {
        event.step_key.removeprefix("raw_validated__")
        for event in result.get_step_failure_events()
        if event.step_key.startswith("raw_validated__")
    }


def _summary(database: Path, run_id: str, failed: set[str] = frozenset()) -> None:
    rows = _query(
        database,
        """SELECT source, sum(rows_read), sum(rows_valid), sum(rows_rejected),
                  count(*) FILTER (WHERE run_id = ?), count(*)
           FROM raw_validated.load_log WHERE source_file IS NOT NULL
           GROUP BY source ORDER BY source""",
        [run_id],
    )
    print(f"\n{'source':<28}{'rows in':>12}{'valid':>12}{'rejected':>10}  files read by this run")
    for name, read, valid, rejected, now, files in rows:
        flag = "" if read == valid + rejected else "  <- does not reconcile"
        done = f"{now} of {files}" + (" (the others unchanged)" if 0 < now < files else "")
        done = "none: unchanged" if now == 0 else done
        if name in failed:  # its rows are those of an earlier run, the new files not loaded
            done = "FAILED: this run loaded none of its files (see below); rows of earlier runs"
        print(f"{name:<28}{read:>12,}{valid:>12,}{rejected:>10,}  {done}{flag}")
    for name in sorted(failed - {row[0] for row in rows}):
        print(f"{name:<28}{'-':>12}{'-':>12}{'-':>10}  FAILED: nothing loaded (see below)")
    # a line per file, or per check and year past a few files: a national OPS flags rows in
    # each of its 101 files, which buried the rest of the summary (marts.data_quality has them)
    flagged = _query(
        database,
        """SELECT check_name, year, list(source_file ORDER BY source_file),
                  list(rows_flagged ORDER BY source_file)
           FROM marts.data_quality GROUP BY ALL ORDER BY check_name, year""",
    )
    if flagged:
        print("\nrows kept but flagged (marts.data_quality)")
        for check, year, files, counts in flagged:
            lines = list(zip(files, counts, strict=True))
            if len(lines) > 5:
                lines = [(f"{len(files)} files", sum(counts))]
            for where, n in lines:
                print(f"  {check:<42} {where:<34} {year}  {n:>6,}")
    priority = _query(
        database,
        """SELECT p.survey_year,
                  coalesce(t.territory_name, p.territory_id, '(outside the agreement)'), count(*)
           FROM marts.priority_residences p LEFT JOIN marts.dim_territory t USING (territory_id)
           WHERE p.survey_year = (SELECT max(survey_year) FROM marts.priority_residences)
           GROUP BY ALL ORDER BY 3 DESC, 2""",
    )
    if priority:
        print(f"\n{'priority residences (fragility)':<32}{'count':>6}")
        for year, name, n in priority:
            print(f"{name:<32}{n:>6}   (OPS {year})")


def _execute(job, plan: RunPlan, settings: Settings, invocation: str, run_id: str):
    from dagster import DagsterInstance  # imported after the building copy began (_job)

    from pipelines.instance import instance_for

    # a scenario's run history goes with its warehouse, which the next run of that scenario
    # replaces (its lineage and changes are in the warehouse): kept in memory, not in SQLite
    # (1-2 s of event writes)
    scenario = plan.changed_sources is not None
    instance = DagsterInstance.ephemeral() if scenario else instance_for(settings.layout)
    with instance:  # closes the run history's files (SQLite folds its write-ahead log in)
        return job.execute_in_process(
            partition_key=plan.partition_key,
            run_config={**plan.run_config(), "loggers": LOGGERS},
            instance=instance,
            run_id=run_id,
            tags={
                **plan.tags(),
                WAREHOUSE_TAG: str(settings.warehouse),
                INVOCATION_TAG: invocation,
            },
            raise_on_error=False,
        )


def _job(settings: Settings, plan: RunPlan):
    """The job ``plan`` runs, from the code location built for ``settings``, and the assets it
    selects (None: the whole job)."""
    # imported here, not with this module: dagster-dbt takes 1.4 s to import, and the building
    # copy (run) begins before it
    from core.dbt_project import prepare_manifest

    prepare_manifest()  # before the assets are imported: they read the manifest then
    from pipelines.definitions import build_definitions
    from pipelines.jobs import scenario_selection

    defs = build_definitions(settings)
    job = defs.resolve_job_def(plan.job)
    if plan.changed_sources is None:
        return job, None
    # a scenario: only what its changes reach, with their dbt tests
    assets, checks = scenario_selection(defs, plan.changed_sources)
    return job.get_subset(asset_selection=assets, asset_check_selection=checks), assets


def run(settings: Settings, plan: RunPlan) -> int:
    """Execute ``plan`` with the code location built for ``settings``; 0 when all went well."""
    started = time.perf_counter()
    if (busy := holder(settings.layout)) and busy.get("pid") != os.getpid():
        print(f"error: {describe(busy, settings.layout)}")  # at once, before any work
        return 3
    try:
        check_writable(settings.layout)
        check_space(settings.layout, settings.raw_dir)
    except PreflightError as problem:
        print(f"error: {problem}")
        return 2
    scenario = plan.changed_sources is not None
    invocation = uuid.uuid4().hex
    run_id = str(uuid.uuid4())  # known before the run starts: its building copy is begun early
    log = settings.layout.logs / "run.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    progress.STREAM = sys.stdout
    try:
        with WarehouseLock(settings.layout, " ".join(sys.argv) or "attrib run"):
            # after the lock: a run refused because another holds it prints one line only
            doing = (
                "Computing the models downstream of "
                f"{', '.join(plan.changed_sources) or 'no change'} in"
                if scenario
                else f"Loading {settings.raw_dir} into"
            )
            print(f"{doing} {settings.warehouse}: job {plan.label}", flush=True)
            print(f"  (dbt's and Dagster's own output: {log})", flush=True)
            if interrupted := publishing.recover(settings.layout):
                print(f"  completed the publication of run {interrupted}, interrupted by a kill")
            if not scenario:  # a scenario writes its own file, not this one
                # copied while the code location loads (France: 1.2 GB, 0.3-0.6 s alone;
                # up to 2.7 s right after an annual run in the bench: docs/orchestration.md)
                publishing.prepare(settings.layout, run_id)
                # and the extracts hashed meanwhile, on the core the import leaves idle
                # (France: 1.4 GB, 1.5 s that the loads waited for)
                with contextlib.suppress(RawFileError):  # the step names such a file
                    hash_ahead(plan.files(settings.raw_dir))
            try:
                job, assets = _job(settings, plan)
                # dbt ends with this process, even on kill -9
                watchdog = start_watchdog(publishing.process_marker(settings.layout))
                try:
                    with log.open("w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
                        result = _execute(job, plan, settings, invocation, run_id)
                finally:
                    stop_watchdog(watchdog)
            finally:  # a copy no step took (Ctrl-C before the run began, a project that fails)
                publishing.abandon(settings.layout, run_id)
    except WarehouseBusy as busy:
        print(f"error: {busy}")
        return 3
    layout = settings.layout
    unpublished = publishing.building_for(layout, result.run_id)
    building = unpublished.database if unpublished else None
    if not scenario:  # a scenario loads nothing: its own summary is its diff
        _summary(
            building if building and building.exists() else settings.warehouse,
            result.run_id,
            _failed_sources(result),
        )
    problems = _failures(result) + _failed_checks(result)
    seconds = time.perf_counter() - started
    if problems or unpublished:
        print(f"\nRun {result.run_id} did not succeed ({seconds:.1f} s):")
        for line in problems:
            print(f"  {line}")
        not_built = _not_built(job, result, assets)
        if not_built:
            print(f"Not built, downstream of the failure: {', '.join(not_built)}.")
        if publishing.interrupted(layout) == result.run_id:
            print(
                "The publication was interrupted between two renames: the next run (or "
                "`attrib run` again) completes it before anything else; its journal is "
                f"{publishing.building_root(layout) / publishing.JOURNAL}."
            )
            return 1
        kept = (
            f"{settings.warehouse}, its exports, sheets and docs are those of the last "
            "successful run, unchanged"
            if settings.warehouse.exists()
            else f"no warehouse is published yet at {settings.warehouse}"
        )
        print(
            f"Nothing was published from this run. {kept}; the run's partial build "
            f"is in {publishing.building_root(layout)} until the next run (read it with "
            "duckdb -readonly to see what went wrong)."
        )
        return 1
    if scenario:
        print(f"Run {result.run_id} of job {plan.job} succeeded in {seconds:.1f} s")
        return 0
    print(
        f"\nWarehouse: {settings.warehouse} (analysts read schema marts; rejected rows are in "
        "raw_validated.rejects with file, line, column, check, value and reason)"
    )
    print(f"dbt docs: {layout.docs / 'dbt' / 'index.html'}")
    print(f"data quality (Great Expectations): {layout.docs / 'gx' / 'report.html'}")
    print(f"Parquet exports: {layout.exports}; sheets: {layout.reports}")
    print("lineage: audit.lineage; any figure: attrib explain <mart> --key column=value")
    print(f"Run {result.run_id} of job {plan.job} succeeded in {seconds:.1f} s")
    return 0
