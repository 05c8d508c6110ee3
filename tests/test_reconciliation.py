"""The reconciliation of the committed published tables (raw/acd/published_objectives.csv)."""

from __future__ import annotations

import duckdb
import pytest


@pytest.fixture(scope="module")
def reconciliation(scenario):
    _, _, warehouse = scenario
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute("""SELECT check_kind, year, measure, landlord_name, territory_name, source_a,
                                 value_a, source_b, value_b, classification
                          FROM marts.acd_reconciliation""").fetchall()
    con.close()
    return rows


def test_every_disagreement_between_published_tables_is_listed(reconciliation):
    found = {
        (r[1], r[3], r[4], r[5], int(r[6]), r[7], int(r[8]))
        for r in reconciliation
        if r[9] == "disagreement_between_published_tables"
    }
    # read in the seed: the summary and annex 2 print the 2025 "Reste du 31" column one way,
    # annex 1 another; annex 2 differs on Toulouse Métropole for Alteal (2025, 2027), Promologis
    # (2027) and the territory total (2026, 2027)
    reste = {
        "Alteal": (60, 55),
        "Mésolia": (25, 14),
        "OPH de la Haute-Garonne": (68, 58),
        "Patrimoine SA Languedocienne": (17, 16),
        "Promologis": (72, 47),
    }
    expected = set()
    for landlord, (summary, annex1) in reste.items():
        expected |= {
            (2025, landlord, "Reste du 31", "acd_summary", summary, "annex1", annex1),
            (2025, landlord, "Reste du 31", "annex1", annex1, "annex2", summary),
        }
    expected |= {
        (2025, "Alteal", "Toulouse Métropole", "acd_summary", 158, "annex2", 157),
        (2025, "Alteal", "Toulouse Métropole", "annex1", 158, "annex2", 157),
        (2026, "TOTAL", "Toulouse Métropole", "acd_summary", 2152, "annex2", 2151),
        (2027, "Alteal", "Toulouse Métropole", "acd_summary", 217, "annex2", 214),
        (2027, "Alteal", "Toulouse Métropole", "annex1", 217, "annex2", 214),
        (2027, "Promologis", "Toulouse Métropole", "acd_summary", 416, "annex2", 415),
        (2027, "Promologis", "Toulouse Métropole", "annex1", 416, "annex2", 415),
        (2027, "TOTAL", "Toulouse Métropole", "acd_summary", 2278, "annex2", 2275),
    }
    assert found == expected


def test_totals_that_differ_beyond_rounding_are_apart_from_rounding(reconciliation):
    within = {
        (r[1], r[3], int(r[6]), int(r[8]))
        for r in reconciliation
        if r[9] == "disagreement_within_table"
    }
    # annex 1 2025: the landlord totals do not add up from its own "Reste du 31" column
    assert within == {
        (2025, "Alteal", 284, 280),
        (2025, "Mésolia", 125, 115),
        (2025, "OPH de la Haute-Garonne", 114, 103),
        (2025, "Promologis", 769, 744),
    }
    rounding = [r for r in reconciliation if r[9] == "rounding" and r[0] == "published_vs_total"]
    assert rounding and all(abs(r[6] - r[8]) <= 6 for r in rounding)


def test_dalo_objectives_reproduced_as_published(reconciliation):
    dalo = {
        (r[1], r[3]): (int(r[6]), int(r[8]), r[9])
        for r in reconciliation
        if r[0] == "dalo_reproduction"
    }
    for year in (2025, 2026):
        assert {k[1] for k in dalo if k[0] == year} and all(
            v[2] == "consistent" for k, v in dalo.items() if k[0] == year
        ), year
    assert dalo[(2025, "3F")][:2] == (33, 33)
    assert dalo[(2025, "Promologis")][:2] == (212, 212)
    assert dalo[(2025, "ICF Atlantique")][:2] == (16, 16)  # 15.41: largest remainder, not 15
    assert {k[1]: v[:2] for k, v in dalo.items() if k[0] == 2027 and v[2] != "consistent"} == {
        "Les Chalets": (122, 123),
        "Patrimoine SA Languedocienne": (86, 85),
    }
