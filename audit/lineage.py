"""``audit.lineage``: one row per asset partition materialised by a run, with what it read.

Every run appends (history is kept: an auditor can see what an older run used). A row names the
input files (path, size, sha256, rows, the run that loaded them), the upstream assets and the
run that last built each, the parameters version, the code version (git commit), and for a dbt
model its SQL file and that file's sha256. The same facts go into the Dagster asset metadata.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb

from core import settings
from core.connection import comment_on
from core.files import file_sha256  # noqa: F401 - audit's callers use it from here

SCHEMA = "audit"
TABLE = f"{SCHEMA}.lineage"
# The sources whose files are the parameters of the rules (their joint hash is the version).
PARAMETER_SOURCES = ("acd_parameters", "acd_q1_thresholds", "cia_policies")

DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {TABLE} (
    run_id VARCHAR NOT NULL,
    asset_key VARCHAR NOT NULL,
    "partition" VARCHAR,
    kind VARCHAR NOT NULL,
    started_at TIMESTAMP,
    materialized_at TIMESTAMP NOT NULL,
    input_files STRUCT(
        source VARCHAR, "partition" VARCHAR, path VARCHAR, bytes BIGINT, sha256 VARCHAR,
        rows_read BIGINT, loaded_by_run VARCHAR)[],
    upstream_assets STRUCT(asset_key VARCHAR, run_id VARCHAR)[],
    parameters_version VARCHAR,
    code_version VARCHAR,
    dbt_model VARCHAR,
    model_sql_path VARCHAR,
    model_sql_sha256 VARCHAR,
    rows_out BIGINT
)"""


LINEAGE_DOC = (
    "One row per asset partition materialised by a run, with what it read: input files, "
    "upstream assets and their runs, parameters and code versions (docs/audit.md)."
)
LINEAGE_COLUMNS = {
    "run_id": "Dagster run that materialised the asset partition.",
    "asset_key": "The asset: raw_validated/rpls, marts/quota_attainment, "
    "publication/parquet_exports...",
    "partition": "Partition key of a raw load (2025, 2026T2); null for a reference table and "
    "a dbt model.",
    "kind": "raw load, dbt model, dbt seed or publication.",
    "started_at": "When the step started.",
    "materialized_at": "When this row was recorded.",
    "input_files": "The raw files read (for a model: every raw file it reads through the dbt "
    "graph, and the seeds): source, partition, path relative to raw/, bytes, sha256, rows "
    "read, run that loaded it.",
    "upstream_assets": "The direct upstream assets and the run that last built each.",
    "parameters_version": "sha256 over the parameter files loaded (acd/parameters.csv, "
    "acd/q1_thresholds.csv, cia/*.csv): any edit of a rate, threshold or policy changes it.",
    "code_version": "Git commit of the project, +modified when tracked files differed.",
    "dbt_model": "The dbt node (a model or a seed).",
    "model_sql_path": "Its SQL file, relative to the dbt project.",
    "model_sql_sha256": "sha256 of that file.",
    "rows_out": "Rows in the table after the step (null for a view).",
}
BUILDS_DOC = (
    "One row per run whose dbt build succeeded: the sha256 of the dbt project (models, "
    "macros, YAML, seeds) that built the models, and the scope of the build ({} for a whole "
    "build, else the years or SNE periods it computed)."
)
BUILDS_COLUMNS = {
    "run_id": "The run whose dbt build this is.",
    "built_at": "When the build ended.",
    "project_digest": "sha256 over the dbt project's models, macros, YAML and seeds.",
    "scope": 'What the build computed: {} for a whole build, else {"years": [...]} (a '
    'backfill) or {"period_keys": [...]} (a quarterly run); the rows of other years were '
    "left as they were. Null for builds recorded before the scope was.",
    "unit_tests_digest": "When the build ran every dbt unit test (a build of every model: a "
    "whole run, a backfill), the sha256 over what decides their outcome: the dbt project, the "
    "raw layer's schemas and loader (the column types the tests read) and the versions of "
    "dbt-core, dbt-duckdb and DuckDB; null when it ran some or none. A restricted build leaves "
    "them out when a build recorded the digest it would run them under.",
}


