"""A scenario's changes: a small YAML file of edits to the raw tables that are data (the
agreement's parameters, rotation rates, tension zones, plans, DALO counts, CIA quotas).

Each change names the row it replaces by the source's natural key and its current values, and
is refused unless exactly one row in force matches; new values are validated by the same
pandera rules as the raw files (run as SQL, ``ingestion.sql_validation``). Applying them edits
``raw_validated`` of the connection given: a scenario's own copy, never the baseline.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import yaml

from ingestion.sql_validation import (
    checked_select,
    failing_rows_sql,
    failures_sql,
    quote,
    sql_literal,
)
from schemas import SOURCES

# the raw tables a scenario may change, with the columns that identify a row of each (for a
# CIA policy, TERRITORY is the territory its file is named after)
NATURAL_KEYS: dict[str, list[str]] = {
    "acd_parameters": ["NAME", "VALID_FROM"],
    "acd_landlords": ["SIRET", "VALID_FROM"],
    "acd_commune_tension": ["DEPCOM"],
    "acd_dalo": ["YEAR"],
    "cia_policies": ["TERRITORY", "QUOTA", "VALID_FROM"],
    "acd_plans": ["SIRET", "DEPCOM", "QPV", "YEAR", "KIND", "FINAN_CLASS", "HOUSING", "IDENT_REP"],
}
ALIASES = {"cia_policies": {"TERRITORY": "_file_territory_id"}}
CHANGES_TABLE = "scenario.changes"


class ChangeError(Exception):
    """A change that cannot be applied: the message names it and says why."""


@dataclass
class Change:
    """One edit: ``set`` new values on the row ``key`` names (with its ``current`` values),
    ``add`` a row, or ``remove`` the row."""

    number: int
    source: str
    reason: str
    key: dict = field(default_factory=dict)
    current: dict = field(default_factory=dict)
    new: dict = field(default_factory=dict)
    add: dict = field(default_factory=dict)
    remove: bool = False

    @property
    def id(self) -> str:
        return f"C{self.number}"

    @property
    def action(self) -> str:
        return "add" if self.add else "remove" if self.remove else "set"

    def label(self) -> str:
        return f"change {self.id} ({self.action} {self.source} {pairs(self.add or self.key)})"


def pairs(values: dict) -> str:
    """Column values as a reader writes them: ``SIRET=31000001100011 YEAR=2025``."""
    return " ".join(f"{k}={'' if v is None else v}" for k, v in values.items())


@dataclass
class Scenario:
    name: str
    path: Path
    sha256: str
    description: str
    changes: list[Change]

    @property
    def marker(self) -> str:
        """The file a changed row names (``scenario:<file>#`` and the change's id)."""
        return f"scenario:{self.path.name}#"


def _column(source: str, name: str) -> str:
    return ALIASES.get(source, {}).get(name, name)


NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def load(path: Path, name: str) -> Scenario:
    """Read and check the shape of a changes file (YAML)."""
    if not NAME.fullmatch(name):
        raise ChangeError(
            f"scenario name {name!r}: use lower-case letters, digits, '_' and '-' (it names "
            "the scenario's warehouse file)"
        )
    data = path.read_bytes()
    try:
        spec = yaml.safe_load(data) or {}
    except yaml.YAMLError as exc:
        raise ChangeError(f"{path}: not YAML: {exc}") from exc
    if not isinstance(spec, dict) or not isinstance(spec.get("changes", []), list):
        raise ChangeError(f"{path}: expected a mapping with a list 'changes'")
    changes, problems = [], []
    for number, item in enumerate(spec.get("changes") or [], start=1):
        try:
            changes.append(_parse(number, item))
        except ChangeError as problem:
            problems.append(f"change C{number}: {problem}")
    if problems:
        raise ChangeError(_listed(path, problems))
    return Scenario(
        name, path, hashlib.sha256(data).hexdigest(), str(spec.get("description") or ""), changes
    )


def _listed(path: Path, problems: list[str]) -> str:
    """Every problem of a changes file at once, so that one edit fixes them all."""
    if len(problems) == 1:
        return f"{path}, {problems[0]}"
    return f"{path}: {len(problems)} changes are refused:\n  " + "\n  ".join(problems)


def _parse(number: int, item) -> Change:
    """One change of the file, its shape checked (ChangeError says what is wrong)."""
    if not isinstance(item, dict):
        raise ChangeError("expected a mapping")
    source = item.get("source")
    if source not in NATURAL_KEYS:
        raise ChangeError(
            f"source {source!r} cannot be changed; sources: " + ", ".join(NATURAL_KEYS)
        )
    if not str(item.get("reason") or "").strip():
        raise ChangeError("every change gives its reason (free text)")
    unknown = set(item) - {"source", "reason", "key", "current", "set", "add", "remove"}
    if unknown:
        raise ChangeError(f"unknown field(s) {', '.join(sorted(unknown))}")
    change = Change(
        number,
        source,
        str(item["reason"]).strip(),
        key=dict(item.get("key") or {}),
        current=dict(item.get("current") or {}),
        new=dict(item.get("set") or {}),
        add=dict(item.get("add") or {}),
        remove=bool(item.get("remove")),
    )
    if sum(map(bool, (change.new, change.add, change.remove))) != 1:
        raise ChangeError("give exactly one of set, add or remove: true")
    if not change.add:
        missing = [k for k in NATURAL_KEYS[source] if k not in change.key]
        if missing and source != "acd_plans":
            raise ChangeError(
                f"key must name {', '.join(NATURAL_KEYS[source])} (missing {', '.join(missing)})"
            )
        if not change.current:
            raise ChangeError("give the row's current value(s) under current")
    columns = set(SOURCES[source].columns) | set(ALIASES.get(source, {}))
    for part in (change.key, change.current, change.new, change.add):
        wrong = set(part) - columns
        if wrong:
            raise ChangeError(
                f"{source} has no column {', '.join(sorted(wrong))}; columns: "
                + ", ".join(sorted(columns))
            )
    return change


def _in_force(source: str) -> str:
    """The rows the models read: for plans, those staging marks as the latest revision of
    their agreement (``stg_acd__plans.is_latest_revision``, where the rule is written; a raw
    row is its file and line); every row elsewhere."""
    if source != "acd_plans":
        return "true"
    return (
        "(_source_file, _source_line) IN (SELECT source_file, source_line "
        "FROM staging.stg_acd__plans WHERE is_latest_revision)"
    )


def _revision(source: str) -> str:
    return "try_cast(_file_revision AS INTEGER)" if source == "acd_plans" else "NULL"


def _matches(change: Change, values: dict) -> str:
    terms = []
    for name, value in values.items():
        column = quote(_column(change.source, name))
        if value is None or value == "":
            terms.append(f"{column} IS NULL")
        else:
            terms.append(f"CAST({column} AS VARCHAR) = {sql_literal(_text(value))}")
    return " AND ".join(terms) or "true"


def _sql_value(value) -> str:
    """A YAML value as SQL: an empty one is NULL, as an empty cell of the raw file."""
    return "NULL" if value is None or value == "" else sql_literal(_text(value))


def _text(value) -> str:
    """A YAML value as the raw file would write it (0.08, 2025, 31555)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _row_of(con: duckdb.DuckDBPyConnection, change: Change) -> int:
    table = f"raw_validated.{change.source}"
    key = dict(change.key)
    if change.source == "acd_plans":  # an omitted key column is an empty one
        key = {k: key.get(k) for k in NATURAL_KEYS["acd_plans"]}
    rows = con.execute(
        f"SELECT rowid FROM {table} WHERE {_in_force(change.source)} AND {_matches(change, key)}"
    ).fetchall()
    if len(rows) != 1:
        said = "no row" if not rows else f"{len(rows)} rows"
        raise ChangeError(f"{change.label()}: {said} of {change.source} in force matches its key")
    (rowid,) = rows[0]
    (found,) = con.execute(
        f"SELECT count(*) FROM {table} WHERE rowid = {rowid} AND {_matches(change, change.current)}"
    ).fetchone()
    if not found:
        now = con.execute(
            f"SELECT {', '.join(quote(_column(change.source, c)) for c in change.current)} "
            f"FROM {table} WHERE rowid = {rowid}"
        ).fetchone()
        raise ChangeError(
            f"{change.label()}: its current value is not the row's "
            f"({pairs(dict(zip(change.current, now, strict=True)))} in the warehouse)"
        )
    return rowid


def _cited(change: Change, marker: str) -> str:
    """A changed row of a source that cites its legal source (parameters, rotation rates, CIA
    quotas) cites the scenario instead, and what it replaces: the figures it makes (a quota's
    ``target_source``) then say where they come from."""
    if "SOURCE" not in SOURCES[change.source].columns or "SOURCE" in change.new:
        return ""
    said = sql_literal(f"what-if {marker}{change.id}: {change.reason} (replaces: ")
    return f", \"SOURCE\" = {said} || coalesce(\"SOURCE\", '') || ')'"


def _assignments(change: Change, values: dict) -> str:
    return ", ".join(
        f"{quote(_column(change.source, k))} = {_sql_value(v)}" for k, v in values.items()
    )


def apply(con: duckdb.DuckDBPyConnection, scenario: Scenario) -> None:
    """Apply every change to ``raw_validated`` of ``con`` (in its transaction), mark the rows
    it wrote with its id (``_source_file`` names the changes file and the change), then
    validate every changed table with the raw schemas. Raises one ChangeError that names every
    change refused and why."""
    marker = scenario.marker
    problems: list[tuple[int, str]] = []  # (change number, what is wrong), in file order
    for change in scenario.changes:
        try:
            _apply_one(con, change, marker)
        except ChangeError as problem:
            problems.append((change.number, str(problem)))
        except duckdb.Error as exc:  # a value of the wrong type ("8 %" for a rate)
            problems.append((change.number, f"{change.label()}: {str(exc).splitlines()[0]}"))
    # the rules on the rows the other changes wrote (a refused change writes nothing)
    for source in _sources(scenario):
        problems += validate(con, source, scenario)
    problems += reference_problems(con, scenario)
    if problems:
        raise ChangeError(_listed(scenario.path, [p for _, p in sorted(problems)]))


def _sources(scenario: Scenario) -> list[str]:
    return sorted({c.source for c in scenario.changes})


def _apply_one(con: duckdb.DuckDBPyConnection, change: Change, marker: str) -> None:
    table = f"raw_validated.{change.source}"
    if change.add:
        row = {_column(change.source, k): v for k, v in change.add.items()}
        if "SOURCE" in SOURCES[change.source].columns and "SOURCE" not in row:
            row["SOURCE"] = f"what-if {marker}{change.id}: {change.reason}"
        columns = ", ".join(quote(c) for c in row)
        values = ", ".join(_sql_value(v) for v in row.values())
        # the partition (and, for plans, the revision) in force, so the models read it
        partition, revision = con.execute(
            f"SELECT max(_partition), max({_revision(change.source)}) FROM {table} "
            f"WHERE {_in_force(change.source)}"
        ).fetchone()
        extra = ", _file_revision" if change.source == "acd_plans" else ""
        extra_value = (
            f", {sql_literal(str(revision))}" if extra and revision else (", NULL" if extra else "")
        )
        con.execute(
            f"INSERT INTO {table} (_load_id, _partition, _source_file, _source_line"
            f"{extra}, {columns}) VALUES ('scenario', {sql_literal(partition or 'all')}, "
            f"{sql_literal(marker + change.id)}, {change.number}{extra_value}, {values})"
        )
        return
    rowid = _row_of(con, change)
    if change.remove:
        con.execute(f"DELETE FROM {table} WHERE rowid = {rowid}")
    else:
        con.execute(
            f"UPDATE {table} SET {_assignments(change, change.new)}{_cited(change, marker)}, "
            "_load_id = 'scenario', "
            f"_source_file = {sql_literal(marker + change.id)}, _source_line = "
            f"{change.number} WHERE rowid = {rowid}"
        )


def validate(
    con: duckdb.DuckDBPyConnection, source: str, scenario: Scenario
) -> list[tuple[int, str]]:
    """The raw schema's rules on the rows a scenario wrote (types, ranges, code lists, row
    checks, unique keys): what each change broke, with its number."""
    schema = SOURCES[source]
    text = ", ".join(f"CAST({quote(c)} AS VARCHAR) AS {quote(c)}" for c in schema.columns)
    rows = f"SELECT {text}, _source_file AS _file FROM raw_validated.{source}"
    rows += f" WHERE {_in_force(source)}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE scenario_landing AS {checked_select(schema, rows)}")
    con.execute("CREATE OR REPLACE TEMP TABLE scenario_failing (_row BIGINT, key_index INT)")
    for query in failing_rows_sql(schema, "scenario_landing"):
        con.execute(f"INSERT INTO scenario_failing {query}")
    failures = con.execute(
        f"""SELECT l._file, f."column", f."check", f."value", f.reason
            FROM ({failures_sql(schema, "scenario_landing", "scenario_failing")}) f
            JOIN (SELECT rowid AS _row, _file FROM scenario_landing) l USING (_row)
            WHERE l._file LIKE {sql_literal(scenario.marker + "%")} ORDER BY 1"""
    ).fetchall()
    changes = {c.id: c for c in scenario.changes}
    found = []
    for file, column, check, value, reason in failures:
        change = changes[file.rsplit("#", 1)[1]]
        found.append((change.number, f"{change.label()}: {column} = {value!r} {reason} [{check}]"))
    return found


def reference_problems(con: duckdb.DuckDBPyConnection, scenario: Scenario) -> list[tuple[int, str]]:
    """A landlord or commune a change names must be one the agreement knows; a rate, share or
    factor parameter stays within [0, 1]."""
    known = {
        "SIRET": "SELECT SIRET FROM raw_validated.acd_landlords",
        "DEPCOM": "SELECT DEPCOM FROM raw_validated.acd_commune_tension",
    }
    problems = []
    for change in scenario.changes:
        for column, query in known.items():
            value = (change.add or change.new or {}).get(column)
            if value in (None, ""):
                continue
            (found,) = con.execute(
                f"SELECT count(*) FROM ({query}) WHERE {column} = {sql_literal(_text(value))}"
            ).fetchone()
            if not found:
                problems.append(
                    (
                        change.number,
                        f"{change.label()}: {column} {value} is not known to the agreement",
                    )
                )
        if change.source == "acd_parameters":
            try:
                _check_share(change)
            except ChangeError as problem:
                problems.append((change.number, str(problem)))
    return problems


def _check_share(change: Change) -> None:
    """A rate, share or factor parameter stays within [0, 1]."""
    name = str((change.add or change.key).get("NAME", ""))
    value = (change.add or change.new).get("VALUE")
    if value is None or not any(w in name for w in ("rate", "share", "factor")):
        return
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ChangeError(f"{change.label()}: {name} = {value!r} is not a number") from None
    if not 0 <= number <= 1:
        raise ChangeError(f"{change.label()}: {name} = {value} is outside [0, 1]")


def record(con: duckdb.DuckDBPyConnection, scenario: Scenario, base: Path) -> None:
    """The scenario's own lineage: which file (sha256), which base, every change and its
    reason, with the landlord, territory and quota it bears on (for the diff). Each change is
    also a line of ``raw_validated.load_log`` (file ``scenario:<file>#C<n>``, the changes
    file's sha256), so the lineage of every model it reaches names it."""
    size = scenario.path.stat().st_size
    for c in scenario.changes:
        con.execute(
            "INSERT INTO raw_validated.load_log (load_id, source, partition, source_file, "
            "file_size, file_sha256, rows_read, rows_valid, rows_rejected, extra_columns, "
            "run_id, loaded_at) VALUES ('scenario', ?, 'scenario', ?, ?, ?, 1, 1, 0, '', ?, "
            "now())",
            [c.source, scenario.marker + c.id, size, scenario.sha256, f"scenario {scenario.name}"],
        )
    con.execute("CREATE SCHEMA IF NOT EXISTS scenario")
    con.execute(
        f"""CREATE OR REPLACE TABLE {CHANGES_TABLE} (
            scenario VARCHAR, changes_file VARCHAR, changes_sha256 VARCHAR, base VARCHAR,
            change_id VARCHAR, source VARCHAR, action VARCHAR, key JSON, current JSON,
            new JSON, reason VARCHAR, siret VARCHAR, territory_id VARCHAR, quota VARCHAR)"""
    )
    for c in scenario.changes:
        values = {**c.key, **c.add, **c.new}
        depcom = values.get("DEPCOM") or c.key.get("DEPCOM")
        territory = values.get("TERRITORY")
        if depcom and not territory:
            hit = con.execute(
                "SELECT territory_id FROM marts.dim_commune WHERE depcom = ?", [str(depcom)]
            ).fetchone()
            territory = hit[0] if hit else None
        con.execute(
            f"INSERT INTO {CHANGES_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                scenario.name,
                str(scenario.path),
                scenario.sha256,
                str(base),
                c.id,
                c.source,
                c.action,
                json.dumps(c.key or c.add, default=str),
                json.dumps(c.current, default=str),
                json.dumps(c.new or c.add, default=str),
                c.reason,
                str(values["SIRET"]) if values.get("SIRET") else None,
                str(territory) if territory else None,
                values.get("QUOTA"),
            ],
        )
