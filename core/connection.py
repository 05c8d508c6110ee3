"""Every DuckDB connection of a run: bounded memory and threads, a spill folder, so a national
register spills to disk instead of growing past the budget (DuckDB's default is 80 % of RAM)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from core.settings import DuckDBLimits

# The storage format of every warehouse file: what the DuckDB shell of the registry (duckdb-cli
# 1.5.x) and BI drivers of that age read. DuckDB 2.0's own format (version 69) is refused by
# them. It is fixed when a file is created; older files are converted when published.
STORAGE_VERSION = "v1.5.0"


def sql_string(value: str) -> str:
    """A SQL string literal: SET statements take no parameters, and paths hold apostrophes
    (Côte-d'Or)."""
    return "'" + value.replace("'", "''") + "'"


def connect(
    path: Path,
    *,
    read_only: bool = False,
    limits: DuckDBLimits | None = None,
    spill: Path | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open a warehouse file. Writers run one at a time (DuckDB allows one writer per file)."""
    limits = limits or DuckDBLimits.from_environment()
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    if read_only:
        con = duckdb.connect(str(path), read_only=True)
    else:
        con = duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_VERSION})
    con.execute(f"SET memory_limit = {sql_string(limits.memory_limit)}")
    con.execute(f"SET threads = {int(limits.threads)}")
    if spill is not None and not read_only:
        spill.mkdir(parents=True, exist_ok=True)
        con.execute(f"SET temp_directory = {sql_string(spill.as_posix())}")
    con.execute("SET preserve_insertion_order = true")
    return con
