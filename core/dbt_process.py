"""``attrib-dbt``: dbt, started in the folder that holds its target folder (a warehouse's private
``dbt/`` folder), so that ``profiles.yml`` opens the run's building copy by a path relative to
it (``../building/attrib.duckdb``), the same for every warehouse.

Why: dbt reuses its parse of the project (partial parsing) only when the profile's connection
values and the command's vars are those of the previous parse. With the copy's absolute path in
the profile, every new warehouse (each scenario's, each test's) parsed the whole project again,
2.7 s per dbt invocation. dagster-dbt starts dbt in the dbt project's folder and names the
target folder in ``DBT_TARGET_PATH``, and the project's in ``DBT_PROJECT_DIR``; ``attrib dbt``
does the same.

``--attrib-scope JSON`` (taken off the command line before dbt reads it): what a run restricted
to some years or periods computes (``{"period_keys": ["2026T1"]}``), put in the dbt process's
environment as ``ATTRIB_DBT_SCOPE``, where the project's macros read it when they run
(``dbt_project/macros/partition_keys.sql``). Passed as a dbt var, it made dbt parse the whole
project again (2.8 s) each time it changed, as from an annual run to a quarterly one: dbt
compares the vars with those of its last parse, not the environment that macros read only at
execution.

A run's ``dbt build`` (``--attrib-run``, taken off the command line too) does not write the
project's manifest into the warehouse's target folder (:func:`keep_manifest_unwritten`): dbt
wrote it twice per build, before the first model and after the last, 0.4 s of a France run,
and nothing of the run reads it there. Dagster, the lineage and the exports read the project's
own manifest (``dbt_project/target/manifest.json``, what ``dbt parse`` made); the docs site,
the one ``dbt docs generate`` writes. The run results are written as before. dbt started by
hand (``attrib dbt -- build``) writes its manifest as dbt does, for ``--state`` comparisons or
``dbt docs serve`` on that folder.

dbt started by a run (dagster-dbt: the build, the docs site) writes its log file (``dbt.log``
in the target folder) at level info: one line per model and test with its status and seconds,
and the errors. At dbt's default, debug, a build wrote every statement of every node, 1.7 MB
and 1,400 lines for a France quarterly run, and building those lines took 0.3-0.7 s of dbt's
6 s; the SQL of each node stays in the target folder's ``run/`` and in ``run_results.json``.
``DBT_LOG_LEVEL_FILE=debug`` in the environment (dbt's own variable) brings the statements
back; dbt run by hand (``attrib dbt``) keeps dbt's default.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SCOPE_OPTION = "--attrib-scope"
RUN_OPTION = "--attrib-run"  # a run's build: no manifest written (keep_manifest_unwritten)
RUN_LOG_LEVEL = "info"  # of a run's dbt log file, unless DBT_LOG_LEVEL_FILE says otherwise
STARTED_BY_DAGSTER = "DAGSTER_DBT_CLI"  # set to "true" by dagster-dbt for every dbt it starts
SCOPE_VARIABLE = "ATTRIB_DBT_SCOPE"


def take_scope(argv: list[str]) -> list[str]:
    """``argv`` without ``--attrib-scope JSON``, whose value goes to the environment (none
    there without it: a scope never leaks from the caller's environment into a whole build)."""
    if SCOPE_OPTION not in argv:
        os.environ.pop(SCOPE_VARIABLE, None)
        return argv
    at = argv.index(SCOPE_OPTION)
    os.environ[SCOPE_VARIABLE] = argv[at + 1]
    return argv[:at] + argv[at + 2 :]


MANIFESTS = ("manifest.json", "semantic_manifest.json")


def log_file_level() -> None:
    """dbt started by a run (dagster-dbt) logs to its file at level info, unless the
    environment sets ``DBT_LOG_LEVEL_FILE``; dbt run by hand keeps dbt's debug file log."""
    if os.environ.get(STARTED_BY_DAGSTER) == "true":
        os.environ.setdefault("DBT_LOG_LEVEL_FILE", RUN_LOG_LEVEL)


def keep_manifest_unwritten(argv: list[str], target: Path | None) -> list[str]:
    """``argv`` without ``--attrib-run``. With it (a run's build): remove the manifests an
    earlier command left in ``target`` (no manifest there then describes another state of the
    project) and make dbt's manifest writer a no-op in this process. Without it, or for a dbt
    that has no such writer, dbt writes its manifest as it does."""
    if RUN_OPTION not in argv:
        return argv
    argv = [a for a in argv if a != RUN_OPTION]
    import dbt.parser.manifest as parsing
    import dbt.task.runnable as runnable

    if not all(hasattr(m, "write_manifest") for m in (parsing, runnable)):
        return argv
    for name in MANIFESTS if target else ():
        (target / name).unlink(missing_ok=True)

    def unwritten(*args, **kwargs) -> None:  # noqa: ARG001 - dbt's signature
        return None

    parsing.write_manifest = runnable.write_manifest = unwritten
    return argv


def main() -> None:
    sys.argv = take_scope(sys.argv)
    target = os.environ.get("DBT_TARGET_PATH")
    if target and Path(target).is_absolute():
        os.environ.setdefault("DBT_PROJECT_DIR", os.getcwd())  # the folder dbt was started in
        os.chdir(Path(target).parent)
    from dbt.cli.main import cli

    from core.process_exit import exit_now

    log_file_level()
    sys.argv = keep_manifest_unwritten(sys.argv, Path(target) if target else None)

    sys.argv[0] = "dbt"
    try:
        code = cli()
    except SystemExit as stop:  # dbt's command line ends with sys.exit, as click does
        code = stop.code
    exit_now(code)


if __name__ == "__main__":
    main()
