"""The dbt warehouse built for real (dbt-duckdb) on generated tiny extracts by `attrib run`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey

from core.layout import Layout
from pipelines.definitions import defs

MARTS = [
    "dim_commune",
    "dim_territory",
    "dim_landlord",
    "dim_residence",
    "dim_qpv",
    "fct_dwelling_stock",
    "fct_demand",
    "fct_attribution",
    "fct_occupancy",
]


@pytest.fixture(scope="module")
def built(tiny_built):
    """The tiny sample with a superseded quarterly extract, built once for the session."""
    _, warehouse, _ = tiny_built
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con, warehouse
    con.close()


def test_every_mart_is_built_and_every_column_described(built):
    con, warehouse = built
    docs = Layout(warehouse).docs
    manifest = json.loads((docs / "dbt" / "manifest.json").read_text())
    described = {
        node["name"]: {c for c, meta in node["columns"].items() if meta.get("description")}
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    for mart in MARTS:
        columns = {r[0] for r in con.execute(f"DESCRIBE marts.{mart}").fetchall()}
        assert con.execute(f"SELECT count(*) FROM marts.{mart}").fetchone()[0] > 0, mart
        assert columns - described[mart] == set(), f"{mart}: undocumented columns"
    catalog = json.loads((docs / "dbt" / "catalog.json").read_text())
    assert "model.attrib.fct_attribution" in catalog["nodes"]
    assert (docs / "dbt" / "index.html").stat().st_size > 10_000


def test_every_column_analysts_and_auditors_read_carries_its_description_as_a_comment(built):
    """DESCRIBE, DBeaver and the DuckDB UI show the descriptions: every table and column of
    the marts, the validated raw tables (their load state too), the reference seed and the
    audit tables carry a comment (dbt's persist_docs; the schemas; the audit module)."""
    con, _ = built
    tables = con.execute(
        """SELECT schema_name, table_name, comment FROM duckdb_tables()
           WHERE schema_name IN ('marts', 'raw_validated', 'audit', 'reference')"""
    ).fetchall()
    assert len([t for t in tables if t[0] == "marts"]) >= 20
    assert [t[:2] for t in tables if not t[2]] == []
    missing = con.execute(
        """SELECT schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns()
           WHERE schema_name IN ('marts', 'published', 'raw_validated', 'audit', 'reference')
             AND coalesce(comment, '') = ''"""
    ).fetchall()
    assert missing == []  # the published copies, the rejects, load log and audit included
    (comment,) = con.execute(
        """SELECT comment FROM duckdb_columns() WHERE schema_name = 'marts'
           AND table_name = 'fct_attribution' AND column_name = 'is_lease_signed'"""
    ).fetchone()
    assert comment == "The attribution was followed by a signed lease."


def test_the_readmes_duckdb_shell_reads_the_warehouse(built):
    """`duckdb -readonly warehouse/attrib.duckdb` with the DuckDB shell the set-up installs
    (duckdb-cli, an older DuckDB than the library's): the file is written in a format it reads,
    and the shell shows the column comments."""
    _, warehouse = built
    shell = Path(sys.executable).with_name("duckdb")
    done = subprocess.run(
        [
            str(shell),
            "-readonly",
            str(warehouse),
            "-csv",
            "-noheader",
            "-c",
            "SELECT count(*) FROM marts.quota_attainment; "
            "SELECT comment FROM duckdb_columns() WHERE table_name = 'fct_attribution' "
            "AND column_name = 'is_lease_signed'",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    count, comment = done.stdout.strip().splitlines()
    assert int(count) > 0
    assert comment == "The attribution was followed by a signed lease."


def test_yearly_extract_supersedes_the_quarterly_one(built):
    con, _ = built
    assert con.execute("""SELECT DISTINCT extract_period FROM marts.fct_demand
                          WHERE year = 2025""").fetchall() == [("2025",)]
    assert (
        con.execute("""SELECT count(*) FROM raw_validated.sne_demandes
                          WHERE _partition = '2025T4'""").fetchone()[0]
        == 5
    )


def test_analyst_query_signed_leases_by_territory_qpv_and_first_quartile(built):
    con, _ = built
    rows = con.execute("""
        SELECT territory_name, is_in_qpv, q1_status, count(*) AS leases
        FROM marts.fct_attribution
        WHERE is_lease_signed AND lease_year = 2025
        GROUP BY ALL ORDER BY ALL""").fetchall()
    raw = con.execute("""
        SELECT count(*) FROM raw_validated.sne_attributions
        WHERE ISSUE = 'BAIL_SIGNE' AND year(DATE_BAIL) = 2025""").fetchone()[0]
    assert sum(r[3] for r in rows) == raw > 0
    assert {r[2] for r in rows} <= {"yes", "no", "n/a"}
    assert all(r[0] is not None for r in rows)


def test_perimeter_flags_follow_the_plans(built):
    con, _ = built
    demolished = con.execute("""
        SELECT count(*), count(*) FILTER (WHERE exclusion_reason = 'demolition')
        FROM marts.fct_dwelling_stock s
        JOIN raw_validated.acd_plans p ON p.IDENT_REP = s.ident_rep AND p.KIND = 'DEMOLITION'
        WHERE s.vintage = 2024 AND s.building_type <> 'E'""").fetchone()
    assert demolished[0] == demolished[1]


def test_each_mart_is_downstream_of_the_raw_assets_it_reads():
    graph = defs.resolve_asset_graph()

    def ancestors(key):
        seen, todo = set(), [key]
        while todo:
            for parent in graph.get(todo.pop()).parent_keys:
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    expected = {
        "fct_attribution": [
            "sne_attributions",
            "sne_demandes",
            "rpls",
            "acd_territories",
            "acd_q1_thresholds",
            "acd_landlords",
        ],
        "fct_dwelling_stock": ["rpls", "acd_parameters", "acd_plans"],
        "fct_demand": ["sne_demandes", "acd_q1_thresholds", "acd_territories"],
        "fct_occupancy": ["ops", "rpls", "vacance_commerciale"],
        "dim_commune": ["acd_territories", "acd_commune_tension", "acd_qpv"],
    }
    for mart, sources in expected.items():
        found = ancestors(AssetKey(["marts", mart]))
        for source in sources:
            assert AssetKey(["raw_validated", source]) in found, (mart, source)
    checks = {k.asset_key for k in defs.resolve_asset_graph().asset_check_keys}
    assert AssetKey(["marts", "fct_demand"]) in checks, "dbt tests are Dagster asset checks"
