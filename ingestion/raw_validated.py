"""The ``raw_validated`` schema of the warehouse: validated tables, rejects and the load log."""

from __future__ import annotations

import duckdb

from ingestion.sql_validation import duckdb_type, quote
from schemas.source import RawSource

LINEAGE_COLUMNS = {
    "_load_id": "VARCHAR",
    "_partition": "VARCHAR",
    "_source_file": "VARCHAR",
    "_source_line": "BIGINT",
}

REJECTS_DDL = """
CREATE TABLE IF NOT EXISTS raw_validated.rejects (
    load_id VARCHAR, source VARCHAR, "partition" VARCHAR, source_file VARCHAR,
    line BIGINT, "column" VARCHAR, "check" VARCHAR, "value" VARCHAR, reason VARCHAR
)"""

LOAD_LOG_DDL = """
CREATE TABLE IF NOT EXISTS raw_validated.load_log (
    load_id VARCHAR, source VARCHAR, "partition" VARCHAR, source_file VARCHAR,
    file_size BIGINT, file_sha256 VARCHAR, rows_read BIGINT, rows_valid BIGINT,
    rows_rejected BIGINT, extra_columns VARCHAR, run_id VARCHAR, loaded_at TIMESTAMP
)"""


def ensure_tables(con: duckdb.DuckDBPyConnection, source: RawSource) -> str:
    """Create the source's validated table (and the shared ones) if needed; return its name."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw_validated")
    con.execute(REJECTS_DDL)
    con.execute(LOAD_LOG_DDL)
    table = f"raw_validated.{source.name}"
    columns = {**LINEAGE_COLUMNS, **{c: "VARCHAR" for c in source.file_columns.values()}}
    columns.update({n: duckdb_type(c) for n, c in source.schema.columns.items()})
    ddl = ", ".join(f"{quote(n)} {t}" for n, t in columns.items())
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({ddl})")
    existing = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    if existing != list(columns):
        raise RuntimeError(
            f"{table} has columns {existing} but schemas/ now declares {list(columns)}: "
            f"drop the table (DROP TABLE {table}) and re-run its partitions"
        )
    return table


def ensure_all_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create every validated table, empty if its source has no file yet, so the dbt models
    build (with no rows) before the first extract of a source arrives."""
    from schemas import SOURCES

    for source in SOURCES.values():
        ensure_tables(con, source)
