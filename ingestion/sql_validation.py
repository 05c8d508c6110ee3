"""Run a pandera schema in DuckDB SQL over a landing table of raw text values.

pandera stays the definition of every rule (``schemas/``); this module compiles what a schema
declares (dtypes, nullability, built-in checks, ``row_check`` predicates, uniqueness, reference
lists) into one SQL pass, because converting millions of rows to pandas would cost several times
the load itself. ``tests/test_validation_engines.py`` proves the two engines reject the same
cells on generated bad rows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb
import pandera.pandas as pa

from core.pseudonym import hmac_sql
from schemas.source import RawSource

DUCKDB_TYPES = {"int64": "BIGINT", "float64": "DOUBLE", "str": "VARCHAR", "datetime64": "DATE"}


def sql_literal(value: object) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def raw_name(column: str) -> str:
    return quote(f"__raw_{column}")


def dtype_kind(column: pa.Column) -> str:
    """The schema dtype reduced to what the SQL engine needs (pandas names vary by backend)."""
    name = str(column.dtype).lower()
    for kind in DUCKDB_TYPES:
        if name.startswith(kind) or (kind == "str" and "string" in name):
            return kind
    raise NotImplementedError(f"dtype {column.dtype} has no DuckDB type")


def duckdb_type(column: pa.Column) -> str:
    return DUCKDB_TYPES[dtype_kind(column)]


def typed_expression(name: str, column: pa.Column) -> str:
    """SQL turning the raw text of ``name`` into its schema type (NULL when it does not parse).

    Empty CSV fields arrive as NULL; text is kept as written (no trimming)."""
    raw = quote(name)
    kind = dtype_kind(column)
    if kind == "str":
        return raw
    if kind == "datetime64":
        return f"try_strptime({raw}, '%Y-%m-%d')::DATE"
    if kind == "float64" and (column.metadata or {}).get("decimal_comma"):
        raw = f"replace({raw}, ',', '.')"
    return f"try_cast({raw} AS {duckdb_type(column)})"


@dataclass(frozen=True)
class CellRule:
    """One rule on one column: SQL that is TRUE when the row fails it."""

    column: str
    check: str
    failing_sql: str
    reason: str
    lookup: bool = False  # reads another table: checked after landing (checked_select)


def _check_rule(name: str, check: pa.Check) -> CellRule:
    col, stats = quote(name), check.statistics or {}
    if check.name == "isin":
        values = stats["allowed_values"]
        listed = ", ".join(sql_literal(v) for v in values)
        shown = ", ".join(str(v) for v in values)
        return CellRule(name, "isin", f"{col} NOT IN ({listed})", f"not a listed code ({shown})")
    if check.name == "in_range":
        lo = ">=" if stats.get("include_min", True) else ">"
        hi = "<=" if stats.get("include_max", True) else "<"
        lo_v, hi_v = stats["min_value"], stats["max_value"]
        return CellRule(
            name,
            "in_range",
            f"NOT ({col} {lo} {lo_v} AND {col} {hi} {hi_v})",
            f"outside [{lo_v}, {hi_v}]",
        )
    if check.name == "greater_than_or_equal_to":
        return CellRule(
            name, "ge", f"{col} < {stats['min_value']}", f"below the minimum {stats['min_value']}"
        )
    if check.name == "str_matches":
        pattern = stats["pattern"]
        return CellRule(
            name,
            "str_matches",
            f"NOT regexp_matches({col}, {sql_literal(pattern)})",
            f"does not match {pattern}",
        )
    raise NotImplementedError(f"check {check.name!r} on column {name!r} has no SQL translation")


def cell_rules(source: RawSource) -> list[CellRule]:
    """Every single-column rule of the schema, in column order."""
    rules: list[CellRule] = []
    for name, column in source.schema.columns.items():
        if dtype_kind(column) != "str":  # text always parses: no type rule to run
            rules.append(
                CellRule(
                    name,
                    f"dtype('{column.dtype}')",
                    f"{raw_name(name)} IS NOT NULL AND {quote(name)} IS NULL",
                    f"cannot be read as {duckdb_type(column).lower()}",
                )
            )
        if not column.nullable:
            rules.append(
                CellRule(name, "not_nullable", f"{raw_name(name)} IS NULL", "is empty but required")
            )
        rules.extend(_check_rule(name, check) for check in column.checks)
        references = (column.metadata or {}).get("references")
        if references:
            table, key = references
            rules.append(
                CellRule(
                    name,
                    f"references({table}.{key})",
                    f"{quote(name)} NOT IN (SELECT {quote(key)} FROM raw_validated.{table})",
                    f"not listed in reference table {table}.{key}",
                    lookup=True,
                )
            )
    for check in source.schema.checks:
        stats = check.statistics or {}
        cols = stats["columns"]
        rules.append(
            CellRule(
                ",".join(cols),
                check.name,
                f"NOT ({stats['sql']})",
                check.description or check.name,
            )
        )
    return rules


def checked_select(source: RawSource, rows: str) -> str:
    """SQL over ``rows`` (a query of ``_file`` and every column of the schema as raw text)
    that types each row once and checks it against the schema's cell rules in the same pass:
    the typed columns under their own names, ``_fail`` (the row breaks a rule) and ``_raw`` (a
    failing row's text of the columns typed other than as text, kept for its rejects; null for
    the others). A text column is kept as written, so its value is its text: France's RPLS
    landed in 5.5 s instead of 5.9 s with the text of its 11 typed columns only, not all 21.
    A rule that reads another
    table (a reference list) is left to :func:`failing_rows_sql`: its join would not keep the
    rows in file order.

    Materialised as the landing table, its rowid is the row's place in the file, provided
    DuckDB plans no join into it: run it under :func:`in_file_order` (a long ``IN`` list is
    otherwise planned as a join, and the line numbers of a 92,413-row RPLS file came out
    shuffled). A France RPLS landed as text, checked, then typed again for the insert: 14.7 s of
    statements; typed and checked as it lands: 10.6 s (the text of 5.4 million rows was
    materialised, then read twice)."""
    columns = source.schema.columns
    typed = ", ".join(
        f"{quote(n)} AS {raw_name(n)}, {typed_expression(n, c)} AS {quote(n)}"
        for n, c in columns.items()
    )
    predicate = _any_fails([r for r in cell_rules(source) if not r.lookup])
    parsed = parsed_columns(source)
    raw = "{" + ", ".join(f"{sql_literal(n)}: {raw_name(n)}" for n in parsed) + "}"
    raw = raw if parsed else "NULL"
    names = ", ".join(quote(n) for n in columns)
    return (
        f"SELECT _file, {names}, _fail, CASE WHEN _fail THEN {raw} END AS _raw FROM ("
        f"SELECT *, ({predicate}) AS _fail FROM (SELECT _file, {typed} FROM ({rows})))"
    )


def parsed_columns(source: RawSource) -> list[str]:
    """The columns whose typed value is parsed from their text (numbers, dates): a failing
    row's text is kept for these only (:func:`checked_select`)."""
    return [n for n, c in source.schema.columns.items() if dtype_kind(c) != "str"]


