"""What-if scenarios (docs/scenarios.md) on the hand-built capacity warehouse of
tests/capacity_scenario.py, numbers worked by hand. Landlord A (Promologis) has rotation 8 %,
no sale share and no plan; B (3F) rotation 9 %. Weights: zone 1 42.5 % (21.25 % in QPV),
zone 2 37.5 % (18.75 % in QPV), zone 4 27.5 %; a PLS dwelling counts 0.1 in the perimeter.

Every scenario is computed by `attrib scenario run` (the code location's `scenario` job) into
its own warehouse beside the session's baseline, which it only reads."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import duckdb
import openpyxl
import pytest

from core.layout import Layout
from tests.capacity_scenario import A, B
from tests.conftest import attrib, copy_warehouse
from tests.raw_builder import LANDLORDS
from whatif.diff import largest

PROMOLOGIS, THREE_F = LANDLORDS[A], LANDLORDS[B]


@pytest.fixture(scope="module")
def scenario(scenario, tmp_path_factory):
    """This module's own copy of the capacity sample: a scenario is written in its base
    warehouse's folder, and the sample is shared with other tests (and the other process)."""
    root, raw, warehouse = scenario
    return root, raw, copy_warehouse(warehouse, tmp_path_factory.mktemp("scenario_base"))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yml"
    path.write_text(text, encoding="utf-8")
    return path


def attempt(base: Path, name: str, changes: Path) -> tuple[int, str]:
    """`attrib scenario run NAME --changes FILE --base BASE`: its exit code and output."""
    return attrib("scenario", "run", name, "--changes", str(changes), "--base", str(base))


def run(base: Path, name: str, changes: Path) -> tuple[Path, str]:
    code, said = attempt(base, name, changes)
    assert code == 0, said
    return Layout(base).scenario(name), said


def diff(database: Path, part: str, measure: str, year, landlord=None, territory=None, level=None):
    """The one row of marts.scenario_diff asked for: (baseline, scenario, difference, changes)."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        rows = con.execute(
            """SELECT baseline, scenario, difference, changes FROM marts.scenario_diff
               WHERE part = ? AND measure = ? AND year = ?
                 AND landlord_name IS NOT DISTINCT FROM ?
                 AND territory_name IS NOT DISTINCT FROM ?
                 AND (level = ? OR ? IS NULL)""",
            [part, measure, year, landlord, territory, level, level],
        ).fetchall()
    finally:
        con.close()
    assert len(rows) == 1, rows
    return rows[0]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_empty_scenario_named_diff_differs_nowhere(scenario, tmp_path):
    """No change: every figure equal, and a scenario called `diff` is no trouble for the verb
    `attrib scenario diff`. The baseline is only read."""
    _, _, base = scenario
    before = sha256(base)
    database, said = run(base, "diff", write(tmp_path, "empty", "changes: []\n"))
    assert "0 figure(s) differ from the baseline" in said
    con = duckdb.connect(str(database), read_only=True)
    rows, nonzero, parts = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE difference <> 0), list(DISTINCT part ORDER BY "
        "part) FROM marts.scenario_diff"
    ).fetchone()
    con.close()
    # (the capacity warehouse has no SNE extract: no quota row to compare)
    assert rows > 20 and nonzero == 0 and parts == ["capacity", "dalo"]
    code, said = attrib("scenario", "diff", "diff", "--base", str(base))
    assert code == 0 and "0 figure(s) differ" in said
    assert sha256(base) == before


ROTATION_AND_ZONE = f"""
description: A's rotation class revised (ACD 8.2); Toulouse reclassified (annex 4)
changes:
  - source: acd_landlords
    key: {{SIRET: "{PROMOLOGIS}", VALID_FROM: 2025}}
    current: {{ROTATION_RATE: 0.08}}
    set: {{ROTATION_RATE: 0.09}}
    reason: ACD 8.2, the landlord asks for the high-rotation class
  - source: acd_commune_tension
    key: {{DEPCOM: "31555"}}
    current: {{ZONE: 1}}
    set: {{ZONE: 2}}
    reason: CRHH revision of the tension zones
  - source: acd_plans
    add: {{SIRET: "{PROMOLOGIS}", DEPCOM: "31069", QPV: 2, YEAR: 2025, KIND: DELIVERY,
          FINAN_CLASS: PLUS, HOUSING: FAMILY, DWELLINGS: 20}}
    reason: a 20-dwelling operation in 31069 (zone 1) added to A's plans
