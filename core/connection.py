"""Every DuckDB connection of a run: bounded memory and threads, a spill folder, so a national
register spills to disk instead of growing past the budget (DuckDB's default is 80 % of RAM)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from core.settings import DuckDBLimits

# The storage format of every warehouse file: what the DuckDB shell of the registry (duckdb-cli
# 1.5.x) and BI drivers of that age read. DuckDB 2.0's own format (version 69) is refused by
# them. It is fixed when a file is created; older files are converted when published.
STORAGE_VERSION = "v1.5.0"

# A checkpoint that follows deletes compacts the row groups they left (DuckDB's vacuum): a
# quarterly run's build deletes the rows of its periods from each SNE fact and inserts them
# again, and the checkpoint at dbt's close then took 0.7 s of the run to compact them (0.02 s
# without); left to the publication, compacting a France annual build took 1.1-1.4 s, to merge
# the small appends of the bookkeeping tables. A run's connections never compact: row groups
# wholly deleted are freed all the same, and a whole build writes the tables it replaces anew.
NO_VACUUM = 0


def sql_string(value: str) -> str:
    """A SQL string literal: SET statements take no parameters, and paths hold apostrophes
    (Côte-d'Or)."""
    return "'" + value.replace("'", "''") + "'"


def comment_on(
    con: duckdb.DuckDBPyConnection, table: str, text: str, columns: dict[str, str]
) -> None:
    """The table's and its columns' descriptions as DuckDB comments (DESCRIBE, DBeaver and the
    DuckDB UI show them), written only when one is missing: the tables of the platform's own
    bookkeeping (audit, load state) get them once, not at every row they take."""
    schema, name = table.split(".")
    ((missing,),) = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
        "AND comment IS NULL",
        [schema, name],
    ).fetchall()
    if not missing:
        return
    con.execute(f"COMMENT ON TABLE {table} IS {sql_string(text)}")
    for column, doc in columns.items():
        con.execute(f'COMMENT ON COLUMN {table}."{column}" IS {sql_string(doc)}')


def bound(
    con: duckdb.DuckDBPyConnection, limits: DuckDBLimits | None, spill: Path | None
) -> duckdb.DuckDBPyConnection:
    """The run's memory limit and threads on ``con``, and its spill folder: the one set
    (``ATTRIB_DUCKDB_TEMP_DIRECTORY``), else ``spill`` when given (a reader, given none, spills
    beside the file it reads, DuckDB's default)."""
    limits = limits or DuckDBLimits.from_environment()
    con.execute(f"SET memory_limit = {sql_string(limits.memory_limit)}")
    con.execute(f"SET threads = {int(limits.threads)}")
    spill = limits.spill(spill)
    if spill is not None:
        spill.mkdir(parents=True, exist_ok=True)
        con.execute(f"SET temp_directory = {sql_string(spill.as_posix())}")
    return con


def in_memory(spill: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A connection to no file (files are ATTACHed to it: a comparison of two warehouses, a
    what-if's copies of raw tables, a format conversion) under the same limits as the run's,
    spilling to ``spill`` (a warehouse's ``private/duckdb_tmp``) when given."""
    return bound(duckdb.connect(), None, spill)


def connect(
    path: Path,
    *,
    read_only: bool = False,
    limits: DuckDBLimits | None = None,
    spill: Path | None = None,
    durable: bool = True,
) -> duckdb.DuckDBPyConnection:
    """Open a warehouse file. Writers run one at a time (DuckDB allows one writer per file).

    ``durable=False`` for a run's building copy: its commits and checkpoints are not forced to
    disk one by one (``fsync_mode``), since the copy is published only after ``publish`` has
    written it to disk whole, and a copy cut short by a crash is never published. Nor do its
    checkpoints compact the row groups that deletes left (``max_vacuum_tasks``, above)."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    if read_only:
        con = duckdb.connect(str(path), read_only=True)
    else:
        con = duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_VERSION})
    bound(con, limits, None if read_only else spill)
    con.execute("SET preserve_insertion_order = true")
    if not durable and not read_only:
        con.execute("SET fsync_mode = 'none'")
        con.execute(f"SET max_vacuum_tasks = {NO_VACUUM}")
    return con


# pandas' nullable types for the DuckDB types whose nulls numpy cannot hold
_NULLABLE = {
    pa.int8(): pd.Int8Dtype(),
    pa.int16(): pd.Int16Dtype(),
    pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.UInt8Dtype(),
    pa.uint16(): pd.UInt16Dtype(),
    pa.uint32(): pd.UInt32Dtype(),
    pa.uint64(): pd.UInt64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}


def read_frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """A query's rows as pandas, through Arrow: four to seven times faster than ``.df()`` on
    the marts of a national run (400,000 rows of quotas, 3 million demands), with the types
    ``.df()`` gives: integers and booleans with nulls as pandas' nullable types (not floats
    and objects), dates as datetime64, decimals as floats."""
    cursor = con.cursor()  # its own result: the caller's may still have rows to fetch
    try:
        table = cursor.sql(sql).to_arrow_table()
    finally:
        cursor.close()
    for i, field in enumerate(table.schema):
        if pa.types.is_date(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.timestamp("us")))
        elif pa.types.is_decimal(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.float64()))
    out = table.to_pandas()
    for field, column in zip(table.schema, table.columns, strict=True):
        if column.null_count and field.type in _NULLABLE:
            out[field.name] = pa.table({field.name: column}).to_pandas(types_mapper=_NULLABLE.get)[
                field.name
            ]
    return out
