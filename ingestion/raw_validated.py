"""The ``raw_validated`` schema of the warehouse: validated tables, rejects and the load log."""

from __future__ import annotations

import duckdb

from ingestion.sql_validation import duckdb_type, quote, sql_literal
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


# what analysts read in the two shared tables (README's first queries), as column comments
SHARED_COLUMNS = {
    "rejects": {
        "load_id": "Load that read the row (joins load_log.load_id).",
        "source": "Raw source (schemas/): rpls, ops, sne_demandes...",
        "partition": "Extract period or vintage of the file ('all' if unpartitioned).",
        "source_file": "File of the landing zone, relative to raw/.",
        "line": "Line of the file (the header is line 1; row number in a Parquet file).",
        "column": "Column that failed the check (null for a whole-row problem).",
        "check": "The pandera check that failed.",
        "value": "The value found (an identifier is shown as its keyed hash).",
        "reason": "Why the row was rejected, in words.",
    },
    "load_log": {
        "load_id": "One load of one partition of one source.",
        "source": "Raw source (schemas/).",
        "partition": "Extract period or vintage ('all' if unpartitioned).",
        "source_file": "File of the landing zone, relative to raw/ (null: no file, a removal).",
        "file_size": "Bytes of the file.",
        "file_sha256": "sha256 of the file as read (what sha256sum prints).",
        "rows_read": "Data rows read from the file (rows_valid + rows_rejected).",
        "rows_valid": "Rows loaded into the source's validated table.",
        "rows_rejected": "Rows written to raw_validated.rejects.",
        "extra_columns": "Columns of the file the schema does not know, ignored.",
        "run_id": "Dagster run that loaded the file.",
        "loaded_at": "When the load was recorded.",
    },
}


# the two shared tables' own comments
SHARED_TABLES = {
    "rejects": "Every rejected row: file, line, column, check, value and reason (identifiers "
    "shown as their keyed hash).",
    "load_log": "One line per file loaded: size, sha256, rows read, valid and rejected, run.",
}


Catalog = tuple[dict[str, str | None], dict[str, dict[str, str | None]]]


def _declared_columns(source: RawSource) -> dict[str, str]:
    """The validated table's columns and their DuckDB types: lineage, file name, schema."""
    columns = {**LINEAGE_COLUMNS, **{c: "VARCHAR" for c in source.file_columns.values()}}
    columns.update({n: duckdb_type(c) for n, c in source.schema.columns.items()})
    return columns


def ensure_tables(con: duckdb.DuckDBPyConnection, source: RawSource) -> str:
    """Create the source's validated table (and the shared ones) if needed, with their
    comments; return its name."""
    table = f"raw_validated.{source.name}"
    columns = _declared_columns(source)
    if _in_place(_catalog(con, [source.name]), source):
        return table
    con.execute("CREATE SCHEMA IF NOT EXISTS raw_validated")
    con.execute(REJECTS_DDL)
    con.execute(LOAD_LOG_DDL)
    for shared, text in SHARED_TABLES.items():
        con.execute(f"COMMENT ON TABLE raw_validated.{shared} IS {sql_literal(text)}")
    for shared, described in SHARED_COLUMNS.items():
        for column, text in described.items():
            con.execute(
                f"COMMENT ON COLUMN raw_validated.{shared}.{quote(column)} IS {sql_literal(text)}"
            )
    ddl = ", ".join(f"{quote(n)} {t}" for n, t in columns.items())
    con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({ddl})")
    existing = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    if existing != list(columns):
        raise RuntimeError(
            f"{table} has columns {existing} but schemas/ now declares {list(columns)}: "
            f"drop the table (DROP TABLE {table}) and re-run its partitions"
        )
    comment(con, table, source)
    return table


def _catalog(con: duckdb.DuckDBPyConnection, names: list[str]) -> Catalog:
    """The comments of the tables ``names`` of ``raw_validated`` and of the shared ones, and
    those of their columns in column order, read in two statements whatever the number of
    tables (a run's dbt step checks all 16 sources: 0.2 s one by one)."""
    names = [*names, *SHARED_TABLES]
    tables = dict(
        con.execute(
            "SELECT table_name, comment FROM duckdb_tables() "
            "WHERE schema_name = 'raw_validated' AND list_contains(?, table_name)",
            [names],
        ).fetchall()
    )
    columns: dict[str, dict[str, str | None]] = {}
    for table, column, text in con.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() "
        "WHERE schema_name = 'raw_validated' AND list_contains(?, table_name) "
        "ORDER BY table_name, column_index",
        [names],
    ).fetchall():
        columns.setdefault(table, {})[column] = text
    return tables, columns


def _in_place(catalog: Catalog, source: RawSource) -> bool:
    """Whether the source's table and the shared ones exist as declared, every comment
    included: then there is nothing to create or describe. A run asks about 120 times, and
    the statements it would run (about 45 each) took 3.6 s of a sample run."""
    tables, found = catalog
    expected = {source.name: table_comment(source), **SHARED_TABLES}
    if any(name not in tables or tables[name] != text for name, text in expected.items()):
        return False
    described = {source.name: column_comments(source), **SHARED_COLUMNS}
    return list(found.get(source.name, {})) == list(_declared_columns(source)) and all(
        found.get(table, {}).get(column) == text
        for table, texts in described.items()
        for column, text in texts.items()
    )


def table_comment(source: RawSource) -> str:
    return f"{source.title}: the valid rows of raw/{source.folder}/ (schemas/)."


def column_comments(source: RawSource) -> dict[str, str]:
    """The schema's column descriptions, and those of the lineage and file-name columns."""
    described = {
        "_load_id": "Load that brought the row (joins load_log.load_id).",
        "_partition": "Extract period or vintage of the row's file ('all' if unpartitioned).",
        "_source_file": "File of the landing zone the row was read from.",
        "_source_line": "Line of that file (the header is line 1).",
        **{c: f"From the file name ({c})." for c in source.file_columns.values()},
        **{n: c.description or "" for n, c in source.schema.columns.items()},
    }
    return {column: text for column, text in described.items() if text}


def comment(con: duckdb.DuckDBPyConnection, table: str, source: RawSource) -> None:
    """The schema's descriptions as table and column comments, for analysts' tools."""
    con.execute(f"COMMENT ON TABLE {table} IS {sql_literal(table_comment(source))}")
    for column, text in column_comments(source).items():
        con.execute(f"COMMENT ON COLUMN {table}.{quote(column)} IS {sql_literal(text)}")


def ensure_all_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create every validated table, empty if its source has no file yet, so the dbt models
    build (with no rows) before the first extract of a source arrives."""
    from schemas import SOURCES

    # read once for all; a source not in place reads it again as it creates its table (an
    # earlier one may have created the shared tables meanwhile)
    catalog = _catalog(con, list(SOURCES))
    for source in SOURCES.values():
        if not _in_place(catalog, source):
            ensure_tables(con, source)