"""


@pytest.fixture(scope="module")
def rotation_zone(scenario, tmp_path_factory) -> tuple[Path, str, Path]:
    """The scenario of three changes, computed once: (warehouse, what it printed, file)."""
    _, _, base = scenario
    changes = write(tmp_path_factory.mktemp("rz"), "rz", ROTATION_AND_ZONE)
    database, said = run(base, "rotation_zone", changes)
    return database, said, changes


def test_rotation_class_and_tension_zone(scenario, rotation_zone):
    _, _, base = scenario
    database, said, _ = rotation_zone
    # A's rotation 8 % -> 9 %: its existing capacity scales by 9/8, in every territory
    baseline, changed, _, changes = diff(
        database, "capacity", "capacity_existing", 2025, A, level="landlord"
    )
    assert changed == pytest.approx(baseline * 9 / 8) and baseline > 0
    assert "C1" in changes
    # the rate the models used cites the scenario's change and the source it replaces
    con = duckdb.connect(str(database), read_only=True)
    (cited,) = con.execute(
        "SELECT rotation_source FROM intermediate.int_acd__landlord_rotation "
        "WHERE year = 2025 AND siret = ?",
        [PROMOLOGIS],
    ).fetchone()
    con.close()
    assert cited.startswith(
        "what-if scenario:rz.yml#C1: ACD 8.2, the landlord asks for the high-rotation class "
        "(replaces: "
    ), cited
    # Toulouse (31555) zone 1 -> 2, B there on 1 January 2025: 13.4 outside QPV (10 PLUS +
    # 4 PLS x 0.1 + the 3 PLUS family delivered in 2024) and 6 PLAI in QPV:
    # 13.4 x (0.375 - 0.425) x 0.09 + 6 x (0.375 - 0.425) x 0.5 x 0.09 = -0.0603 - 0.0135
    _, _, difference, changes = diff(
        database, "capacity", "capacity_existing", 2025, B, "Toulouse Métropole"
    )
    assert difference == pytest.approx(-0.0738)
    assert changes == ["C2"]
    # the scenario's sheet: its changes at the top, baseline and scenario side by side, and a
    # workbook of the same tables
    code, said_sheet = attrib(
        "scenario",
        "sheet",
        "rotation_zone",
        "--territory",
        "Toulouse Métropole",
        "--year",
        "2025",
        "--base",
        str(base),
    )
    assert code == 0, said_sheet
    code, said_2019 = attrib(
        "scenario",
        "sheet",
        "rotation_zone",
        "--territory",
        "Toulouse Métropole",
        "--year",
        "2019",
        "--base",
        str(base),
    )
    assert code == 2 and "holds no figure for 2019" in said_2019
    sheet = Path(said_sheet.split(" and its workbook")[0])
    html = sheet.read_text(encoding="utf-8")
    assert '<html lang="fr">' in html
    # the changes in words, not JSON
    assert (
        f"modifie acd_landlords SIRET={PROMOLOGIS} VALID_FROM=2025 : ROTATION_RATE 0.08 → " in html
    )
    assert "{&quot;" not in html and '{"' not in html
    top = html.index("ACD 8.2, the landlord asks for the high-rotation class")
    assert top < html.index("CRHH revision") < html.index("Objectifs ACD 2025 : référence")
    book = openpyxl.load_workbook(sheet.with_suffix(".xlsx"))
    notes = dict(book["Notes"].iter_rows(values_only=True))
    assert notes["Changement C2"].startswith(
        "modifie acd_commune_tension DEPCOM=31555 : ZONE 1 → 2"
    )
    assert len(notes["sha256 du fichier"]) == 64
    objectives = list(book["Objectifs"].iter_rows(values_only=True))
    assert objectives[0] == ("Bailleur", "Mesure", "Référence", "Scénario", "Écart")
    (b_existing,) = [r for r in objectives if r[:2] == (B, "Capacité, parc existant")]
    assert b_existing[4] == pytest.approx(-0.0738)
    # the largest differences are printed first, with the changes that cause them
    con = duckdb.connect(str(database), read_only=True)
    rows = largest(con, 20)
    con.close()
    sizes = [abs(r["difference"]) for r in rows]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > 0
    first = said.split("Largest differences")[1].splitlines()[2]
    assert first.split()[0] == rows[0]["measure"] and first.rstrip().endswith(
        ", ".join(rows[0]["changes"])
    )


MOVE = f"""
changes:
  - source: acd_plans
    key: {{SIRET: "{PROMOLOGIS}", DEPCOM: "31069", QPV: 2, YEAR: 2025, KIND: DELIVERY,
          FINAN_CLASS: PLUS, HOUSING: FAMILY}}
    current: {{DWELLINGS: 20}}
    set: {{YEAR: 2026}}
    reason: ACD 8.1, the operation slips by a year
