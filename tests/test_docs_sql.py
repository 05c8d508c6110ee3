"""Every SQL block of the README and docs/ runs on the sample warehouse and returns rows: a
documented query that fails or answers nothing is a defect of the docs."""

from __future__ import annotations

import re

import duckdb
import pytest

from core.layout import Layout
from core.settings import PROJECT_ROOT

PAGES = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```sql\n(.*?)```", re.DOTALL)


def statements() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for block in BLOCK.findall(page.read_text(encoding="utf-8")):
            for statement in block.split(";"):
                code = "\n".join(
                    line for line in statement.splitlines() if not line.strip().startswith("--")
                ).strip()
                if code:
                    found.append((page.name, code))
    return found


@pytest.mark.parametrize(
    "page, sql", statements(), ids=[f"{p}:{s.split()[0:4]}" for p, s in statements()]
)
def test_documented_query_runs_and_answers(page, sql, tiny_built):
    _, warehouse, _ = tiny_built
    # the docs name the default warehouse's exports; the sample's are beside its file
    sql = sql.replace("'warehouse/exports/", f"'{Layout(warehouse).exports.as_posix()}/")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(sql).fetchall()
    finally:
        con.close()
    if "raw_validated.rejects" not in sql:  # the clean sample has no rejected row
        assert rows, f"{page}: the query returns no row:\n{sql}"


def test_the_docs_hold_sql_to_check():
    assert len(statements()) >= 8
