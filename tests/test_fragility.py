"""Fragility on two hand-built residences of twelve households each (criteria worked by hand),
and where the year's attributions went."""

from __future__ import annotations

import duckdb
import pytest

from audit.explain import explain_row
from pipelines.cli import main
from tests.raw_builder import LANDLORDS, landing_zone, rpls_row, write

COMMUNE = "31035"  # Sicoval, zone 1, first-quartile threshold 8 895 EUR


def household(
    ident,
    *,
    job=True,
    activity="EMPLOI_STABLE",
    bracket=3,
    apl=False,
    arrears=False,
    occupants=2,
    children=0,
    composition="CSE",
):
    yes = {True: "OUI", False: "NON"}
    return {
        "IDENT_REP": ident,
        "NB_OCCUPANTS": str(occupants),
        "NB_ENFANTS": str(children),
        "AGE_TITULAIRE": "40",
        "COMPOSITION": composition,
        "RESSOURCES_PLAFOND": str(bracket),
        "APL": yes[apl],
        "ACTIVITE_TITULAIRE": activity,
        "MENAGE_EN_EMPLOI": yes[job],
        "IMPAYE_3_MOIS": yes[arrears],
        "EMMENAGE_RECENT": "NON",
    }


POOR = {"job": False, "activity": "CHOMAGE", "bracket": 1, "apl": True}

# R1 (commercial vacancy 30 % > 15 %: every household has that criterion)
#   h1: all nine (6 occupants in 3 rooms, 5 children, single parent...) -> very high
#   h2, h3: vacancy + no job link + unemployed + very modest + APL = 5 -> high
#   h4: vacancy + APL = 2 -> low; h5-h12: vacancy only -> low
#   high or very high: 3/12 = 25 %: exactly a quarter is not more -> not a priority residence
#   very modest income 3/12 = 25 % -> 'a few with vigilance' (20 % <= share < 35 %)
R1 = (
    [household("R1-01", **POOR, arrears=True, occupants=6, children=5, composition="FM")]
    + [household(f"R1-0{i}", **POOR) for i in (2, 3)]
    + [household("R1-04", apl=True)]
    + [household(f"R1-{i:02d}") for i in range(5, 13)]
)
# R2 (vacancy 5 %): h1-h4 no job link + unemployed + very modest + APL + arrears = 5 -> high;
#   h5 single parent + APL + very modest = 3 -> medium; h6-h12 none
#   high 4/12 = 33 % > 25 % -> priority residence; very modest 5/12 = 41.7 % -> should not
R2 = (
    [household(f"R2-0{i}", **POOR, arrears=True) for i in range(1, 5)]
    + [household("R2-05", bracket=1, apl=True, composition="FM", children=1)]
    + [household(f"R2-{i:02d}") for i in range(6, 13)]
)


@pytest.fixture(scope="module")
def fragility_warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("fragility")
    raw = landing_zone(root / "raw")
    dwellings = []
    for rows, residence in ((R1, "R1"), (R2, "R2")):
        for h in rows:
            d = rpls_row(h["IDENT_REP"], "Promologis", COMMUNE, 13)
            d["RESIDENCE_ID"], d["NBPIECE"] = residence, "3"
            dwellings.append(d)
    write(raw, "rpls/rpls_2024_31.csv", dwellings, "rpls")
    write(raw, "ops/ops_2024_31.csv", R1 + R2, "ops")
    siret = LANDLORDS["Promologis"]
    write(
        raw,
        "ops/vacance_commerciale_2024.csv",
        [
            {"SIRET": siret, "RESIDENCE_ID": "R1", "TAUX_VACANCE_COMMERCIALE": "0.3"},
            {"SIRET": siret, "RESIDENCE_ID": "R2", "TAUX_VACANCE_COMMERCIALE": "0.05"},
        ],
        "vacance_commerciale",
    )
    # 2025: three first-quartile leases (6 000 EUR a year per unit), two into R2, one into R1;
    # the second one into R2 is a priority household
    leases = [("R2-06", None), ("R2-07", "PDALHPD_HEBERGE"), ("R1-05", None)]
    demands, decisions = [], []
    for n, (ident, priority) in enumerate(leases, 1):
        number = f"0312024{n:010d}F"
        demands.append(
            {
                "NUM_UNIQUE": number,
                "DATE_CREATION": "2024-02-01",
                "DATE_RENOUVELLEMENT": "",
                "DATE_RADIATION": "2025-03-20",
                "MOTIF_RADIATION": "RADATT",
                "DEPCOM_SOUHAITE_1": COMMUNE,
                "DEPCOM_SOUHAITE_2": "",
                "DEPCOM_SOUHAITE_3": "",
                "DEPCOM_ACTUEL": COMMUNE,
                "AGE": "30",
                "SITUATION_FAMILIALE": "C",
                "NB_PERSONNES": "1",
                "NB_14_ANS_ET_PLUS": "1",
                "NB_MOINS_14_ANS": "0",
                "TYPE_CONTRAT": "CDD",
                "REVENU_MENSUEL": "500",
                "PLAFOND_RESSOURCES": "PLAI",
                "MODELE_LOGEMENT_ACTUEL": "LP",
                "MOTIF": "01",
                "TYPE_LOGEMENT": "T2",
                "STATUT_DALO": "NON",
                "PRIORITE": priority or "",
                "TRAVAILLEUR_ESSENTIEL": "NON",
                "RELOGEMENT_RU": "NON",
            }
        )
        decisions.append(
            {
                "NUM_UNIQUE": number,
                "IDENT_REP": ident,
                "DEPCOM": COMMUNE,
                "QPV": "2",
                "SIRET": siret,
                "DATE_CALEOL": "2025-03-05",
                "RANG": "1",
                "RESERVATAIRE": "AUCUN",
                "DECISION": "ATTRIBUEE",
                "ISSUE": "BAIL_SIGNE",
                "DATE_BAIL": "2025-03-20",
                "MOTIF_REFUS": "",
            }
        )
    write(raw, "sne/demandes_2025.csv", demands, "sne_demandes")
    write(raw, "sne/attributions_2025.csv", decisions, "sne_attributions")
    warehouse = root / "warehouse" / "attrib.duckdb"
    assert main(["run", "--raw", str(raw), "--warehouse", str(warehouse)]) == 0
    return warehouse


