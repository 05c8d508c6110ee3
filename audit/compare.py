"""Compare the marts of two warehouses table by table (rows as multisets), leaving out what
differs by nature between two runs: load and run ids, timestamps, and (unless asked) the
pseudonymous keys, which change with the key.

    python3 -m audit.compare BEFORE.duckdb AFTER.duckdb [--schema marts] [--keep-hashes]

Prints, per table, the row counts and whether the rows are identical; exits 1 when a table
shared by both differs. Doubles are compared to 9 decimals: a parallel sum's last bits depend
on the order DuckDB adds the rows in.
"""

from __future__ import annotations

import argparse
import sys

import duckdb

from core.connection import sql_string

IGNORED = {"load_id", "_load_id", "run_id", "loaded_at", "materialized_at", "started_at"}
HASHED = {"demand_key", "decision_key", "household_key"}


def columns(con, schema: str, table: str) -> dict[str, str]:
    return dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? "
            "AND table_name = ? ORDER BY ordinal_position",
            [schema, table],
        ).fetchall()
    )


def selected(name: str, data_type: str) -> str:
    """A column as compared: doubles to 9 decimals, since a parallel sum's last bits depend on
    the order DuckDB adds the rows in."""
    if data_type in ("DOUBLE", "FLOAT"):
        return f'round("{name}", 9)'
    return f'"{name}"'


def differences(before: str, after: str, schema: str = "marts", ignore_hashes: bool = True):
    """(table, rows before, rows after, rows only before, rows only after, note) per table."""
    con = duckdb.connect()
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
            yield table, None, None, None, None, f"only {side}"
            continue
        ca = columns(con.execute("USE a"), schema, table)
        cb = columns(con.execute("USE b"), schema, table)
        skip = IGNORED | (HASHED if ignore_hashes else set())
        shared = [c for c in ca if c in cb and c not in skip]
        extra = sorted(set(ca) ^ set(cb))
        cols = ", ".join(selected(c, ca[c]) for c in shared)
        n_a, n_b, only_a, only_b = con.execute(f"""
            SELECT (SELECT count(*) FROM a.{schema}.{table}),
              (SELECT count(*) FROM b.{schema}.{table}),
              (SELECT count(*) FROM (SELECT {cols} FROM a.{schema}.{table}
                                     EXCEPT ALL SELECT {cols} FROM b.{schema}.{table})),
              (SELECT count(*) FROM (SELECT {cols} FROM b.{schema}.{table}
                                     EXCEPT ALL SELECT {cols} FROM a.{schema}.{table}))
        """).fetchone()
        note = f"columns on one side only: {', '.join(extra)}" if extra else ""
        yield table, n_a, n_b, only_a, only_b, note
    con.close()


def compare(before: str, after: str, schema: str, ignore_hashes: bool) -> int:
    differs = 0
    for table, n_a, n_b, only_a, only_b, note in differences(before, after, schema, ignore_hashes):
        if n_a is None:
            print(f"{table:<32} {note}")
            continue
        same = only_a == 0 and only_b == 0
        differs += not same
        state = "identical" if same else f"DIFFERS ({only_a} rows only before, {only_b} only after)"
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