"""


def test_a_delivery_added_then_moved_a_year(scenario, rotation_zone, tmp_path):
    """A has no sale share: 20 PLUS family dwellings in zone 1 outside QPV are 20 x 0.425 =
    8.5 of new capacity the year they are delivered, and 20 x 0.425 x rotation of existing
    capacity every later year (the chained perimeter of 1 January holds them); A's rotation
    is 9 % in this scenario (C1)."""
    _, _, base = scenario
    added, _, changes = rotation_zone
    assert diff(added, "capacity", "capacity_new", 2025, A, level="landlord")[2] == (
        pytest.approx(8.5)
    )
    assert diff(added, "capacity", "perimeter", 2026, A, level="landlord")[2] == (pytest.approx(20))
    before, after, _, _ = diff(added, "capacity", "capacity_existing", 2026, A, level="landlord")
    assert after == pytest.approx(before * 9 / 8 + 20 * 0.425 * 0.09)
    # on that scenario as the base (--base): moving the delivery from 2025 to 2026
    moved, _ = run(added, "moved", write(tmp_path, "move", MOVE))
    assert diff(moved, "capacity", "objective_unrounded", 2025, A, level="landlord")[2] == (
        pytest.approx(-20 * 0.425)
    )
    assert diff(moved, "capacity", "capacity_new", 2026, A, level="landlord")[2] == (
        pytest.approx(20 * 0.425)
    )
    assert diff(moved, "capacity", "capacity_existing", 2026, A, level="landlord")[2] == (
        pytest.approx(-20 * 0.425 * 0.09)
    )
    # 2026 objective: +8.5 - 0.765 = +7.735 (no sale share)
    assert diff(moved, "capacity", "objective_unrounded", 2026, A, level="landlord")[2] == (
        pytest.approx(7.735)
    )
    # the DALO sub-objective is apportioned by the largest remainder in the scenario too:
    # the units add up to the same total (its households do not change), each landlord gets
    # the floor or the ceiling of its share, and the ceilings go to the largest remainders
    con = duckdb.connect(str(added), read_only=True)
    for year in (2025, 2026):
        shares = con.execute(
            "SELECT dalo_unrounded, dalo FROM marts.dalo_objectives WHERE year = ?", [year]
        ).fetchall()
        (baseline_total,) = con.execute(
            "SELECT sum(dalo) FROM baseline.dalo_objectives WHERE year = ?", [year]
        ).fetchone()
        # the total is the DALO households rounded half up (2025: 1 + 0.5 x 1 = 1.5 -> 2)
        total = math.floor(sum(u for u, _ in shares) + 0.5 + 1e-9)
        assert sum(d for _, d in shares) == baseline_total == total
        assert all(d in (math.floor(u), math.ceil(u)) for u, d in shares)
        up = [u - math.floor(u) for u, d in shares if d > math.floor(u)]
        down = [u - math.floor(u) for u, d in shares if d == math.floor(u)]
        assert not up or not down or min(up) >= max(down)
    # the scenario's lineage names the changes file by its sha256
    (files,) = con.execute(
        "SELECT input_files FROM audit.lineage WHERE asset_key = 'marts/scenario_diff'"
    ).fetchone()
    con.close()
    assert sha256(changes) in str(files)


def rotation(current: str, new: str) -> str:
    """A change of Promologis's rotation rate, as a changes file."""
    return f"""
changes:
  - source: acd_landlords
    key: {{SIRET: "{PROMOLOGIS}", VALID_FROM: 2025}}
    current: {{ROTATION_RATE: {current}}}
    set: {{ROTATION_RATE: {new}}}
    reason: x
"""