@pytest.fixture(scope="module")
def fragility(fragility_warehouse):
    con = duckdb.connect(str(fragility_warehouse), read_only=True)
    yield con
    con.close()


def test_household_levels(fragility):
    levels = dict(
        fragility.execute("""
        SELECT fragility_level, count(*) FROM marts.fragility_household
        WHERE survey_year = 2024 GROUP BY 1""").fetchall()
    )
    assert levels == {"very_high": 1, "high": 6, "medium": 1, "low": 9, "none": 7}
    assert fragility.execute("""SELECT max(criteria_count) FROM marts.fragility_household
                                """).fetchone() == (9,)


def test_residence_shares_and_the_priority_edge(fragility):
    rows = {
        r[0]: r[1:]
        for r in fragility.execute("""
        SELECT residence_id, households, households_high, households_very_high,
               share_high_or_very_high, share_very_modest_income, share_commercial_vacancy
        FROM marts.fragility_residence WHERE survey_year = 2024""").fetchall()
    }
    assert rows["R1"] == (12, 2, 1, 0.25, 0.25, 1.0)
    assert rows["R2"][:4] == (12, 4, 0, pytest.approx(4 / 12))
    assert rows["R2"][4] == pytest.approx(5 / 12)
    priority = fragility.execute("""SELECT residence_id, households_high_or_very_high, rule
                                    FROM marts.priority_residences""").fetchall()
    assert [p[:2] for p in priority] == [("R2", 4)]  # R1's exactly 25 % is not "more than"
    assert "> 0.25" in priority[0][2]
    commune = fragility.execute("""SELECT households, households_high, share_none
                                   FROM marts.fragility_commune""").fetchone()
    assert commune == (24, 6, pytest.approx(7 / 24))


def test_first_quartile_capacity_classes(fragility):
    classes = dict(
        fragility.execute("""SELECT residence_id, q1_capacity_class
                                        FROM marts.residence_q1_capacity""").fetchall()
    )
    assert classes == {"R1": "a_few_with_vigilance", "R2": "should_not"}


def test_attribution_concentration(fragility):
    row = fragility.execute("""
        SELECT survey_year, leases, first_quartile_leases,
               first_quartile_into_priority_residences, first_quartile_into_closed_residences,
               priority_leases, priority_into_priority_residences,
               share_first_quartile_into_priority_residences
        FROM marts.attribution_concentration WHERE year = 2025""").fetchone()
    assert row == (2024, 3, 3, 2, 2, 1, 1, pytest.approx(2 / 3))


def test_explain_lists_the_households_behind_a_fragility_count(fragility, fragility_warehouse):
    """The OPS extract lists R1's twelve households (lines 2-13) then R2's (lines 14-25): R2's
    high level is h1-h4 (lines 14-17), its medium h5 (line 18); in the commune, the one very
    high household is R1's h1 (line 2)."""
    (r2,) = fragility.execute(
        "SELECT residence_key FROM marts.fragility_residence WHERE residence_id = 'R2'"
    ).fetchone()

    def counts(mart, keys):
        tree = explain_row(fragility_warehouse, mart, keys)
        found = {c["column"]: c for c in tree["facts_behind"]["counts"]}
        assert all(c["agrees"] for c in found.values()), found
        return {column: [f["source_line"] for f in c["listed"]] for column, c in found.items()}

    residence = counts("fragility_residence", ["survey_year=2024", f"residence_key={r2}"])
    assert residence["households_high"] == [14, 15, 16, 17]
    assert residence["households_medium"] == [18]
    assert residence["households_single_parent"] == [18]
    assert residence["households"] == list(range(14, 26))
    priority = counts("priority_residences", ["survey_year=2024", f"residence_key={r2}"])
    assert priority["households_high_or_very_high"] == [14, 15, 16, 17]
    commune = counts("fragility_commune", ["survey_year=2024", f"depcom={COMMUNE}"])
    assert commune["households_very_high"] == [2]
    assert commune["households_high"] == [3, 4, 14, 15, 16, 17]
    assert commune["households"] == []  # 24 households: above the limit, counted per file


def test_explain_lists_the_leases_behind_the_concentration(fragility, fragility_warehouse):
    """The three 2025 leases are lines 2-4 of the decision extract: #1 and #2 (lines 2, 3)
    into R2, a priority residence that should not take first-quartile households, #2 a
    priority household; #3 (line 4) into R1."""
    tree = explain_row(
        fragility_warehouse,
        "attribution_concentration",
        ["year=2025", "survey_year=2024", f"depcom={COMMUNE}", "territory_id=243100633"],
    )
    counts = {c["column"]: c for c in tree["facts_behind"]["counts"]}
    assert all(c["agrees"] for c in counts.values()), counts
    lines = {k: [f["source_line"] for f in c["listed"]] for k, c in counts.items()}
    assert lines["leases"] == [2, 3, 4]
    assert lines["first_quartile_into_priority_residences"] == [2, 3]
    assert lines["first_quartile_into_closed_residences"] == [2, 3]
    assert lines["priority_into_priority_residences"] == [3]
