"""``attrib explain <mart> --key column=value``: for any row of any mart, what produced it.

The row itself, the dbt model and its SQL (path, sha256, and whether the file still matches),
the run that built it and when, the parameters and code versions, the upstream assets with the
runs that built them, and the input files with size, sha256 and rows, each checked against the
file now in ``raw/``. Reads the warehouse read-only, from ``audit.lineage``.
"""

from __future__ import annotations

import json
from pathlib import Path

from audit import lineage
from audit.dbt_lineage import manifest
from audit.explain_objective import ExplainError, Lookup
from core import settings
from core.connection import connect


def _parse_keys(pairs: list[str]) -> dict[str, str]:
    keys = {}
    for pair in pairs:
        column, sep, value = pair.partition("=")
        if not sep or not column:
            raise ExplainError(f"--key expects column=value, got {pair!r}")
        keys[column.strip()] = value
    return keys


def _lineage_row(lookup: Lookup, asset_key: str, row: dict) -> dict | None:
    """The latest lineage of the asset partition the row belongs to: the partition whose key
    is one of the row's values (a year, a period), else the latest unpartitioned build."""
    builds = lookup.rows(
        f"""SELECT * FROM {lineage.TABLE} WHERE asset_key = $1
            ORDER BY materialized_at DESC""",
        [asset_key],
    )
    values = {str(v) for v in row.values() if v is not None}
    for build in builds:
        if build["partition"] is not None and build["partition"] in values:
            return build
    return next(iter(builds), None)


def _check_files(files: list[dict], raw_dir: Path) -> list[dict]:
    checked = []
    for entry in files:
        if entry["path"].startswith("scenario:"):  # a what-if change: its file is not in raw/
            checked.append({**entry, "on_disk": "", "on_disk_now": "a scenario's change, not"})
            continue
        path = Path(entry["path"])
        on_disk = (
            path
            if path.is_absolute()
            else (settings.PROJECT_ROOT / path if entry["source"] == "dbt seed" else raw_dir / path)
        )
        status = "missing"
        if on_disk.exists():
            status = "matches" if lineage.file_sha256(on_disk) == entry["sha256"] else "changed"
        checked.append({**entry, "on_disk": str(on_disk), "on_disk_now": status})
    return checked


FACTS_LISTED = 20  # a count up to this many facts lists them; above, their number per file


def facts_behind(lookup: Lookup, facts: dict, row: dict, limit: int) -> dict:
    """The rows of the facts model behind each count of a mart row (``meta.facts``): listed
    (file and line) when there are at most ``limit``, else counted per file. Each count is
    checked against the mart's figure. Two reads of the facts model whatever the number of
    counts: one for every count per file, one for the rows listed."""
    levels = facts.get("match_by_level")
    match = levels.get(row.get("level"), []) if levels else facts["match"]
    where = " AND ".join(
        [f'"{c}" IS NOT DISTINCT FROM ?' for c in match] + [f"({facts.get('where', 'true')})"]
    )
    values = [row[c] for c in match]
    # mart column -> boolean column (or SQL condition on the columns) of the facts model
    flags = facts["counts"]
    alias = {column: f"_counts_{i}" for i, column in enumerate(flags)}
    per_file_rows = lookup.rows(
        "SELECT source_file, "
        + ", ".join(
            f'count(*) FILTER (WHERE {flag}) AS "{column}"' for column, flag in flags.items()
        )
        + f""" FROM {facts["relation"]} WHERE {where} GROUP BY 1 ORDER BY 1""",
        values,
    )
    per_file = {
        column: [
            {"source_file": f["source_file"], "rows": f[column]} for f in per_file_rows if f[column]
        ]
        for column in flags
    }
    totals = {column: sum(f["rows"] for f in per_file[column]) for column in flags}
    listed = [c for c in flags if 0 < totals[c] <= limit]
    shown = facts.get("show", ["source_file", "source_line"])
    selected = ", ".join(
        [f'"{c}"' for c in shown] + [f"({flags[c]}) AS {alias[c]}" for c in listed]
    )
    listed_rows = (
        lookup.rows(
            f"""SELECT {selected}
                FROM {facts["relation"]} WHERE {where}
                AND ({" OR ".join(f"({flags[c]})" for c in listed)})
                ORDER BY source_file, source_line""",
            values,
        )
        if listed
        else []
    )
    counts = []
    for column in flags:
        in_mart = row.get(column)
        counts.append(
            {
                "column": column,
                "in_mart": in_mart,
                "facts": totals[column],
                # a null figure (a count the mart leaves unknown) has no facts to agree with
                "agrees": (
                    totals[column] == 0 if in_mart is None else int(in_mart) == totals[column]
                ),
                "per_file": per_file[column],
                "listed": [
                    {c: fact[c] for c in shown}
                    for fact in listed_rows
                    if column in listed and fact[alias[column]]
                ],
            }
        )
    return {"model": facts["model"], "matched_on": match, "limit": limit, "counts": counts}


