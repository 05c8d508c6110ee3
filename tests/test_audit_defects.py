"""The defects an independent recomputation found in the quota, indicator and fragility marts
and in the exports, each on a landing zone built for it, with numbers worked by hand.

Sicoval (31035, CIA from 2025, first-quartile threshold 8 895 EUR), Grand Montauban (82121,
CIA from 2020, threshold 7 388 EUR) and a commune of the Aude (11069) that belongs to no
territory of the agreement. Single-adult households: a monthly income of 500 EUR is 6 000 EUR
a year per consumption unit (first quartile in both EPCIs), 1 000 EUR is 12 000 (not).
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from core.layout import Layout
from publication.suppression import policy, unclassified_columns
from tests.conftest import attrib_run
from tests.raw_builder import LANDLORDS, QPV_CODES, demand_row, landing_zone, rpls_row, write

SICOVAL, MONTAUBAN, AUDE = "31035", "82121", "11069"
QPV_CODES.setdefault(MONTAUBAN, "QP082901")
# a landlord outside the agreement, in the Aude, with a dwelling in a QPV of the Aude: neither is
# in the agreement's tables (a national register holds them all)
LANDLORDS.setdefault("Habitat Audois", "11000000200019")
QPV_CODES.setdefault(AUDE, "QN011001")

# (n, year, landlord, commune, first quartile, priority, holder, decision, lease)
DECISIONS = [
    # D3: four Sicoval leases in 2024, before its CIA (2025); #1 only is first quartile
    (1, 2024, "Promologis", SICOVAL, True, None, "AUCUN", "ATTRIBUEE", True),
    (2, 2024, "Promologis", SICOVAL, False, None, "AUCUN", "ATTRIBUEE", True),
    (3, 2024, "Promologis", SICOVAL, False, None, "AUCUN", "ATTRIBUEE", True),
    (4, 2024, "Promologis", SICOVAL, False, None, "AUCUN", "ATTRIBUEE", True),
    # D1: Promologis's 2025 decisions in Haute-Garonne: 3, of which 1 priority
    (5, 2025, "Promologis", SICOVAL, False, "DALO", "COLTER", "ATTRIBUEE", True),
    (6, 2025, "Promologis", SICOVAL, False, None, "COLTER", "ATTRIBUEE", True),
    (7, 2025, "Promologis", SICOVAL, False, None, "COLTER", "ATTRIBUEE", True),
    # ... and in Tarn-et-Garonne: 6, of which 3 priority (outside the agreement)
    # D4: Action Logement (COLACT) in Grand Montauban: 1 priority lease of 4
    (8, 2025, "Promologis", MONTAUBAN, False, "PDALHPD_VIOLENCES", "COLACT", "ATTRIBUEE", True),
    (9, 2025, "Promologis", MONTAUBAN, False, None, "COLACT", "ATTRIBUEE", True),
    (10, 2025, "Promologis", MONTAUBAN, False, None, "COLACT", "ATTRIBUEE", True),
    (11, 2025, "Promologis", MONTAUBAN, False, None, "COLACT", "ATTRIBUEE", True),
    (12, 2025, "Promologis", MONTAUBAN, False, "DALO", "AUCUN", "ATTRIBUEE", True),
    (13, 2025, "Promologis", MONTAUBAN, False, "CSE", "AUCUN", "ATTRIBUEE", True),
    # a lease in a commune of no territory (Aude), by a local-authority holder
    (14, 2025, "3F", AUDE, False, None, "COLTER", "ATTRIBUEE", True),
]
# D5: one more Sicoval demand, still active on 31 December 2025 (700 EUR a month: 8 400 EUR a
# year per consumption unit), alone in its demand-pressure cell
ACTIVE_DEMAND = 15
# D6 and D5: three surveyed households in Sicoval's residence R-31035, all very modest (OPS
# bracket 1), and one whose dwelling is in no register vintage
SURVEYED = ["W001", "W002", "W003", "GHOST"]


def number(n: int) -> str:
    return f"0312024{n:010d}D"


def demand(n: int, commune: str, q1: bool, priority: str | None, struck_off: str) -> dict:
    return demand_row(
        number(n),
        commune,
        monthly_income=500 if q1 else 1000,
        struck_off=struck_off,
        priority=priority,
        created="2023-01-10",
    )


def household(ident: str) -> dict:
    return {
        "IDENT_REP": ident,
        "NB_OCCUPANTS": "2",
        "NB_ENFANTS": "0",
        "AGE_TITULAIRE": "40",
        "COMPOSITION": "CSE",
        "RESSOURCES_PLAFOND": "1",
        "APL": "OUI",
        "ACTIVITE_TITULAIRE": "CHOMAGE",
        "MENAGE_EN_EMPLOI": "NON",
        "IMPAYE_3_MOIS": "OUI",
        "EMMENAGE_RECENT": "NON",
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("defects")
    # French folder names hold apostrophes (Côte-d'Or): every path is bound or quoted
    raw = landing_zone(root / "extraits d'Occitanie")
    dwellings, demands, decisions = {}, {2024: [], 2025: []}, {2024: [], 2025: []}
    for n, year, landlord, commune, q1, priority, holder, decision, lease in DECISIONS:
        ident = f"W{n:03d}"
        dwellings[ident] = rpls_row(ident, landlord, commune, 13)
        signed = f"{year}-03-20" if lease else ""
        demands[year].append(demand(n, commune, q1, priority, signed))
        decisions[year].append(
            {
                "NUM_UNIQUE": number(n),
                "IDENT_REP": ident,
                "DEPCOM": commune,
                "QPV": "2",
                "SIRET": LANDLORDS[landlord],
                "DATE_CALEOL": f"{year}-03-05",
                "RANG": "1",
                "RESERVATAIRE": holder,
                "DECISION": decision,
                "ISSUE": "BAIL_SIGNE" if lease else "",
                "DATE_BAIL": signed,
                "MOTIF_REFUS": "",
            }
        )
    demands[2025].append(
        demand_row(number(ACTIVE_DEMAND), SICOVAL, monthly_income=700, created="2023-01-10")
    )
    dwellings["AUDOIS"] = rpls_row("AUDOIS", "Habitat Audois", AUDE, 13, qpv=True)
    for vintage in (2024, 2025):
        for dep in ("31", "82", "11"):
            rows = [d for d in dwellings.values() if d["DEPCOM"].startswith(dep)]
            write(raw, f"rpls/rpls_{vintage}_{dep}.csv", rows, "rpls")
    for year in (2024, 2025):
        write(raw, f"sne/demandes_{year}.csv", demands[year], "sne_demandes")
        write(raw, f"sne/attributions_{year}.csv", decisions[year], "sne_attributions")
    write(raw, "ops/ops_2024_31.csv", [household(i) for i in SURVEYED], "ops")
    warehouse = root / "entrepôt de l'Occitanie" / "attrib.duckdb"
    attrib_run(raw, warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con, warehouse
    con.close()


def quota(con, period, level, quota_code, holder="ALL", *, territory=None, departement=None):
    rows = con.execute(
        """
        SELECT numerator, denominator, target, status, gap FROM marts.quota_attainment
        WHERE period = ? AND level = ? AND quota = ? AND reservation_holder = ?
          AND (territory_name = ? OR ? IS NULL) AND (departement = ? OR ? IS NULL)""",
        [period, level, quota_code, holder, territory, territory, departement, departement],
    ).fetchall()
    assert len(rows) <= 1, rows
    return rows[0] if rows else None


def test_d1_acd_indicators_keep_to_the_agreements_departement(built):
    con, _ = built
    rows = con.execute("""
        SELECT level, territory_name, decisions, priority_decisions, indicator_b_rate,
               indicator_b_met
        FROM marts.acd_indicators
        WHERE period = '2025' AND landlord_name = 'Promologis' ORDER BY level""").fetchall()
    # Haute-Garonne only: #5-#7, priority #5: B = 1/3 < 37.5 %, not met (with the six
    # Tarn-et-Garonne decisions, #8 #12 #13 priority, it read 4/9 = 44.4 %, met)
    assert rows[0][:4] == ("landlord", None, 3, 1)
    assert rows[0][4] == pytest.approx(1 / 3) and rows[0][5] is False
    # landlord x territory rows only in the agreement's territories (those with decisions or
    # a published objective): Sicoval holds the three decisions, Grand Montauban has no row
    cells = {r[1]: r[2] for r in rows if r[0] == "landlord_territory"}
    assert cells["Sicoval"] == 3 and sum(cells.values()) == 3
    assert "Grand Montauban" not in cells
    territories = {
        t
        for (t,) in con.execute(
            "SELECT DISTINCT territory_name FROM marts.acd_indicators"
        ).fetchall()
    }
    assert "Grand Montauban" not in territories


def test_d2_no_objective_no_gap(built):
    con, _ = built
    # 2024: annex 1 publishes no objective: the gap is unknown, not zero
    rows = con.execute("""
        SELECT indicator_a_objective, indicator_a_met, indicator_a_gap
        FROM marts.acd_indicators WHERE period = '2024'""").fetchall()
    assert rows and all(r == (None, None, None) for r in rows)
    # 2025, Promologis: objective 769 (annex 1), 1 priority entry (#5): 768 missing
    (row,) = con.execute("""
        SELECT indicator_a_objective, indicator_a_entries, indicator_a_gap
        FROM marts.acd_indicators
        WHERE period = '2025' AND level = 'landlord' AND landlord_name = 'Promologis'
    """).fetchall()
    assert row == (769, 1, 768)


def test_d3_a_territory_before_its_cia_is_held_to_the_law(built):
    con, _ = built
    # Sicoval 2024, CIA not yet in force: the law's 25 % first quartile outside QPV, 1/4 met
    assert quota(con, "2024", "territory", "Q1_OUTSIDE_QPV", territory="Sicoval") == (
        1,
        4,
        0.25,
        "met",
        0,
    )
    # the law's 25 % per reservation holder: AUCUN #1-#4, none priority: ceil(1 - 0) = 1 short
    assert quota(con, "2024", "territory", "PRIORITY", "AUCUN", territory="Sicoval") == (
        0,
        4,
        0.25,
        "missed",
        1,
    )
    # the four leases stay in the département-31 rollup (it read 0/0 'n/a')
    assert quota(con, "2024", "departement", "Q1_OUTSIDE_QPV", departement="31") == (
        1,
        4,
        0.25,
        "met",
        0,
    )
    # from 2025 the CIA's own quotas: transfers (CIA only) appear for Sicoval
    assert quota(con, "2025", "territory", "TRANSFER", territory="Sicoval")[:3] == (0, 3, 0.25)
    assert quota(con, "2024", "territory", "TRANSFER", territory="Sicoval") is None


def test_d4_each_rollup_is_judged_against_the_policy_that_covers_it(built):
    con, _ = built
    # Grand Montauban's CIA: 25 % per holder; COLACT #8-#11, #8 priority: 1/4 met
    assert quota(con, "2025", "territory", "PRIORITY", "COLACT", territory="Grand Montauban") == (
        1,
        4,
        0.25,
        "met",
        0,
    )
    # the Tarn-et-Garonne rollup: the law (25 %), not the Haute-Garonne agreement's 37.5 %
    # (which made it 'missed' with a gap of ceil(1.5 - 1) = 1)
    assert quota(con, "2025", "departement", "PRIORITY", "COLACT", departement="82") == (
        1,
        4,
        0.25,
        "met",
        0,
    )
    # the Haute-Garonne rollup: the ACD's 37.5 %; COLTER #5-#7, #5 priority: ceil(1.125-1) = 1
    assert quota(con, "2025", "departement", "PRIORITY", "COLTER", departement="31") == (
        1,
        3,
        0.375,
        "missed",
        1,
    )
    # transfers are set by the CIAs only: no département target, the sum of the territories'
    # gaps (Sicoval: 0 of 3 at 25 % -> 1; Grand Montauban: 0 of 6 at 20 % -> ceil(1.2) = 2)
    assert quota(con, "2025", "departement", "TRANSFER", departement="31") == (
        0,
        3,
        None,
        "no_target",
        1,
    )
    assert quota(con, "2025", "departement", "TRANSFER", departement="82") == (
        0,
        6,
        None,
        "no_target",
        2,
    )


def test_a_lease_in_a_commune_of_no_territory_is_kept_and_counted(built):
    con, _ = built
    # #14 in the Aude: the law's 25 % for COLTER, 0/1 -> 1 short; its own département rollup
    assert quota(con, "2025", "departement", "PRIORITY", "COLTER", departement="11") == (
        0,
        1,
        0.25,
        "missed",
        1,
    )
    levels = con.execute("""
        SELECT level, count(*) FROM marts.quota_attainment
        WHERE period = '2025' AND departement = '11' AND quota = 'PRIORITY'
        GROUP BY level ORDER BY level""").fetchall()
    assert levels == [("commune", 1), ("departement", 1), ("landlord", 1), ("territory", 1)]
    # and it is no ACD indicator (outside the agreement's département)
    assert not con.execute(
        "SELECT count(*) FROM marts.acd_indicators WHERE landlord_name = '3F' AND decisions > 0"
    ).fetchone()[0]


def test_d6_households_without_register_dwelling_are_counted_not_grouped_under_null(built):
    con, _ = built
    for table, key in (
        ("fragility_residence", "residence_key"),
        ("priority_residences", "residence_key"),
        ("residence_q1_capacity", "residence_key"),
        ("fragility_commune", "depcom"),
    ):
        nulls = con.execute(f"SELECT count(*) FROM marts.{table} WHERE {key} IS NULL")
        assert nulls.fetchone()[0] == 0, table
    (households,) = con.execute(
        "SELECT households FROM marts.fragility_residence WHERE residence_key LIKE '%-R-31035'"
    ).fetchone()
    assert households == 3  # W001-W003; GHOST has no dwelling in the register
    assert con.execute(
        """SELECT source_file, year, rows_flagged FROM marts.data_quality
           WHERE check_name = 'ops_household_without_register_dwelling'"""
    ).fetchall() == [("ops/ops_2024_31.csv", 2024, 1)]


def exported(warehouse, mart: str) -> pd.DataFrame:
    return pd.read_parquet(Layout(warehouse).exports / f"{mart}.parquet")


def test_d5_no_exported_value_comes_from_fewer_than_the_threshold(built):
    con, warehouse = built
    # in the warehouse (internal use) the values are there...
    (threshold,) = con.execute("""
        SELECT recomputed_q1_threshold_eur FROM marts.demand_pressure
        WHERE period = '2025' AND territory_name = 'Sicoval' AND dimension = 'all'""").fetchone()
    assert threshold == 8400.0  # one active demand: its own income per consumption unit
    assert con.execute("SELECT count(*) FROM marts.priority_residences").fetchone()[0] == 1
    (cls,) = con.execute("SELECT q1_capacity_class FROM marts.residence_q1_capacity").fetchone()
    assert cls == "should_not"  # 3 of 3 households very modest
    # ...but nothing computed from fewer than 5 households or demands is exported
    pressure = exported(warehouse, "demand_pressure")
    sicoval = pressure[(pressure.period == "2025") & (pressure.dimension == "all")]
    assert sicoval.recomputed_q1_threshold_eur.isna().all()
    assert "recomputed_q1_threshold_eur" in sicoval.suppressed_columns.iloc[0]
    capacity = exported(warehouse, "residence_q1_capacity")
    assert capacity.q1_capacity_class.isna().all()
    assert len(exported(warehouse, "priority_residences")) == 0  # membership of a list


def test_d5_every_exported_column_is_classified(built):
    _, warehouse = built
    files = sorted(Layout(warehouse).exports.glob("*.parquet"))
    assert len(files) == len(policy().marts)
    for path in files:
        columns = list(pd.read_parquet(path).columns)
        assert unclassified_columns(path.stem, columns) == [], path.name
    # and a new column would be caught
    assert unclassified_columns("quota_attainment", ["period", "new_count"]) == ["new_count"]


def test_rows_outside_the_agreement_are_kept_flagged_and_out_of_the_acd_marts(built):
    """A national register: every commune of France (COG 2026: 34,746 metropolitan and 129
    overseas communes), every landlord and QPV met, the agreement's 597 communes flagged."""
    con, _ = built
    assert con.execute(
        """SELECT count(*), count(*) FILTER (WHERE in_agreement_territories),
                  count(*) FILTER (WHERE departement IN ('971', '972', '973', '974', '976'))
           FROM marts.dim_commune"""
    ).fetchone() == (34875, 597, 129)
    assert con.execute(
        "SELECT commune_name, departement, territory_id FROM marts.dim_commune WHERE depcom = ?",
        [AUDE],
    ).fetchone() == ("Carcassonne", "11", None)
    assert con.execute(
        """SELECT landlord_name, is_party_to_acd, in_agreement_tables, in_register
           FROM marts.dim_landlord WHERE siret = ?""",
        [LANDLORDS["Habitat Audois"]],
    ).fetchone() == ("Habitat Audois", False, False, True)
    assert con.execute(
        "SELECT depcom, in_reference_list FROM marts.dim_qpv WHERE qpv_code = 'QN011001'"
    ).fetchone() == (AUDE, False)
    flags = dict(
        con.execute(
            """SELECT ident_rep, in_agreement_territories FROM marts.fct_dwelling_stock
               WHERE vintage = 2025 AND ident_rep IN ('AUDOIS', 'W014', 'W001')"""
        ).fetchall()
    )
    assert flags == {"AUDOIS": False, "W014": False, "W001": True}
    assert con.execute(
        "SELECT in_agreement_territories FROM marts.fct_attribution WHERE ident_rep = 'W014'"
    ).fetchone() == (False,)
    # the ACD marts keep to the agreement's territories
    assert not con.execute(
        "SELECT count(*) FROM marts.capacity_by_commune WHERE depcom = ?", [AUDE]
    ).fetchone()[0]