BAD = {
    "an unknown parameter": """
changes:
  - source: acd_parameters
    key: {NAME: zone_rate.9, VALID_FROM: 2025}
    current: {VALUE: "0.425"}
    set: {VALUE: "0.45"}
    reason: x
""",
    "a rate outside [0, 1]": rotation("0.08", "1.8"),
    "a negative delivery": f"""
changes:
  - source: acd_plans
    add: {{SIRET: "{PROMOLOGIS}", DEPCOM: "31069", QPV: 2, YEAR: 2025, KIND: DELIVERY,
          FINAN_CLASS: PLUS, HOUSING: FAMILY, DWELLINGS: -3}}
    reason: x
""",
    "an unknown landlord": """
changes:
  - source: acd_plans
    add: {SIRET: "99999999900099", DEPCOM: "31069", QPV: 2, YEAR: 2025, KIND: DELIVERY,
          FINAN_CLASS: PLUS, HOUSING: FAMILY, DWELLINGS: 3}
    reason: x
""",
    "an unknown commune": """
changes:
  - source: acd_commune_tension
    key: {DEPCOM: "31999"}
    current: {ZONE: 1}
    set: {ZONE: 2}
    reason: x
""",
    "a wrong current value": rotation("0.07", "0.08"),
    "a rate that is not a number": rotation("0.08", '"8 %"'),
}

SAID = {
    "an unknown parameter": "no row of acd_parameters in force matches its key",
    "a rate outside [0, 1]": "ROTATION_RATE = '1.8'",
    "a negative delivery": "DWELLINGS = '-3'",
    "an unknown landlord": "SIRET 99999999900099 is not known to the agreement",
    "an unknown commune": "no row of acd_commune_tension in force matches its key",
    "a wrong current value": "its current value is not the row's (ROTATION_RATE=0.08 in",
    "a rate that is not a number": "Could not convert string '8 %' to DOUBLE",
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_changes_are_refused_and_nothing_is_written(scenario, tmp_path, case):
    _, _, base = scenario
    name = "bad_" + case.replace(" ", "_").replace(",", "").replace("[", "").replace("]", "")
    code, said = attempt(base, name, write(tmp_path, "bad", BAD[case]))
    assert code == 2, said
    assert SAID[case] in said and "change C1" in said and "Nothing was written." in said
    assert not Layout(base).scenario(name).exists()


def test_a_scenario_name_is_a_plain_file_name(scenario, tmp_path):
    _, _, base = scenario
    code, said = attempt(base, "../evil", write(tmp_path, "e", "changes: []\n"))
    assert code == 2 and "use lower-case letters" in said and "Nothing was written." in said
    assert not (Path(base).parent / "evil.duckdb").exists()


def test_every_refused_change_is_named_at_once(scenario, tmp_path):
    """One edit of the file fixes them all: C1 names no row, C2 a wrong current value, and
    C3, applied, breaks the raw schema's rule (a rate above 1)."""
    _, _, base = scenario
    text = BAD["a wrong current value"] + BAD["a rate outside [0, 1]"].split("changes:")[1]
    text = text.replace(
        "changes:\n",
        """changes:
  - source: acd_commune_tension
    key: {DEPCOM: "31999"}
    current: {ZONE: 1}
    set: {ZONE: 2}
    reason: x
""",
        1,
    )
    code, said = attempt(base, "several", write(tmp_path, "s", text))
    assert code == 2 and "3 changes are refused" in said, said
    assert "change C1 (set acd_commune_tension DEPCOM=31999): no row" in said
    assert "change C2 (set acd_landlords" in said and "(ROTATION_RATE=0.08 in the" in said
    assert "change C3 (set acd_landlords SIRET=" in said and "ROTATION_RATE = '1.8'" in said
    assert "Nothing was written." in said and not Layout(base).scenario("several").exists()


def test_a_baseline_built_by_another_dbt_project_is_refused(scenario, tmp_path):
    """Only the models a change reaches are rebuilt, the others are the baseline's: a baseline
    built by other models would put a code change into the diff."""
    from tests.conftest import copy_warehouse

    _, _, base = scenario
    older = copy_warehouse(base, tmp_path / "older")
    con = duckdb.connect(str(older))
    con.execute(
        "INSERT INTO audit.dbt_builds (run_id, built_at, project_digest) "
        "VALUES ('an older run', now(), 'another digest')"
    )
    con.close()
    code, said = attempt(older, "x", write(tmp_path, "e", "changes: []\n"))
    assert code == 2 and "was built by another version of the dbt project" in said, said
    assert "Nothing was written." in said and not Layout(older).scenario("x").exists()