def explain_row(
    warehouse: Path,
    mart: str,
    pairs: list[str],
    raw_dir: Path | None = None,
    limit: int = FACTS_LISTED,
) -> dict:
    keys = _parse_keys(pairs)
    mart = mart.removeprefix("marts.")
    con = connect(Path(warehouse), read_only=True)
    try:
        lookup = Lookup(con)
        marts = [
            r["table_name"]
            for r in lookup.rows(
                """SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'
                   UNION SELECT view_name FROM duckdb_views() WHERE schema_name = 'marts'
                   ORDER BY 1"""
            )
        ]
        if mart not in marts:
            raise ExplainError(f"no mart {mart!r}; marts: {', '.join(marts)}")
        uid = manifest().model_id("marts", mart)
        grain = manifest().grain(uid) if uid else []
        columns = [r["column_name"] for r in lookup.rows(f"DESCRIBE marts.{mart}")]
        unknown = [c for c in keys if c not in columns]
        if unknown or not keys:
            raise ExplainError(
                f"marts.{mart}: give --key column=value for {', '.join(grain) or 'its columns'}"
                + (f"; unknown column(s) {', '.join(unknown)}" if unknown else "")
                + f"; columns: {', '.join(columns)}"
            )
        # an empty value stands for NULL (rollup rows have no landlord, no commune...)
        where = " AND ".join(
            f'"{c}" IS NULL' if v == "" else f'CAST("{c}" AS VARCHAR) = ?' for c, v in keys.items()
        )
        values = [v for v in keys.values() if v != ""]
        rows = lookup.rows(f"SELECT * FROM marts.{mart} WHERE {where} LIMIT 21", values)
        if not rows:
            raise ExplainError(
                f"no row of marts.{mart} where {where_text(keys)}; a row is identified by "
                f"{', '.join(grain) or 'its columns'}"
            )
        if len(rows) > 1:
            raise ExplainError(
                f"{len(rows) if len(rows) <= 20 else 'more than 20'} rows of marts.{mart} match "
                f"{where_text(keys)}; add keys until one row is left (a row is identified by "
                f"{', '.join(grain) or 'its columns'})"
            )
        row = rows[0]
        facts = manifest().facts(uid) if uid else None
        behind = facts_behind(lookup, facts, row, limit) if facts else None
        build = _lineage_row(lookup, f"marts/{mart}", row)
        if build is None:
            raise ExplainError(
                f"marts.{mart} has no lineage yet: it was built before lineage was recorded; "
                "re-run `attrib run`"
            )
        upstream = []
        for dep in build["upstream_assets"] or []:
            dep_build = lookup.rows(
                f"""SELECT asset_key, "partition", run_id, materialized_at, dbt_model,
                           model_sql_path FROM {lineage.TABLE}
                    WHERE asset_key = $1 AND run_id = $2
                    ORDER BY materialized_at DESC LIMIT 1""",
                [dep["asset_key"], dep["run_id"]],
            )
            upstream.append(dep_build[0] if dep_build else dict(dep))
    finally:
        con.close()
    sql_path = build["model_sql_path"]
    sql_file = settings.PROJECT_ROOT / sql_path if sql_path else None
    sql_now = None
    if sql_file and sql_file.exists():
        sql_now = (
            "matches" if lineage.file_sha256(sql_file) == build["model_sql_sha256"] else "changed"
        )
    files = _check_files(build["input_files"] or [], raw_dir or settings.raw_dir())
    return {
        "mart": f"marts.{mart}",
        "grain": grain,
        "row": row,
        "source_rows": {k: row[k] for k in ("source_file", "source_line") if k in row},
        "facts_behind": behind,
        "built_by_run": build["run_id"],
        "partition": build["partition"],
        "started_at": build["started_at"],
        "materialized_at": build["materialized_at"],
        "code_version": build["code_version"],
        "parameters_version": build["parameters_version"],
        "parameter_files": [f for f in files if f["source"] in lineage.PARAMETER_SOURCES],
        "dbt_model": build["dbt_model"],
        "model_sql_path": sql_path,
        "model_sql_sha256": build["model_sql_sha256"],
        "model_sql_on_disk_now": sql_now or "missing",
        "rows_in_mart": build["rows_out"],
        "upstream_assets": upstream,
        "input_files": files,
    }