@contextlib.contextmanager
def in_file_order(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run a :func:`checked_select` so that its rows keep the file order: DuckDB's optimizer
    otherwise turns an IN list into a join. Evaluated as comparisons, the lists of the schemas
    (at most 30 codes) cost no more than the join did."""
    con.execute("SET disabled_optimizers = 'in_clause'")
    try:
        yield
    finally:
        con.execute("RESET disabled_optimizers")


def _any_fails(rules: list[CellRule]) -> str:
    """SQL true when a row breaks one of ``rules``."""
    return " OR ".join(f"coalesce(({r.failing_sql}), false)" for r in rules) or "false"


def _typed_cte(source: RawSource, landing: str, rows: str) -> str:
    """The raw and typed value of every column of the rows of ``landing`` (a
    :func:`checked_select` table) listed in ``rows``. A row that broke a cell rule has its raw
    text; a row that only repeats a unique key passed every rule, and shows its typed value
    written back as text (the same characters for a text or a date; a number without the
    zeros or sign it may have been written with)."""
    parsed = set(parsed_columns(source))
    typed = ",\n    ".join(
        f"coalesce(_raw[{sql_literal(n)}], CAST({quote(n)} AS VARCHAR)) AS {raw_name(n)}, "
        f"{quote(n)}"
        if n in parsed
        else f"{quote(n)} AS {raw_name(n)}, {quote(n)}"
        for n in source.schema.columns
    )
    numbered = f"(SELECT rowid AS _row, * FROM {landing})"
    wanted = f"(SELECT DISTINCT _row FROM {rows})"
    scan = f"(SELECT l.* FROM {numbered} l SEMI JOIN {wanted} r USING (_row))"
    return f"typed AS (\n  SELECT _row, _file,\n    {typed}\n  FROM {scan}\n)"


def _duplicated_keys(landing: str, key: list[str], per_file: bool = False) -> str:
    """The rows of ``landing`` whose key is repeated. The key's hash is grouped first (a
    number, where the key is text), then the few rows whose hash repeats are compared on the
    key itself (France RPLS: 5.4 million IDENT_REP in 0.7 s instead of 2.0 s)."""
    cols = ", ".join(quote(k) for k in key) + (", _file" if per_file else "")
    not_null = " AND ".join(f"{quote(k)} IS NOT NULL" for k in key)
    return (
        f"WITH candidates AS (SELECT rowid AS _row, {cols} FROM {landing} "
        f"WHERE {not_null} AND hash({cols}) IN (SELECT hash({cols}) FROM {landing} "
        f"WHERE {not_null} GROUP BY 1 HAVING count(*) > 1)) "
        f"SELECT _row FROM candidates WHERE ({cols}) IN "
        f"(SELECT ({cols}) FROM candidates GROUP BY ALL HAVING count(*) > 1)"
    )


def failing_rows_sql(source: RawSource, landing: str) -> list[str]:
    """Queries listing (``_row``, ``key_index``) for every row of ``landing`` (a
    :func:`checked_select` table) that fails a rule (``key_index`` -1 for cell rules, else the
    index of the duplicated unique key): the rows flagged as they landed or failing a reference
    list, then one pass per unique key. The details are computed for the rows found only
    (:func:`failures_sql`).
    """
    lookups = _any_fails([r for r in cell_rules(source) if r.lookup])
    queries = [f"SELECT rowid AS _row, -1 AS key_index FROM {landing} WHERE _fail OR {lookups}"]
    queries += [
        f"SELECT _row, {i} FROM ({_duplicated_keys(landing, key, source.unique_per_file)})"
        for i, key in enumerate(source.unique_keys)
    ]
    return queries


def shown_value(source: RawSource, column: str) -> str:
    """The raw value of ``column`` as a reject shows it: a personal identifier is shown as its
    keyed hash (the one the warehouse holds), never in clear."""
    if column in source.pseudonymised:
        return f"'hmac:' || {hmac_sql(raw_name(column))}"
    return raw_name(column)


def failures_sql(source: RawSource, landing: str, failing_rows: str) -> str:
    """SQL listing (_row, column, check, value, reason) for every failing cell of the rows of
    ``landing`` (a :func:`checked_select` table) listed in table ``failing_rows``. With
    pseudonymised columns, the query takes the HMAC parameters
    (:func:`core.pseudonym.hmac_parameters`)."""
    structs = []
    for rule in cell_rules(source):
        cols = rule.column.split(",")
        if len(cols) == 1:
            value = shown_value(source, cols[0])
        else:
            value = " || '; ' || ".join(
                f"'{c}=' || coalesce({shown_value(source, c)}, '')" for c in cols
            )
        structs.append(
            f"CASE WHEN coalesce(({rule.failing_sql}), false) THEN "
            f"{{'column': {sql_literal(rule.column)}, 'check': {sql_literal(rule.check)}, "
            f"'value': {value}, 'reason': {sql_literal(rule.reason)}}} END"
        )
    struct_list = ",\n    ".join(structs)
    cell_query = f"""
SELECT _row, f.column AS "column", f.check AS "check", f.value AS "value", f.reason AS reason
FROM (
  SELECT _row, unnest(list_filter([
    {struct_list}
  ], lambda x: x IS NOT NULL)) AS f
  FROM typed
)"""
    scope = f"duplicated within the {'file' if source.unique_per_file else 'partition'}"
    unique_queries = [
        f"""
SELECT _row, {sql_literal(",".join(key))}, 'unique',
       {" || '; ' || ".join(f"coalesce({shown_value(source, k)}, '')" for k in key)},
       {sql_literal(scope)}
FROM typed WHERE _row IN (SELECT _row FROM {failing_rows} WHERE key_index = {i})"""
        for i, key in enumerate(source.unique_keys)
    ]
    body = "\nUNION ALL".join([cell_query, *unique_queries])
    return f"WITH {_typed_cte(source, landing, failing_rows)}{body}"
