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

from core.pseudonym import hmac_parameters, hmac_sql
from ingestion import load_state
from ingestion.raw_files import (
    RawFile,
    RawFileError,
    check_columns,
    discover,
    hash_file,
    inspect_csv,
)
from ingestion.raw_validated import ensure_tables
from ingestion.sql_validation import (
    checked_select,
    failing_rows_sql,
    failures_sql,
    in_file_order,
    quote,
    sql_literal,
)
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


def _csv_reader(source: RawSource, paths: list[str], header: list[str]) -> str:
    columns = ", ".join(f"{sql_literal(h)}: 'VARCHAR'" for h in header)
    return (
        f"read_csv([{', '.join(sql_literal(p) for p in paths)}], "
        f"delim={sql_literal(source.delimiter)}, header=true, all_varchar=true, "
        f"encoding={sql_literal(source.encoding)}, quote='\"', strict_mode=true, "
        f"null_padding=false, auto_detect=false, filename=true, columns={{{columns}}})"
    )


def _append(
    con, source: RawSource, files: dict[int, RawFile], reader: str, cast: bool, first: bool
) -> None:
    """Append ``files`` (read by ``reader``) to the ``landing`` temp table, typed and checked
    as they land (ingestion/sql_validation.py: checked_select)."""
    if cast:
        cols = ", ".join(f"CAST({quote(c)} AS VARCHAR) AS {quote(c)}" for c in source.columns)
    else:
        cols = ", ".join(quote(c) for c in source.columns)
    which = " ".join(f"WHEN {sql_literal(r.path.as_posix())} THEN {i}" for i, r in files.items())
    index = f"CASE filename {which} END" if not cast else str(next(iter(files)))
    select = checked_select(source, f"SELECT {index} AS _file, {cols} FROM {reader}")
    with in_file_order(con):  # the rowid of landing is the row's place in its file
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE landing AS {select}"
            if first
            else f"INSERT INTO landing {select}"
        )


def _land_files(con, files: list[RawFile], source: RawSource) -> list[FileReport]:
    """Read every file of the partition into ``landing`` (typed values, ``_fail`` flag and the
    raw text of a failing row).

    CSV files sharing a header are read in one parallel ``read_csv``; should that fail, they
    are read one by one so the error names the file.
    """
    reports, headers = [], []
    for raw in files:
        if raw.is_parquet:
            size, sha = hash_file(raw.path)
            path = sql_literal(raw.path.as_posix())
            try:
                header = [
                    r[0]
                    for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({path})").fetchall()
                ]
            except duckdb.Error as exc:
                raise RawFileError(raw.relative, f"not a readable Parquet file ({exc})") from exc
        else:
            facts = inspect_csv(raw, source)
            size, sha, header = facts.size, facts.sha256, facts.header
        extra = check_columns(raw, source, header)
        reports.append(FileReport(raw.relative, size, sha, 0, extra_columns=extra))
        headers.append(header)
    csv_files = {i: r for i, r in enumerate(files) if not r.is_parquet}
    first = True
    batches = [csv_files] if len({tuple(headers[i]) for i in csv_files}) == 1 else []
    if len(csv_files) > 1 and batches:
        try:
            paths = [r.path.as_posix() for r in csv_files.values()]
            _append(con, source, csv_files, _csv_reader(source, paths, headers[0]), False, True)
            first, csv_files = False, {}
        except duckdb.Error:
            pass  # read them one by one below, to name the file that cannot be parsed
    singles = {**csv_files, **{i: r for i, r in enumerate(files) if r.is_parquet}}
    for i, raw in sorted(singles.items()):
        if raw.is_parquet:
            reader = f"read_parquet({sql_literal(raw.path.as_posix())})"
        else:
            reader = _csv_reader(source, [raw.path.as_posix()], headers[i])
        try:
            _append(con, source, {i: raw}, reader, raw.is_parquet, first)
        except duckdb.Error as exc:
            raise RawFileError(
                raw.relative, f"cannot be parsed as {source.title}: {parse_error(exc)}"
            ) from None
        first = False
    spans = dict(
        (
            (f, (lo, n))
            for f, lo, n in con.execute(
                "SELECT _file, min(rowid), count(*) FROM landing GROUP BY _file"
            ).fetchall()
        )
    )
    for i, (raw, report) in enumerate(zip(files, reports, strict=True)):
        start, rows = spans.get(i, (0, 0))
        if rows == 0:
            raise RawFileError(raw.relative, "the file has no data rows")
        report.rows_read = rows
        lineage = [raw.groups.get(g) for g in source.file_columns]
        offset = 1 if raw.is_parquet else 2
        con.execute(
            f"INSERT INTO landing_files VALUES ({', '.join('?' * (3 + len(lineage)))})",
            [i, offset - start, raw.relative, *lineage],
        )
    return reports


def _stored(source: RawSource, column: str, expression: str) -> str:
    """What the warehouse stores of a column: a personal identifier as its keyed hash."""
    return hmac_sql(expression) if column in source.pseudonymised else expression