def where_text(keys: dict[str, str]) -> str:
    return " and ".join(f"{c} is null" if v == "" else f"{c} = {v!r}" for c, v in keys.items())


def render_text(tree: dict) -> str:
    t = tree
    lines = [f"{t['mart']} row ({', '.join(t['grain']) or 'no declared grain'}):"]
    lines += [f"  {k:<28} {v}" for k, v in t["row"].items()]
    lines += [
        "",
        f"Built by run {t['built_by_run']}"
        + (f" for partition {t['partition']}" if t["partition"] else "")
        + f", started {t['started_at']}, materialised {t['materialized_at']}",
        f"  dbt model {t['dbt_model']}: {t['model_sql_path']} sha256 {t['model_sql_sha256']} "
        f"({t['model_sql_on_disk_now']} the file on disk now)",
        f"  code version (git) {t['code_version']}; parameters version {t['parameters_version']}",
        f"  rows in the mart after the run: {t['rows_in_mart']}",
        "",
        "Parameters read from:",
    ]
    lines += [
        f"  {f['path']} sha256 {f['sha256']} ({f['on_disk_now']})" for f in t["parameter_files"]
    ]
    lines += ["", "Upstream assets (run that built each):"]
    lines += [
        f"  {u['asset_key']}"
        + (f" [{u['partition']}]" if u.get("partition") else "")
        + f"  run {u['run_id']}"
        + (f" at {u['materialized_at']}" if u.get("materialized_at") else "")
        for u in t["upstream_assets"]
    ]
    if t.get("facts_behind"):
        lines += ["", *render_facts(t["facts_behind"])]
    lines += [
        "",
        "Files the model reads (all of them, every period, transitively; "
        + (
            "the facts above are the lines behind this row):"
            if t.get("facts_behind")
            else "the rows of the model's own inputs say which lines are behind this row):"
        ),
    ]
    lines += [
        f"  {f['path']}  {f['bytes']:,} bytes  {f['rows_read'] or '-'} rows  sha256 "
        f"{f['sha256']}  loaded by run {f['loaded_by_run']}  [{f['on_disk_now']} the file on "
        "disk now]"
        for f in t["input_files"]
    ]
    return "\n".join(lines)


def render_facts(behind: dict) -> list[str]:
    lines = [
        f"Facts behind this row: rows of {behind['model']} equal to it on "
        f"{', '.join(behind['matched_on'])}"
    ]
    for count in behind["counts"]:
        verdict = "agrees" if count["agrees"] else "DIFFERS from the mart"
        figure = "null (unknown)" if count["in_mart"] is None else count["in_mart"]
        lines.append(f"  {count['column']} = {figure}: {count['facts']} fact(s) ({verdict})")
        if count["listed"]:
            for fact in count["listed"]:
                where = f"{fact['source_file']} line {fact['source_line']}"
                rest = ", ".join(
                    f"{k} {v}" for k, v in fact.items() if k not in ("source_file", "source_line")
                )
                lines.append(f"    {where}" + (f"  ({rest})" if rest else ""))
        elif count["facts"]:
            lines.append(f"    more than {behind['limit']} (--limit N lists up to N); per file:")
            lines += [f"    {f['source_file']}: {f['rows']:,}" for f in count["per_file"]]
    return lines


def to_json(tree: dict) -> str:
    return json.dumps(tree, indent=2, default=str, ensure_ascii=False)