@functools.cache
def code_version() -> str:
    """The git commit of the project, '+modified' when tracked files differ from it."""
    root = settings.PROJECT_ROOT

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)

    head = git("rev-parse", "HEAD")
    if head.returncode != 0:
        return "unknown (not a git checkout)"
    dirty = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
    return head.stdout.strip() + ("+modified" if dirty else "")


@dataclass
class LineageRow:
    run_id: str
    asset_key: str
    partition: str | None
    kind: str
    started_at: dt.datetime | None
    input_files: list[dict] = field(default_factory=list)
    upstream_assets: list[dict] = field(default_factory=list)
    parameters_version: str | None = None
    dbt_model: str | None = None
    model_sql_path: str | None = None
    model_sql_sha256: str | None = None
    rows_out: int | None = None
    materialized_at: dt.datetime = field(default_factory=lambda: dt.datetime.now())
    code_version: str = field(default_factory=code_version)

    def metadata(self) -> dict:
        """The same facts as Dagster asset metadata (JSON-serialisable values)."""
        values = {
            "lineage/input_files": self.input_files,
            "lineage/upstream_assets": self.upstream_assets,
            "lineage/parameters_version": self.parameters_version,
            "lineage/code_version": self.code_version,
            "lineage/dbt_model": self.dbt_model,
            "lineage/model_sql_path": self.model_sql_path,
            "lineage/model_sql_sha256": self.model_sql_sha256,
        }
        return {k: v for k, v in values.items() if v not in (None, [])}


def current_files(
    con: duckdb.DuckDBPyConnection, sources: Iterable[str], partition: str | None = None
) -> list[dict]:
    """The files of the load log now in the warehouse for these sources (a partition reload
    replaces its log lines, so the log holds exactly the files behind the current rows)."""
    names = sorted(set(sources))
    if not names:
        return []
    rows = con.execute(
        """
        SELECT source, "partition", source_file, file_size, file_sha256, rows_read, run_id
        FROM raw_validated.load_log
        WHERE list_contains($1, source) AND ($2 IS NULL OR "partition" = $2)
        ORDER BY source, "partition", source_file""",
        [names, partition],
    ).fetchall()
    keys = ("source", "partition", "path", "bytes", "sha256", "rows_read", "loaded_by_run")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def upstream_runs(instance, keys, this_run: str, built_now=(), latest=None) -> list[dict]:
    """``{asset_key, run_id}`` per upstream asset: this run for what it built itself, else the
    run of the asset's latest materialisation in the Dagster instance (None if never), read in
    one query (``latest``: those already read, by ``latest_runs``)."""
    keys = sorted(keys, key=lambda k: k.to_user_string())
    if latest is None:
        latest = latest_runs(instance, [k for k in keys if k not in built_now])
    return [
        {
            "asset_key": key.to_user_string(),
            "run_id": this_run if key in built_now else latest.get(key),
        }
        for key in keys
    ]


def latest_runs(instance, keys) -> dict:
    """The run of each asset's latest materialisation, in one query of the event log (one per
    asset took a second for the thirty models of a quarterly run)."""
    events = instance.get_latest_materialization_events(list(keys)) if keys else {}
    return {key: event.run_id for key, event in events.items() if event is not None}


def parameters_version(con: duckdb.DuckDBPyConnection) -> str:
    """'sha256:<64 hex>' over the parameter files now loaded (one line ``path:sha256\n`` per
    file, by source, partition and path): any edit changes it; an auditor can recompute it."""
    digest = hashlib.sha256()
    for entry in current_files(con, PARAMETER_SOURCES):
        digest.update(f"{entry['path']}:{entry['sha256']}\n".encode())
    return "sha256:" + digest.hexdigest()


BUILDS = f"{SCHEMA}.dbt_builds"


