"""A scenario's warehouse, before its job runs: a copy of the baseline's published file with the
changes applied to ``raw_validated`` and the baseline's marts kept in schema ``baseline``.

It lives beside the baseline (``<baseline home>/scenarios/<name>.duckdb``, with its own
folder), so the baseline is only ever read. The changes are first tried on an in-memory copy of
the tables they touch: a refused change writes nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from audit import lineage
from core.connection import connect, in_memory, sql_string
from core.dbt_project import project_digest
from core.layout import Layout
from whatif import changes
from whatif.diff import BASELINE_MARTS


def _raw_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? "
            "AND schema_name = 'raw_validated'",
            [catalog],
        ).fetchall()
    ]


def dry_run(base: Path, scenario: changes.Scenario) -> None:
    """Apply the changes to in-memory copies of the raw tables (raises ChangeError)."""
    con = in_memory(Layout(base).spill)  # France's RPLS copied here when a change touches it
    try:
        con.execute(f"ATTACH {sql_string(str(base))} AS base (READ_ONLY)")
        con.execute("CREATE SCHEMA raw_validated")
        touched = {c.source for c in scenario.changes}
        for table in _raw_tables(con, "base"):
            kind = "TABLE" if table in touched else "VIEW"  # the others are only read
            con.execute(f"CREATE {kind} raw_validated.{table} AS FROM base.raw_validated.{table}")
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE VIEW marts.dim_commune AS FROM base.marts.dim_commune")
        # the staging view that says which plan rows are in force, over the copies above
        con.execute("CREATE SCHEMA staging")
        (view,) = con.execute(
            "SELECT sql FROM duckdb_views() WHERE database_name = 'base' "
            "AND schema_name = 'staging' AND view_name = 'stg_acd__plans'"
        ).fetchone()
        con.execute(view)
        changes.apply(con, scenario)
    finally:
        con.close()


def check_same_project(base: Path) -> None:
    """A scenario rebuilds only what its changes reach and reads the rest from the baseline,
    so both must come from the same dbt project: else the diff would mix the effect of the
    changes with that of a code change."""
    con = connect(base, read_only=True)
    try:
        built_by = lineage.last_build(con)
    finally:
        con.close()
    if built_by != project_digest():
        raise changes.ChangeError(
            f"the baseline {base} was built by another version of the dbt project (its models, "
            "macros, YAML or seeds changed since): run `attrib run` on it first, so that "
            "the scenario differs from it by its changes only"
        )


def _clear(layout: Layout) -> None:
    """Remove an earlier scenario of that name, except dbt's target folder: its parse of the
    project is valid for the same warehouse path, so a re-run skips dbt's parse (2-3 s)."""
    if not layout.home.is_dir():
        return
    for path in [*layout.home.iterdir(), *(layout.private.glob("*"))]:
        if path in (layout.private, layout.dbt_dir) or not path.exists():
            continue
        shutil.rmtree(path) if path.is_dir() else path.unlink()


def prepare(base: Path, scenario: changes.Scenario) -> Path:
    """Write the scenario's warehouse (replacing an earlier one of that name); return it."""
    if not base.is_file():
        raise changes.ChangeError(f"no baseline warehouse at {base}: run `attrib run` first")
    check_same_project(base)
    dry_run(base, scenario)
    target = Layout(base).scenario(scenario.name)
    _clear(Layout(target))
    target.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(base, target)
    con = connect(target)
    try:
        con.execute("BEGIN")
        con.execute("CREATE SCHEMA IF NOT EXISTS baseline")
        for mart in BASELINE_MARTS:
            con.execute(f"CREATE OR REPLACE TABLE baseline.{mart} AS FROM marts.{mart}")
        changes.apply(con, scenario)
        changes.record(con, scenario, base)
        con.execute("COMMIT")
    finally:
        con.close()
    return target
