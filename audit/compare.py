"""Compare the marts of two warehouses table by table (rows as multisets), leaving out what
differs by nature between two runs: load and run ids, timestamps, and (unless asked) the
pseudonymous keys, which change with the key.

    python3 -m audit.compare BEFORE.duckdb AFTER.duckdb [--schema marts] [--keep-hashes]

Prints, per table, the row counts and whether the rows are identical; exits 1 when a table
shared by both differs. Doubles are compared with a relative tolerance of 1e-9: a parallel
sum's last bits depend on the order DuckDB adds the rows in.
"""

from __future__ import annotations

import argparse
import sys

from core.connection import in_memory, sql_string

IGNORED = {"load_id", "_load_id", "run_id", "loaded_at", "materialized_at", "started_at"}
HASHED = {"demand_key", "decision_key", "household_key"}


def columns(con, catalog: str, schema: str, table: str) -> dict[str, str]:
    return dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_catalog = ? AND table_schema = ? AND table_name = ? "
            "ORDER BY ordinal_position",
            [catalog, schema, table],
        ).fetchall()
    )


FLOATS = ("DOUBLE", "FLOAT")
TOLERANCE = 1e-9  # relative: a parallel sum's last bits depend on the order rows are added


def _mismatched_rows(con, schema: str, table: str, types: dict[str, str], shared: list[str]):
    """How many rows differ: rows whose exact columns (all but the floats) are on one side only
    (as multisets); when there are none, the rows are paired in sorted order and those whose
    floats are off by more than the tolerance are counted."""
    exact = [f'"{c}"' for c in shared if types[c] not in FLOATS]
    floats = [f'"{c}"' for c in shared if types[c] in FLOATS]
    if exact:
        cols = ", ".join(exact)
        only_a, only_b = con.execute(f"""
            SELECT (SELECT count(*) FROM (SELECT {cols} FROM a.{schema}.{table}
                                          EXCEPT ALL SELECT {cols} FROM b.{schema}.{table})),
                   (SELECT count(*) FROM (SELECT {cols} FROM b.{schema}.{table}
                                          EXCEPT ALL SELECT {cols} FROM a.{schema}.{table}))
        """).fetchone()
        if only_a or only_b or not floats:
            return max(only_a, only_b)
    order = ", ".join(exact + floats)
    differ = " OR ".join(
        f"((a.{c} IS NULL) <> (b.{c} IS NULL) OR abs(a.{c} - b.{c}) > "
        f"{TOLERANCE} * greatest(1, abs(a.{c})))"
        for c in floats
    )
    side = f"SELECT row_number() OVER (ORDER BY {order}) AS _rn, {order} FROM {{}}.{schema}.{table}"
    return con.execute(f"""
        WITH a AS ({side.format("a")}), b AS ({side.format("b")})
        SELECT count(*) FROM a FULL JOIN b USING (_rn)
        WHERE a._rn IS NULL OR b._rn IS NULL OR {differ}""").fetchone()[0]


def differences(before: str, after: str, schema: str = "marts", ignore_hashes: bool = True):
    """(table, rows before, rows after, rows that differ, note) per table."""
    con = in_memory()
    con.execute(f"ATTACH {sql_string(str(before))} AS a (READ_ONLY)")
    con.execute(f"ATTACH {sql_string(str(after))} AS b (READ_ONLY)")
    tables = {}
    for side in ("a", "b"):
        tables[side] = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_catalog = ? "
                "AND table_schema = ?",
                [side, schema],
            ).fetchall()
        }
    for table in sorted(tables["a"] | tables["b"]):
        if table not in tables["a"] or table not in tables["b"]:
            side = "after" if table in tables["b"] else "before"
            yield table, None, None, None, f"only {side}"
            continue
        ca = columns(con, "a", schema, table)
        cb = columns(con, "b", schema, table)
        skip = IGNORED | (HASHED if ignore_hashes else set())
        shared = [c for c in ca if c in cb and c not in skip]
        extra = sorted(set(ca) ^ set(cb))
        n_a, n_b = con.execute(f"""
            SELECT (SELECT count(*) FROM a.{schema}.{table}),
                   (SELECT count(*) FROM b.{schema}.{table})""").fetchone()
        mismatched = _mismatched_rows(con, schema, table, ca, shared)
        note = f"columns on one side only: {', '.join(extra)}" if extra else ""
        yield table, n_a, n_b, mismatched, note
    con.close()


def compare(before: str, after: str, schema: str, ignore_hashes: bool) -> int:
    differs = 0
    for table, n_a, n_b, mismatched, note in differences(before, after, schema, ignore_hashes):
        if n_a is None:
            print(f"{table:<32} {note}")
            continue
        same = mismatched == 0
        differs += not same
        state = "identical" if same else f"DIFFERS ({mismatched} rows)"
        print(f"{table:<32} {n_a:>7} / {n_b:>7} rows  {state}  {note}".rstrip())
    return 1 if differs else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--schema", default="marts")
    parser.add_argument(
        "--keep-hashes", action="store_true", help="also compare the pseudonymous keys"
    )
    args = parser.parse_args()
    return compare(args.before, args.after, args.schema, not args.keep_hashes)


if __name__ == "__main__":
    sys.exit(main())