def parse_error(exc: duckdb.Error) -> str:
    """DuckDB's reason a file cannot be parsed, with its line number but without the line's
    content: a raw line holds personal identifiers, and this message reaches run histories."""
    kept = []
    for line in str(exc).split("Possible fixes")[0].strip().splitlines():
        if line.strip().lower().startswith(("original line", "line content")):
            continue
        kept.append(line.strip())
    return " | ".join(x for x in kept if x)


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Undo the load; a failed COMMIT (a full disk) has already ended the transaction, and its
    error, not the rollback's, is the one to report."""
    try:
        con.execute("ROLLBACK")
    except duckdb.TransactionException:
        pass


def load_partition(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    source: RawSource,
    partition: str | None,
    run_id: str = "",
    pseudonym_key: bytes | None = None,
    state_digest: str | None = None,
) -> LoadReport:
    """Validate and load every file of one partition (all files if unpartitioned).

    A source's personal identifiers (``source.pseudonymised``) are checked in clear, then
    written as their HMAC under ``pseudonym_key``, and shown the same way in rejects.
    ``state_digest`` (ingestion/load_state.py) is recorded with the load, so that the next run
    skips these files while they are unchanged."""
    if source.pseudonymised and not pseudonym_key:
        raise ValueError(f"{source.name} holds personal identifiers: a pseudonym key is needed")
    params = hmac_parameters(pseudonym_key) if source.pseudonymised else {}
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
    reports = _land_files(con, files, source)
    first_pass, *key_passes = failing_rows_sql(source, "landing")
    con.execute(f"CREATE OR REPLACE TEMP TABLE failing AS {first_pass}")
    for query in key_passes:
        con.execute(f"INSERT INTO failing {query}")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE failures AS {failures_sql(source, 'landing', 'failing')}",
        params or None,
    )
    load_id = uuid.uuid4().hex
    line = "l._row + lf.line_shift"
    typed = ", ".join(
        f"{_stored(source, n, quote(n))} AS {quote(n)}" for n in source.schema.columns
    )
    lineage_files = "".join(f"lf.{quote(c)}, " for c in source.file_columns.values())
    rows = "(SELECT rowid AS _row, * FROM landing) l JOIN landing_files lf USING (_file)"
    con.execute("BEGIN TRANSACTION")
    try:
        for name in (table, "raw_validated.rejects", "raw_validated.load_log"):
            col = "_partition" if name == table else '"partition"'
            extra = "" if name == table else f" AND source = {sql_literal(source.name)}"
            con.execute(f"DELETE FROM {name} WHERE {col} = {sql_literal(key)}{extra}")
        inserted = con.execute(
            f"""
            INSERT INTO {table}
            SELECT {sql_literal(load_id)}, {sql_literal(key)}, lf.relative, {line},
                   {lineage_files}{typed}
            FROM {rows}
            WHERE l._row NOT IN (SELECT _row FROM failing)
        """,
            params or None,
        ).fetchone()[0]
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
        load_state.record(con, source.name, key, state_digest, run_id)
        valid = sum(r.rows_valid for r in reports)
        if inserted != valid:
            raise RuntimeError(
                f"{source.name} [{key}]: inserted {inserted} rows but {valid} were valid"
            )
        con.execute("COMMIT")
    except BaseException:
        rollback(con)
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


def remove_partition(
    con: duckdb.DuckDBPyConnection, source: RawSource, partition: str | None, run_id: str = ""
) -> int | None:
    """The landing zone is the truth: a partition whose files are gone from it leaves the
    warehouse. Its rows, rejects and load-log lines are deleted in one transaction and one
    load-log line records the removal. Returns the rows removed, or None when the partition
    was not loaded (nothing to do)."""
    table = ensure_tables(con, source)
    key = partition if partition is not None else UNPARTITIONED
    (rows,) = con.execute(f"SELECT count(*) FROM {table} WHERE _partition = ?", [key]).fetchone()
    (files,) = con.execute(
        """SELECT count(*) FROM raw_validated.load_log
           WHERE source = ? AND "partition" = ? AND source_file IS NOT NULL""",
        [source.name, key],
    ).fetchone()
    if rows == 0 and files == 0:
        return None
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"DELETE FROM {table} WHERE _partition = ?", [key])
        for name in ("raw_validated.rejects", "raw_validated.load_log"):
            con.execute(
                f'DELETE FROM {name} WHERE source = ? AND "partition" = ?', [source.name, key]
            )
        load_state.record(con, source.name, key, None, run_id)
        con.execute(
            "INSERT INTO raw_validated.load_log VALUES (?, ?, ?, NULL, NULL, NULL, 0, 0, 0, ?, "
            "?, now())",
            [
                uuid.uuid4().hex,
                source.name,
                key,
                f"partition removed: {rows} rows, its files are gone from the landing zone",
                run_id,
            ],
        )
        con.execute("COMMIT")
    except BaseException:
        rollback(con)
        raise
    return rows