def record_build(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    project_digest: str,
    scope: dict | None = None,
    unit_tests_digest: str | None = None,
) -> None:
    """Note which dbt project (sha256 over its models, macros, YAML and seeds) built the
    warehouse's models in run ``run_id``, what the build computed (``scope``: empty for a
    whole build, else its years or periods) and whether it ran every unit test: a what-if
    scenario compares like with like only on a baseline built by the project it runs, the
    exports keep the published rows of the years a restricted build left as they were, and a
    restricted build skips the unit tests a build passed under the same ``unit_tests_digest``
    (core/dbt_project.py, unit_test_digest)."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {BUILDS} (run_id VARCHAR NOT NULL,
            built_at TIMESTAMP NOT NULL, project_digest VARCHAR NOT NULL)"""
    )
    con.execute(f"ALTER TABLE {BUILDS} ADD COLUMN IF NOT EXISTS scope JSON")
    con.execute(f"ALTER TABLE {BUILDS} ADD COLUMN IF NOT EXISTS unit_tests_digest VARCHAR")
    comment_on(con, BUILDS, BUILDS_DOC, BUILDS_COLUMNS)
    con.execute(
        f"INSERT INTO {BUILDS} (run_id, built_at, project_digest, scope, unit_tests_digest) "
        "VALUES (?, now(), ?, ?, ?)",
        [run_id, project_digest, json.dumps(scope or {}, sort_keys=True), unit_tests_digest],
    )


def _builds_record(con: duckdb.DuckDBPyConnection, column: str) -> bool:
    """Whether audit.dbt_builds has ``column`` (none before the first build; builds recorded
    by an older version lack the later columns)."""
    ((exists,),) = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE schema_name = ? AND table_name = "
        "'dbt_builds' AND column_name = ?",
        [SCHEMA, column],
    ).fetchall()
    return bool(exists)


def build_scope(con: duckdb.DuckDBPyConnection, run_id: str) -> dict | None:
    """What run ``run_id``'s dbt build computed ({} for a whole build); None when that run
    built nothing, or before builds recorded their scope."""
    if not _builds_record(con, "scope"):
        return None
    found = con.execute(
        f"SELECT scope FROM {BUILDS} WHERE run_id = ? ORDER BY built_at DESC LIMIT 1", [run_id]
    ).fetchall()
    return json.loads(found[0][0]) if found and found[0][0] is not None else None


def unit_tests_passed(con: duckdb.DuckDBPyConnection, unit_tests_digest: str) -> str | None:
    """The run whose build of this warehouse ran every dbt unit test under ``unit_tests_digest``
    (a recorded build succeeded: its unit tests passed); None when none did. A unit test runs
    a model's SQL on the rows it gives, cast to the columns of the relations it reads: the same
    project, raw schemas and engines pass it again, whatever rows the warehouse holds."""
    if not _builds_record(con, "unit_tests_digest"):
        return None
    found = con.execute(
        f"SELECT run_id FROM {BUILDS} WHERE unit_tests_digest = ? ORDER BY built_at DESC LIMIT 1",
        [unit_tests_digest],
    ).fetchall()
    return found[0][0] if found else None


def last_build(con: duckdb.DuckDBPyConnection) -> str | None:
    """The dbt project digest of the warehouse's last dbt build (None before any)."""
    if not _builds_record(con, "project_digest"):
        return None
    row = con.execute(f"SELECT project_digest FROM {BUILDS} ORDER BY built_at DESC LIMIT 1")
    found = row.fetchone()
    return found[0] if found else None


def record(con: duckdb.DuckDBPyConnection, rows: Iterable[LineageRow]) -> int:
    """Append the rows (in the caller's transaction if it has one)."""
    for statement in DDL.split(";"):
        con.execute(statement)
    comment_on(con, TABLE, LINEAGE_DOC, LINEAGE_COLUMNS)
    count = 0
    for row in rows:
        con.execute(
            f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?, ?, ?, ?::JSON, ?::JSON, ?, ?, ?, ?, ?, ?)",
            [
                row.run_id,
                row.asset_key,
                row.partition,
                row.kind,
                row.started_at,
                row.materialized_at,
                json.dumps(row.input_files, default=str),
                json.dumps(row.upstream_assets, default=str),
                row.parameters_version,
                row.code_version,
                row.dbt_model,
                row.model_sql_path,
                row.model_sql_sha256,
                row.rows_out,
            ],
        )
        count += 1
    return count
