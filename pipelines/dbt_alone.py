"""``attrib dbt ARGS``: dbt alone on a warehouse, the way a run uses it.

It takes the warehouse's run lock, builds in a copy of the published file (core/publishing.py),
publishes the copy only when dbt succeeds, and records one ``audit.lineage`` row per model dbt
built (kind ``dbt alone``), so ``attrib explain`` never names an older run for a table dbt
rebuilt. dbt started directly (``dbt build`` in dbt_project/) is refused by the profile: it
would write the published file under readers, without the lock.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import uuid
from pathlib import Path

import yaml

from audit import lineage
from audit.dbt_lineage import model_lineage_row
from core import publishing
from core.connection import connect
from core.dbt_project import (
    DBT_DIR,
    dbt_executable,
    prepare_manifest,
    prepare_target,
    profile_vars,
    vars_argument,
)
from core.lock import WarehouseBusy, WarehouseLock
from core.settings import Settings
from core.watchdog import start_watchdog, stop_watchdog
from ingestion.raw_validated import ensure_all_tables

BUILDING = ("build", "run", "seed", "snapshot")  # the dbt commands that write relations


def _built_models(target: Path, started: dt.datetime) -> list[str]:
    """The models and seeds this invocation built: none when it wrote no run results of its
    own (``dbt ls``: those of the last build are still there) or ran a command that builds
    nothing (``dbt compile``, ``dbt show``: their results list nodes compiled, not built)."""
    results = target / "run_results.json"
    if not _ran(target, started):
        return []
    ran = json.loads(results.read_text())
    if ran.get("args", {}).get("which") not in BUILDING:
        return []
    return [
        r["unique_id"]
        for r in ran.get("results", [])
        if r["unique_id"].startswith(("model.", "seed.")) and r.get("status") == "success"
    ]


def _ran(target: Path, started: dt.datetime) -> bool:
    """Whether this dbt invocation ran something: it wrote its run results (a typo in the
    command, dbt refusing its arguments, writes none)."""
    results = target / "run_results.json"
    return results.exists() and results.stat().st_mtime >= started.timestamp()


def _record_lineage(settings: Settings, database, run_id: str, started: dt.datetime) -> int:
    con = connect(database, limits=settings.limits, spill=settings.layout.spill, durable=False)
    try:
        ensure_all_tables(con)  # the load log, even on a warehouse no run has loaded
        version = lineage.parameters_version(con)
        rows = [
            model_lineage_row(con, uid, run_id, "dbt alone", started, version)
            for uid in _built_models(settings.layout.dbt_target, started)
        ]
        return lineage.record(con, rows)
    finally:
        con.close()


def _stream(command: list[str], target: Path) -> int:
    """Run dbt, passing its output on line by line (a long build shows its progress)."""
    environment = {
        **os.environ,
        "DBT_TARGET_PATH": str(target),
        "DBT_LOG_PATH": str(target),  # the warehouse's, as in a run (not dbt_project/logs)
        "DBT_PROJECT_DIR": str(DBT_DIR),
    }
    with subprocess.Popen(
        command,
        cwd=DBT_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        for line in process.stdout:
            print(line, end="", flush=True)
    return process.returncode


def with_vars(args: list[str], layout, limits) -> list[str]:
    """``args`` with one ``--vars``: the user's (``--vars '{years: [2025]}'``) merged with the
    profile's, which name the building copy and the limits and win over a var of the same
    name. dbt keeps only the last ``--vars`` it is given: appending the profile's after the
    user's dropped the user's, and a build meant for one year computed every year."""
    given: dict = {}
    kept: list[str] = []
    rest = iter(args)
    for arg in rest:
        if arg == "--vars":
            text = next(rest, None)
            if text is None:
                raise ValueError("--vars needs a value, e.g. --vars '{years: [2025]}'")
        elif arg.startswith("--vars="):
            text = arg.removeprefix("--vars=")
        else:
            kept.append(arg)
            continue
        parsed = yaml.safe_load(text) if text.strip() else {}
        if not isinstance(parsed, dict):
            raise ValueError(f"--vars takes a YAML dictionary, e.g. '{{years: [2025]}}': {text!r}")
        given.update(parsed)
    return [*kept, *vars_argument({**given, **profile_vars(layout, limits)})]


def run_dbt_alone(settings: Settings, args: list[str]) -> int:
    """Run ``dbt ARGS`` on ``settings``' warehouse; dbt's exit code (3 when the warehouse is
    busy)."""
    layout = settings.layout
    try:
        arguments = with_vars(args, layout, settings.limits)
    except (ValueError, yaml.YAMLError) as bad:
        print(f"error: {bad}")
        return 2
    prepare_manifest()
    run_id = f"dbt-{uuid.uuid4().hex[:12]}"
    try:
        with WarehouseLock(layout, "attrib dbt " + " ".join(args)):
            area = publishing.begin(layout, run_id)
            target = prepare_target(layout, settings.limits)
            command = [dbt_executable(), *arguments, "--profiles-dir", str(DBT_DIR)]
            started = dt.datetime.now()
            watchdog = start_watchdog(publishing.process_marker(layout))
            try:
                code = _stream(command, target)
            finally:
                stop_watchdog(watchdog)
            if code != 0:
                if not _ran(target, started):  # refused its arguments, or failed to start
                    publishing.discard(publishing.building_root(layout))
                    print(
                        f"dbt exited with {code} before running any model or test (its message "
                        f"is above): nothing was built or published, {settings.warehouse} is "
                        "unchanged"
                    )
                    return code
                print(
                    f"dbt exited with {code}: nothing was published, {settings.warehouse} is "
                    f"unchanged (dbt's build is in {area.database} until the next run)"
                )
                return code
            recorded = _record_lineage(settings, area.database, run_id, started)
            published = publishing.publish(layout, run_id)
    except WarehouseBusy as busy:
        print(f"error: {busy}")
        return 3
    print(
        f"published {', '.join(str(p) for p in published)} (dbt run {run_id}, "
        f"{recorded} lineage rows in audit.lineage)"
    )
    if not recorded and BUILDING_COMMANDS & set(args):
        print(
            "warning: dbt built no model: its selection matched none. A model is selected by "
            "its name (--select quota_attainment) or its folder (--select marts.attainment)"
        )
    return 0


BUILDING_COMMANDS = {"build", "run", "seed"}  # the dbt commands that build models and seeds
