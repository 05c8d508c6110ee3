"""Load one partition of a raw source: valid rows to ``raw_validated.<source>``, failing rows to
``raw_validated.rejects``, one line per file to ``raw_validated.load_log``.

Re-running a partition replaces its rows in all three tables inside one transaction, so a re-run
never duplicates and a file that cannot be read leaves the warehouse as it was.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingestion.raw_files import (
    RawFile,
    RawFileError,
    check_columns,
    discover,
    hash_file,
    inspect_csv,
)
from ingestion.sql_validation import (
    failing_rows_sql,
    failures_sql,
    flagged_select,
    quote,
    sql_literal,
    typed_expression,
)
from ingestion.warehouse import ensure_tables
from schemas.source import RawSource

UNPARTITIONED = "all"


@dataclass
class FileReport:
    relative: str
    size: int
    sha256: str
    rows_read: int
    rows_valid: int = 0
    rows_rejected: int = 0
    extra_columns: list[str] = field(default_factory=list)


@dataclass
class LoadReport:
    source: str
    partition: str
    load_id: str
    files: list[FileReport]
    failures: int
    reject_sample: list[dict]

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def rows_valid(self) -> int:
        return sum(f.rows_valid for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files)


def _land_file(
    con: duckdb.DuckDBPyConnection, raw: RawFile, source: RawSource, file_index: int, first: bool
) -> FileReport:
    """Append the raw text of one file to the ``landing`` temp table."""
    path = sql_literal(raw.path.as_posix())
    if raw.is_parquet:
        size, sha = hash_file(raw.path)
        try:
            header = [
                r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({path})").fetchall()
            ]
        except duckdb.Error as exc:
            raise RawFileError(raw.relative, f"not a readable Parquet file ({exc})") from exc
        extra = check_columns(raw, source, header)
        reader, line_offset = f"read_parquet({path})", 1
        cols = ", ".join(f"CAST({quote(c)} AS VARCHAR) AS {quote(c)}" for c in source.columns)
    else:
        facts = inspect_csv(raw, source)
        size, sha = facts.size, facts.sha256
        extra = check_columns(raw, source, facts.header)
        columns = ", ".join(f"{sql_literal(h)}: 'VARCHAR'" for h in facts.header)
        reader = (
            f"read_csv({path}, delim={sql_literal(source.delimiter)}, header=true, "
            f"all_varchar=true, encoding={sql_literal(source.encoding)}, quote='\"', "
            f"strict_mode=true, null_padding=false, auto_detect=false, "
            f"columns={{{columns}}})"
        )
        line_offset = 2
        cols = ", ".join(quote(c) for c in source.columns)
    start = con.execute("SELECT count(*) FROM landing").fetchone()[0] if not first else 0
    select = flagged_select(source, f"{file_index} AS _file, {cols}", reader)
    try:
        if first:
            con.execute(f"CREATE OR REPLACE TEMP TABLE landing AS {select}")
        else:
            con.execute(f"INSERT INTO landing {select}")
    except duckdb.Error as exc:
        detail = str(exc).split("Possible fixes")[0].strip().replace("\n", " | ")
        raise RawFileError(raw.relative, f"cannot be parsed as {source.title}: {detail}") from exc
    rows = con.execute("SELECT count(*) FROM landing").fetchone()[0] - start
    if rows == 0:
        raise RawFileError(raw.relative, "the file has no data rows")
    lineage = [raw.groups.get(g) for g in source.file_columns]
    con.execute(
        f"INSERT INTO landing_files VALUES ({', '.join('?' * (3 + len(lineage)))})",
        [file_index, line_offset - start, raw.relative, *lineage],
    )
    return FileReport(raw.relative, size, sha, rows, extra_columns=extra)


def load_partition(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    source: RawSource,
    partition: str | None,
    run_id: str = "",
) -> LoadReport:
    """Validate and load every file of one partition (all files if unpartitioned)."""
    files = discover(raw_dir, source).get(partition, [])
    where = f"{source.folder}/"
    if not files:
        expected = source.pattern.replace("(?P<partition>", "(")
        raise RawFileError(
            raw_dir / source.folder,
            f"no {source.title} file for partition {partition} in {where} "
            f"(expected names matching {expected}.csv or .parquet)",
        )
    key = partition if partition is not None else UNPARTITIONED
    table = ensure_tables(con, source)
    file_cols = "".join(f", {quote(c)} VARCHAR" for c in source.file_columns.values())
    con.execute(
        "CREATE OR REPLACE TEMP TABLE landing_files "
        f"(_file INTEGER, line_shift BIGINT, relative VARCHAR{file_cols})"
    )
    reports = [_land_file(con, raw, source, i, i == 0) for i, raw in enumerate(files)]
    con.execute(f"CREATE OR REPLACE TEMP TABLE failing AS {failing_rows_sql(source, 'landing')}")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE failures AS {failures_sql(source, 'landing', 'failing')}"
    )
    load_id = uuid.uuid4().hex
    line = "l._row + lf.line_shift"
    typed = ", ".join(
        f"{typed_expression(n, c)} AS {quote(n)}" for n, c in source.schema.columns.items()
    )
    lineage_files = "".join(f"lf.{quote(c)}, " for c in source.file_columns.values())
    rows = "(SELECT rowid AS _row, * FROM landing) l JOIN landing_files lf USING (_file)"
    con.execute("BEGIN TRANSACTION")
    try:
        for name in (table, "raw_validated.rejects", "raw_validated.load_log"):
            col = "_partition" if name == table else '"partition"'
            extra = "" if name == table else f" AND source = {sql_literal(source.name)}"
            con.execute(f"DELETE FROM {name} WHERE {col} = {sql_literal(key)}{extra}")
        inserted = con.execute(f"""
            INSERT INTO {table}
            SELECT {sql_literal(load_id)}, {sql_literal(key)}, lf.relative, {line},
                   {lineage_files}{typed}
            FROM {rows}
            WHERE l._row NOT IN (SELECT _row FROM failing)
        """).fetchone()[0]
        con.execute(f"""
            INSERT INTO raw_validated.rejects
            SELECT {sql_literal(load_id)}, {sql_literal(source.name)}, {sql_literal(key)},
                   lf.relative, {line}, f."column", f."check", f."value", f.reason
            FROM failures f JOIN {rows} USING (_row)
            ORDER BY f._row, f."column"
        """)
        rejected = dict(
            con.execute("""
            SELECT l._file, count(DISTINCT f._row) FROM failures f
            JOIN (SELECT rowid AS _row, _file FROM landing) l USING (_row)
            GROUP BY l._file""").fetchall()
        )
        for i, report in enumerate(reports):
            report.rows_rejected = rejected.get(i, 0)
            report.rows_valid = report.rows_read - report.rows_rejected
            con.execute(
                "INSERT INTO raw_validated.load_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "now())",
                [
                    load_id,
                    source.name,
                    key,
                    report.relative,
                    report.size,
                    report.sha256,
                    report.rows_read,
                    report.rows_valid,
                    report.rows_rejected,
                    ",".join(report.extra_columns),
                    run_id,
                ],
            )
        valid = sum(r.rows_valid for r in reports)
        if inserted != valid:
            raise RuntimeError(
                f"{source.name} [{key}]: inserted {inserted} rows but {valid} were valid"
            )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    failures = con.execute("SELECT count(*) FROM failures").fetchone()[0]
    sample = (
        con.execute(f"""
        SELECT lf.relative AS file, {line} AS line, f."column", f."check", f."value", f.reason
        FROM failures f JOIN {rows} USING (_row)
        ORDER BY f._row LIMIT 20""")
        .fetchdf()
        .to_dict("records")
    )
    for temp in ("landing", "failing", "failures", "landing_files"):
        con.execute(f"DROP TABLE IF EXISTS {temp}")
    return LoadReport(source.name, key, load_id, reports, failures, sample)
