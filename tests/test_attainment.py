"""Quotas, ACD indicators and demand pressure on the hand-built 2025 of
tests/attainment_scenario.py (decisions numbered #1-#16 there)."""

from __future__ import annotations

import json
import os

import duckdb
import pytest

from audit.explain import explain_row
from core.layout import Layout
from pipelines.cli import main
from tests.conftest import copy_warehouse


def quotas(warehouse, period, level, territory=None, landlord=None):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            """
            SELECT quota, reservation_holder, numerator, denominator, rate, target, status, gap
            FROM marts.quota_attainment
            WHERE period = ? AND level = ?
              AND (territory_name = ? OR ? IS NULL) AND (landlord_name = ? OR ? IS NULL)
              AND (level <> 'departement' OR departement = '31')""",
            [period, level, territory, territory, landlord, landlord],
        ).fetchall()
    finally:
        con.close()
    return {(r[0], r[1]): r[2:] for r in rows}


def con_rows(warehouse, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_sicoval_quotas_for_the_year(attainment):
    q = quotas(attainment, "2025", "territory", "Sicoval")
    # 10 leases (#1-#10); first quartile or urban renewal: #1, #2, #9 -> 3/10 >= 25 %
    assert q[("Q1_OUTSIDE_QPV", "ALL")] == (3, 10, pytest.approx(0.3), 0.25, "met", 0)
    # without the student (#1): 2/9 = 22.2 %; ceil(0.25 x 9 - 2) = 1 attribution short
    assert q[("Q1_OUTSIDE_QPV_EXCL_STUDENTS", "ALL")] == (
        2,
        9,
        pytest.approx(2 / 9),
        0.25,
        "missed",
        1,
    )
    # transfers #2, #4: 2/10 < 25 %, ceil(2.5 - 2) = 1
    assert q[("TRANSFER", "ALL")] == (2, 10, pytest.approx(0.2), 0.25, "missed", 1)
    # priority per reservation holder: PPRIOR 1/1 against 100 %; COLTER #2-#4 1/3 and AUCUN
    # #5-#7 1/3 against 37.5 % (ceil(1.125 - 1) = 1); COLACT #9-#10 1/2; PFONCT no target
    assert q[("PRIORITY", "PPRIOR")] == (1, 1, 1.0, 1.0, "met", 0)
    assert q[("PRIORITY", "COLTER")] == (1, 3, pytest.approx(1 / 3), 0.375, "missed", 1)
    assert q[("PRIORITY", "AUCUN")] == (1, 3, pytest.approx(1 / 3), 0.375, "missed", 1)
    assert q[("PRIORITY", "COLACT")] == (1, 2, 0.5, 0.375, "met", 0)
    assert q[("PRIORITY", "PFONCT")][:2] == (0, 1) and q[("PRIORITY", "PFONCT")][4] == ("no_target")
    # the law's quartiles 2-4 in QPV applies to every territory; Sicoval has no QPV
    assert q[("Q234_IN_QPV", "ALL")] == (0, 0, None, 0.5, "no_attribution", None)


def test_rollups_come_from_counts(attainment):
    promologis = quotas(attainment, "2025", "landlord", "Sicoval", "Promologis")
    threef = quotas(attainment, "2025", "landlord", "Sicoval", "3F")
    # Promologis #1-#8: 2/8 = 25 % (met at the edge); 3F #9-#10: 1/2
    assert promologis[("Q1_OUTSIDE_QPV", "ALL")][:4] == (2, 8, 0.25, 0.25)
    assert promologis[("Q1_OUTSIDE_QPV", "ALL")][4] == "met"
    assert threef[("Q1_OUTSIDE_QPV", "ALL")][:2] == (1, 2)
    # the département of Haute-Garonne (Sicoval only here), with the DEFAULT targets
    dep = quotas(attainment, "2025", "departement")
    assert dep[("Q1_OUTSIDE_QPV", "ALL")][:4] == (3, 10, pytest.approx(0.3), 0.25)
    assert dep[("TRANSFER", "ALL")][4] == "no_target"


def test_quarter_to_date(attainment, tmp_path, monkeypatch):
    # dbt started by a run logs to dbt.log at level info: each node's status and seconds, no
    # statement (core/dbt_process.py), unless DBT_LOG_LEVEL_FILE asks for more
    if "DBT_LOG_LEVEL_FILE" not in os.environ:
        built = (Layout(attainment).dbt_target / "dbt.log").read_text()
        assert "LogModelResult" in built and '"SQLQuery"' not in built
    t1 = quotas(attainment, "2025T1", "territory", "Sicoval")
    assert t1[("Q1_OUTSIDE_QPV", "ALL")][:2] == (2, 2)  # #1, #2 signed in Q1
    assert t1[("TRANSFER", "ALL")][:3] == (1, 2, 0.5)
    # a quarter with no extract of its own is computed from the yearly one, year to date
    from core.settings import Settings
    from pipelines.definitions import build_definitions

    def facts():
        con = duckdb.connect(str(attainment), read_only=True)
        try:
            return {
                table: con.execute(f"FROM {table} ORDER BY ALL").fetchall()
                for table in ("marts.fct_demand", "marts.fct_attribution")
            }
        finally:
            con.close()

    whole = facts()
    raw = attainment.parent.parent / "raw"
    # the job rebuilds a copy: the sample is shared with other tests (and the other process)
    attainment = copy_warehouse(attainment, tmp_path / "warehouse")
    job = build_definitions(Settings.resolve(raw, attainment))
    monkeypatch.setenv("DBT_LOG_LEVEL_FILE", "debug")  # dbt's own variable: every statement
    result = job.resolve_job_def("warehouse").execute_in_process(
        run_config={"ops": {"warehouse_models": {"config": {"periods": ["2025T2"]}}}}
    )
    assert result.success
    t2 = quotas(attainment, "2025T2", "territory", "Sicoval")
    assert t2[("Q1_OUTSIDE_QPV", "ALL")][:2] == (2, 4)  # #1-#4
    # a run of one period stages and computes its year's demands and decisions again (the
    # SNE chain is incremental by extract year) and gets what the whole run got
    assert facts() == whole and whole["marts.fct_attribution"]
    # its tests on the demands check that year's rows, the others checked when they were built
    results = json.loads((Layout(attainment).dbt_target / "run_results.json").read_text())
    compiled = {
        r["unique_id"].split(".")[2]: r.get("compiled_code") or ""
        for r in results["results"]
        if r["unique_id"].startswith("test.")
    }
    assert "where year in (2025)" in compiled["unique_combination_fct_demand_year__demand_key"]
    assert "in (2025)" not in compiled["unique_fct_attribution_decision_key"]  # across years
    # the period reaches dbt outside its vars: dbt reused its parse of the whole build's
    # (a var that changes makes it parse the project again, 2.8 s at national scale)
    log = (Layout(attainment).dbt_target / "dbt.log").read_text()
    assert "Partial parsing enabled" in log and "Unable to do partial parsing" not in log
    assert '"SQLQuery"' in log


def test_grand_montauban_policy(attainment):
    q = quotas(attainment, "2025", "territory", "Grand Montauban")
    # in QPV #13-#15, quartiles 2-4: #14, #15 -> 2/3 >= 50 %
    assert q[("Q234_IN_QPV", "ALL")] == (2, 3, pytest.approx(2 / 3), 0.5, "met", 0)
    # outside QPV #16 only, not first quartile: 0/1, ceil(0.25) = 1 short
    assert q[("Q1_OUTSIDE_QPV", "ALL")] == (0, 1, 0.0, 0.25, "missed", 1)
    assert q[("ESSENTIAL_WORKER", "ALL")] == (1, 4, 0.25, 0.1, "met", 0)
    assert q[("PRIORITY", "AUCUN")] == (1, 4, 0.25, 0.25, "met", 0)
    assert q[("TRANSFER", "ALL")][:2] == (0, 4)


def test_indicators_a_or_b(attainment):
    con = duckdb.connect(str(attainment), read_only=True)
    rows = {
        r[0]: r[1:]
        for r in con.execute("""
        SELECT landlord_name, indicator_a_entries, indicator_a_objective, indicator_a_met,
               decisions, priority_decisions, indicator_b_rate, indicator_b_met,
               obligation_met, refusals, priority_refusals, indicator_b_gap
        FROM marts.acd_indicators WHERE period = '2025' AND level = 'landlord'""").fetchall()
    }
    # one SQL query answers "who missed both A and B, and by how much"
    missed = con.execute("""
        SELECT landlord_name, indicator_a_gap, indicator_b_gap FROM marts.acd_indicators
        WHERE period = '2025' AND level = 'landlord' AND NOT obligation_met
        ORDER BY landlord_name""").fetchall()
    con.close()
    # Promologis, in Haute-Garonne only (#13-#16 are in Grand Montauban, outside the
    # agreement): priority entries #1, #3, #6 = 3, plus 2 dwellings newly lent for shelter
    # (MODE 4 in the 2026 register, none in 2025) = 5 against annex 1's 769: A missed; decisions
    # #1-#8, #11 = 9 (#12 not attributed), priority #1 #3 #6 #11 = 4: 44.4 % >= 37.5 %: B met,
    # so the obligation is met; #11 is a priority refusal
    assert rows["Promologis"][:3] == (5, 769, False)
    assert rows["Promologis"][3:8] == (9, 4, pytest.approx(4 / 9), True, True)
    assert rows["Promologis"][8:10] == (1, 1)
    # per territory, the priority entries only: the register's shelter dwellings count once,
    # on the landlord's row (Promologis in Sicoval: 3 entries of 5, not 3 + 2)
    sicoval = con_rows(
        attainment,
        """SELECT priority_entries, shelter_entries, indicator_a_entries FROM marts.acd_indicators
           WHERE period = '2025' AND level = 'landlord_territory'
             AND landlord_name = 'Promologis' AND territory_name = 'Sicoval'""",
    )
    assert sicoval == [(3, None, 3)]
    # 3F: #10 only: 1 entry of 121; B 1/2
    assert rows["3F"][:3] == (1, 121, False)
    assert rows["3F"][6:8] == (True, True)
    # landlords without any decision miss both: A gap = their whole objective
    assert ("Alteal", 284, None) in missed
    assert all(name not in {"Promologis", "3F"} for name, _, _ in missed)


def test_demand_pressure(attainment):
    con = duckdb.connect(str(attainment), read_only=True)
    row = con.execute("""
        SELECT active_dec31, satisfied, pressure, official_q1_threshold_eur,
               recomputed_q1_threshold_eur
        FROM marts.demand_pressure
        WHERE period = '2025' AND territory_name = 'Sicoval' AND dimension = 'all'""").fetchone()
    con.close()
    # 12 Sicoval demands: 10 struck off on their lease (satisfied), #11 and #12 still active;
    # active incomes 12 000 and 12 000 -> 25th percentile 12 000
    assert row == (2, 10, 0.2, 8895.0, 12000.0)


def test_explain_of_a_demand_pressure_lists_the_demands_behind_it(attainment):
    """Sicoval 2025, all demands (test_demand_pressure): demand #n is line n + 1 of the yearly
    demand extract; #1-#10 were satisfied (lines 2-11), #11 and #12 are active (12, 13)."""
    keys = ["period=2025", "territory_id=243100633", "dimension=all", "value=all"]
    counts = {
        c["column"]: c
        for c in explain_row(attainment, "demand_pressure", keys)["facts_behind"]["counts"]
    }
    assert all(c["agrees"] for c in counts.values()), counts
    assert [(f["source_file"], f["source_line"]) for f in counts["active_dec31"]["listed"]] == [
        ("sne/demandes_2025.csv", 12),
        ("sne/demandes_2025.csv", 13),
    ]
    assert [f["source_line"] for f in counts["satisfied"]["listed"]] == list(range(2, 12))


def test_explain_of_refusals_lists_the_decisions_behind_them(attainment):
    """Promologis's one refusal of 2025 is #11, a priority household (line 12 of the yearly
    extract, test_indicators_a_or_b)."""
    (category, refusals) = con_rows(
        attainment,
        """SELECT priority_category, refusals FROM marts.acd_refusals
           WHERE period = '2025' AND landlord_name = 'Promologis'""",
    )[0]
    assert refusals == 1 and category != "not priority"
    tree = explain_row(
        attainment,
        "acd_refusals",
        ["period=2025", "siret=31000001100011", f"priority_category={category}"],
    )
    counts = {c["column"]: c for c in tree["facts_behind"]["counts"]}
    assert all(c["agrees"] for c in counts.values()), counts
    assert [(f["source_file"], f["source_line"]) for f in counts["refusals"]["listed"]] == [
        ("sne/attributions_2025.csv", 12)
    ]
    # the agreement's perimeter, as indicator B counts refusals: the same total per landlord
    off = con_rows(
        attainment,
        """SELECT i.period, i.siret, i.refusals, coalesce(sum(r.refusals), 0)
           FROM marts.acd_indicators i LEFT JOIN marts.acd_refusals r USING (period, siret)
           WHERE i.level = 'landlord' GROUP BY ALL
           HAVING i.refusals <> coalesce(sum(r.refusals), 0)""",
    )
    assert off == []


SICOVAL_Q1_2025 = [
    "period=2025",
    "level=territory",
    "territory_id=243100633",
    "quota=Q1_OUTSIDE_QPV",
    "reservation_holder=ALL",
]


def test_explain_of_a_quota_lists_the_leases_behind_it(attainment, capsys):
    """The auditor's question "which leases make 3 of 10?": the facts, file and line, not every
    file the model could read. Decision #n of the scenario is line n + 1 of the yearly extract
    (its header is line 1): the numerator is #1, #2, #9, the denominator #1-#10."""
    tree = explain_row(attainment, "quota_attainment", SICOVAL_Q1_2025)
    counts = {c["column"]: c for c in tree["facts_behind"]["counts"]}
    assert [(f["source_file"], f["source_line"]) for f in counts["numerator"]["listed"]] == [
        ("sne/attributions_2025.csv", 2),
        ("sne/attributions_2025.csv", 3),
        ("sne/attributions_2025.csv", 10),
    ]
    assert [f["source_line"] for f in counts["denominator"]["listed"]] == list(range(2, 12))
    assert counts["not_applicable_leases"]["facts"] == 0
    assert all(c["agrees"] for c in counts.values())
    # above the limit, the count per file instead of the lines
    tree = explain_row(attainment, "quota_attainment", SICOVAL_Q1_2025, limit=5)
    counts = {c["column"]: c for c in tree["facts_behind"]["counts"]}
    assert counts["numerator"]["listed"] and not counts["denominator"]["listed"]
    assert counts["denominator"]["per_file"] == [
        {"source_file": "sne/attributions_2025.csv", "rows": 10}
    ]
    # the same from the command line
    args = ["explain", "quota_attainment", "--warehouse", str(attainment)]
    assert main(args + [f"--key={k}" for k in SICOVAL_Q1_2025]) == 0
    said = capsys.readouterr().out
    assert "numerator = 3: 3 fact(s) (agrees)" in said
    assert "sne/attributions_2025.csv line 10" in said


def test_explain_of_an_indicator_lists_the_decisions_behind_it(attainment):
    """Promologis 2025 (test_indicators_a_or_b): priority entries #1, #3, #6 and decisions
    #1-#8 and #11 counting for B (decision #n is line n + 1 of the yearly extract); #11 is
    the priority refusal. Grand Montauban's #13-#16 are outside the agreement: not listed."""
    tree = explain_row(
        attainment,
        "acd_indicators",
        ["period=2025", "level=landlord", "siret=31000001100011"],
    )
    counts = {c["column"]: c for c in tree["facts_behind"]["counts"]}
    assert all(c["agrees"] for c in counts.values()), counts
    lines = {k: [f["source_line"] for f in c["listed"]] for k, c in counts.items()}
    assert lines["priority_entries"] == [2, 4, 7]
    assert lines["decisions"] == [2, 3, 4, 5, 6, 7, 8, 9, 12]
    assert lines["priority_decisions"] == [2, 4, 7, 12]
    assert lines["priority_refusals"] == [12]
    assert {f["source_file"] for c in counts.values() for f in c["listed"]} == {
        "sne/attributions_2025.csv"
    }
