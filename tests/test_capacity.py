"""Capacity and ACD objectives on the hand-built register of tests/capacity_scenario.py,
numbers worked by hand (docs/rules.md, ACD annex 3)."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from audit.explain_objective import explain_objective, render_text
from pipelines.cli import main
from tests.capacity_scenario import A, B, build


def objectives(warehouse, year, level):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {
            (r[0], r[1]): r[2:]
            for r in con.execute(
                """
                SELECT coalesce(landlord_name, 'ALL'), coalesce(territory_name, 'ALL'),
                       objective_unrounded, objective, rounding_difference
                FROM marts.capacity_objectives WHERE year = ? AND level = ?""",
                [year, level],
            ).fetchall()
        }
    finally:
        con.close()


def test_annex3_worked_example_landlord_at_8_percent(scenario):
    _, _, warehouse = scenario
    con = duckdb.connect(str(warehouse), read_only=True)
    existing = con.execute("""SELECT sum(capacity_existing) FROM marts.capacity_by_commune
                              WHERE year = 2025 AND landlord_name = 'Promologis'""").fetchone()
    rows = con.execute("""
        SELECT depcom, is_in_qpv, perimeter, weight, capacity_existing
        FROM marts.capacity_by_commune WHERE year = 2025 AND landlord_name = 'Promologis'
        ORDER BY depcom, is_in_qpv""").fetchall()
    con.close()
    assert existing[0] == pytest.approx(4.6556, abs=1e-9)
    expected = [
        ("31068", False, 121, 0.275, 2.662),
        ("31069", False, 26, 0.425, 0.884),
        ("31069", True, 50, 0.2125, 0.85),
        ("31070", False, 11.8, 0.275, 0.2596),
    ]
    for got, want in zip(rows, expected, strict=True):
        assert got[:2] == want[:2]
        assert got[2:] == pytest.approx(want[2:], abs=1e-9)


def test_exclusions_deliveries_sale_share_and_totals_2025(scenario):
    _, _, warehouse = scenario
    cells = objectives(warehouse, 2025, "landlord_territory")
    # B Toulouse: existing (10.4 + 3 delivered in 2024) x 0.425 x 0.09 = 0.51255 and
    # 6 PLAI x 0.2125 x 0.09 = 0.11475; new: 2 PLAI in QPV x 0.2125 = 0.425;
    # (0.51255 + 0.11475 + 0.425) x (1 - 0.1) = 0.94707
    assert cells[(B, "Toulouse Métropole")][0] == pytest.approx(0.94707, abs=1e-9)
    # B Blajan (Comminges): 5 x 0.275 x 0.09 = 0.12375; new 10 PLS x 0.1 x 0.275 = 0.275
    assert cells[(B, "Cœur et Coteaux du Comminges")][0] == pytest.approx(0.358875, abs=1e-9)
    assert cells[(A, "Reste du 31")][:2] == (pytest.approx(2.662), 3)
    assert cells[(A, "Toulouse Métropole")][:2] == (pytest.approx(1.734), 2)
    landlords = objectives(warehouse, 2025, "landlord")
    assert landlords[(A, "ALL")][:2] == (pytest.approx(4.6556), 5)
    assert landlords[(B, "ALL")][:2] == (pytest.approx(1.305945), 1)
    territories = objectives(warehouse, 2025, "territory")
    # Comminges: 0.2596 + 0.358875 = 0.618475 -> 1, while its cells round to 0 + 0
    assert territories[("ALL", "Cœur et Coteaux du Comminges")] == (pytest.approx(0.618475), 1, 1)
    assert territories[("ALL", "Toulouse Métropole")] == (pytest.approx(2.68107), 3, 0)
    assert objectives(warehouse, 2025, "departement")[("ALL", "ALL")] == (
        pytest.approx(5.961545),
        6,
        0,
    )


def test_chaining_revision_of_plans_and_next_year(scenario):
    _, _, warehouse = scenario
    # 1 Jan 2026 = 1 Jan 2025 + family deliveries of 2025 (B: 10 PLS in Blajan, 2 PLAI in QPV)
    # existing 13.4 x 0.425 x 0.09 + 8 x 0.2125 x 0.09 + 6 x 0.275 x 0.09 = 0.81405;
    # new 2026 from plans revision 1 (4, not 99): 4 x 0.275 = 1.1; no sale share in 2026
    landlords = objectives(warehouse, 2026, "landlord")
    assert landlords[(B, "ALL")][:2] == (pytest.approx(1.91405), 2)
    assert landlords[(A, "ALL")][:2] == (pytest.approx(4.6556), 5)


def test_a_posteriori_revision_from_the_next_vintage(scenario):
    _, _, warehouse = scenario
    con = duckdb.connect(str(warehouse), read_only=True)
    row = con.execute("""
        SELECT planned_deliveries, actual_deliveries, objective_revised_unrounded,
               revision_gap_unrounded, objective_revised
        FROM marts.capacity_objectives
        WHERE year = 2025 AND level = 'landlord' AND landlord_name = '3F'""").fetchone()
    later = con.execute("""SELECT objective_revised FROM marts.capacity_objectives
                           WHERE year = 2026 AND level = 'landlord'""").fetchall()
    rollups = con.execute("""
        SELECT level, landlord_name, planned_deliveries, actual_deliveries, objective_unrounded,
               objective_revised_unrounded
        FROM marts.capacity_objectives WHERE year = 2025
        ORDER BY level, landlord_name""").fetchall()
    con.close()
    # A delivers nothing in 2025, and vintage 2026 says so: 0 actual deliveries (not unknown),
    # so its revised objective is its objective, and the département's revised objective is
    # the sum of its landlords' (it dropped A when A's cells had no delivery row)
    landlords = {r[1]: r for r in rollups if r[0] == "landlord"}
    assert landlords[A][2:4] == (0, 0)
    assert landlords[A][5] == pytest.approx(landlords[A][4])
    (departement,) = [r for r in rollups if r[0] == "departement"]
    assert departement[5] == pytest.approx(sum(r[5] for r in landlords.values()))
    assert departement[5] == pytest.approx(0.873945 + landlords[A][4])
    # 8 PLS first let in 2025 (vintage 2026) instead of 10 PLS + 2 PLAI planned:
    # (0.75105 + 8 x 0.1 x 0.275) x 0.9 = 0.873945
    assert row[:2] == (12, 8)
    assert row[2] == pytest.approx(0.873945)
    assert row[3] == pytest.approx(0.873945 - 1.305945)
    assert row[4] == 1
    assert later == [(None,), (None,)]  # vintage 2027 not loaded yet


def test_dalo_objectives_to_the_unit(scenario):
    _, _, warehouse = scenario
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute("""SELECT year, landlord_name, dalo_share, dalo_unrounded, dalo
                          FROM marts.dalo_objectives ORDER BY year, landlord_name""").fetchall()
    con.close()
    # 2025: (1 + 0.5 x 1) / 5.961545 = 0.2516126; A 1.171408, B 0.328592; 2 to apportion:
    # floors 1 + 0, the extra unit to the larger remainder (B)
    assert [r[1] for r in rows[:2]] == [B, A]
    assert rows[0][2] == pytest.approx(1.5 / 5.961545)
    assert rows[1][3] == pytest.approx(4.6556 * 1.5 / 5.961545)
    assert [(r[0], r[1], r[4]) for r in rows] == [
        (2025, B, 1),
        (2025, A, 1),
        (2026, B, 1),
        (2026, A, 1),
    ]


def test_explain_leads_to_the_rows_and_adds_up(scenario):
    _, _, warehouse = scenario
    tree = explain_objective(warehouse, 2025, "3F", "Toulouse Métropole")
    cells = tree["communes"]
    assert sum(c["capacity_existing"] + c["capacity_new"] for c in cells) * 0.9 == (
        pytest.approx(tree["objective_unrounded"])
    )
    outside = next(c for c in cells if not c["is_in_qpv"])
    plus = next(k for k in outside["perimeter_by_class"] if k["finan_class"] == "PLUS")
    assert (plus["base_dwellings"], plus["delivered_dwellings"]) == (10, 3)
    assert [f["file"] for f in plus["register_rows"]] == ["rpls/rpls_2024_31.csv"]
    assert [f["file"] for f in plus["planned_delivery_rows"]] == ["acd/plans_2025_r1.csv"]
    assert len(plus["register_rows"][0]["sha256"]) == 64
    text = render_text(tree)
    assert "rotation rate 0.09" in text and "x (1 - sale share 0.1)" in text
    # the auditor's question: the published figure beside ours, the run, code and parameters
    # versions that computed it, and each file's full sha256
    con = duckdb.connect(str(warehouse), read_only=True)
    published = con.execute(
        """SELECT source_b, value_b, classification FROM marts.acd_reconciliation
           WHERE check_kind = 'computed_vs_published' AND measure = 'objective' AND year = 2025
             AND landlord_name = '3F' AND territory_name = 'Toulouse Métropole'"""
    ).fetchall()
    (run,) = con.execute(
        "SELECT max_by(run_id, materialized_at) FROM audit.lineage "
        "WHERE asset_key = 'marts/capacity_objectives'"
    ).fetchone()
    con.close()
    assert published
    for table, value, status in published:
        assert f"published in {table}: {value:g} -> {status}" in text
    assert f"computed by run {run} (code " in text
    assert plus["register_rows"][0]["sha256"] in text


def test_editing_one_raw_row_changes_the_objective_and_its_explanation(scenario, tmp_path):
    root, raw, _ = scenario
    edited_raw = tmp_path / "raw"
    shutil.copytree(raw, edited_raw)
    warehouse = tmp_path / "warehouse" / "attrib.duckdb"
    build(edited_raw, warehouse, edit=True)
    # one PLUS dwelling of Billière becomes PLS: 120.1 x 0.275 x 0.08 = 2.6422
    cells = objectives(warehouse, 2025, "landlord_territory")
    assert cells[(A, "Reste du 31")][0] == pytest.approx(2.6422)
    tree = explain_objective(warehouse, 2025, "Promologis", "Reste du 31")
    pls = next(k for k in tree["communes"][0]["perimeter_by_class"] if k["finan_class"] == "PLS")
    assert pls["base_dwellings"] == 11
    assert 12 in pls["register_rows"][0]["lines"]  # the edited row is line 12 of the file


def test_explain_works_for_every_objective_row_and_adds_up(scenario, capsys):
    import json

    _, _, warehouse = scenario
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute("""SELECT year, landlord_name, territory_name, objective_unrounded,
                                 capacity_existing, capacity_new, sale_share
                          FROM marts.capacity_objectives
                          WHERE level = 'landlord_territory'""").fetchall()
    con.close()
    assert len(rows) >= 8
    for year, landlord, territory, unrounded, existing, new, sale in rows:
        tree = explain_objective(warehouse, year, landlord, territory)
        communes = tree["communes"]
        assert sum(c["capacity_existing"] for c in communes) == pytest.approx(existing)
        assert sum(c["capacity_new"] for c in communes) == pytest.approx(new)
        for c in communes:
            perimeter = sum(k["perimeter"] for k in c["perimeter_by_class"])
            assert perimeter == pytest.approx(c["perimeter"])
            assert c["capacity_existing"] == pytest.approx(
                perimeter * c["weight"] * tree["rotation_rate"]
            )
        assert (existing + new) * (1 - (sale or 0)) == pytest.approx(unrounded)
        assert tree["objective_unrounded"] == pytest.approx(unrounded)
    code = main(
        [
            "explain",
            "objective",
            "--year",
            "2025",
            "--landlord",
            "TMH",
            "--territory",
            "Sicoval",
            "--warehouse",
            str(warehouse),
        ]
    )
    assert code == 2 and "no objective for Toulouse Métropole Habitat" in capsys.readouterr().out
    main(
        [
            "explain",
            "objective",
            "--year",
            "2025",
            "--landlord",
            "Promologis",
            "--territory",
            "Toulouse Métropole",
            "--format",
            "json",
            "--warehouse",
            str(warehouse),
        ]
    )
    assert json.loads(capsys.readouterr().out)["objective"] == 2


def test_register_lines_are_ranges_the_first_twelve_unless_lines_is_asked():
    from audit.explain_objective import _file_lines

    # lines 2-4, then every other line from 10 to 60: 1 + 26 ranges
    lines = [2, 3, 4, *range(10, 61, 2)]
    files = [{"file": "rpls/rpls_2025_31.csv", "sha256": "ab12", "lines": lines}]
    (short,) = _file_lines(files, "  ")
    assert short.startswith("  rpls/rpls_2025_31.csv (sha256 ab12) lines 2-4, 10, 12, ")
    assert "28, 30 ... (29 lines in 27 ranges; --lines lists them all)" in short  # 12 ranges
    (every,) = _file_lines(files, "  ", every_line=True)
    assert every.endswith("56, 58, 60") and "--lines" not in every


def test_sums_of_shares_do_not_depend_on_the_order_they_are_added_in():
    """The capacity models add shares, weights and unrounded objectives with ``exact_sum``
    (dbt_project/macros/rounding.sql): the same total in any order, so two builds of the same
    data agree to the last digit and an objective of exactly n + 0.5 always rounds up. A plain
    sum of doubles gives 0.1 + 0.2 + 0.3 = 0.6000000000000001 in that order, 0.6 in the
    reverse one."""
    import jinja2

    from core.dbt_project import DBT_DIR

    macros = (DBT_DIR / "macros" / "rounding.sql").read_text(encoding="utf-8")
    total = jinja2.Environment().from_string(macros + "{{ exact_sum('x') }}").render().strip()
    con = duckdb.connect()
    plain, exact = [
        {
            con.execute(f"SELECT {sql} FROM (SELECT x FROM (VALUES {rows}) t(x))").fetchone()[0]
            for rows in ("(0.1::DOUBLE), (0.2), (0.3)", "(0.3::DOUBLE), (0.2), (0.1)")
        }
        for sql in ("sum(x)", total.splitlines()[-1])
    ]
    assert plain == {0.6000000000000001, 0.6}  # what the macro is there for
    assert exact == {0.6}
