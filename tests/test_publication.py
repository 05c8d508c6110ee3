"""What `attrib run` publishes, on the hand-built 2025 of tests/attainment_scenario.py: Parquet
exports and territorial sheets with small counts suppressed, GX checks and their Data Docs."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import duckdb
import openpyxl
import pandas as pd
import pytest

from core.layout import Layout
from pipelines.cli import main
from publication.suppression import policy
from quality.gx_suites import run_suites
from tests.conftest import attrib

SICOVAL = "243100633"


def exports_of(warehouse):
    return Layout(warehouse).exports


def test_every_aggregated_mart_is_exported_and_no_row_level_fact(attainment):
    out = exports_of(attainment)
    files = {p.stem for p in out.glob("*.parquet")}
    assert files == set(policy().marts)
    assert not {f for f in files if f.startswith("fct_") or f == "fragility_household"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["small_count_threshold"] == 5
    quota = manifest["marts"]["quota_attainment"]
    assert quota["grain"][:2] == ["period", "level"]
    assert all(quota["columns"].values()), "every exported column is documented"


def test_no_small_count_and_no_lonely_hidden_cell_in_any_export(attainment):
    out = exports_of(attainment)
    manifest = json.loads((out / "manifest.json").read_text())
    checked = 0
    for mart, spec in policy().marts.items():
        frame = pd.read_parquet(out / f"{mart}.parquet")
        grain = manifest["marts"][mart]["grain"]
        for column in spec.counts:
            assert not frame[column].dropna().between(1, 4).any(), f"{mart}.{column}"
            hidden = frame["suppressed_columns"].map(lambda names, c=column: c in names)
            assert (frame.loc[hidden, column].isna()).all()
            # a cell without value (a shelter count on a quarter's row) is no cell: nothing
            # to subtract from a total
            cells = frame[column].notna() | hidden
            for varying in spec.varying(grain):
                others = [g for g in grain if g != varying]
                lines = hidden[cells].groupby([frame.loc[cells, g] for g in others], dropna=False)
                per_line = lines.sum()[lines.size() > 1]  # a line of one cell is its total
                assert not (per_line == 1).any(), f"{mart}.{column} along {varying}"
            checked += int(hidden.sum())
    assert checked > 0  # the scenario has small counts: the rule was exercised


def test_sicoval_quota_of_three_leases_is_secret_in_export_and_sheet(attainment):
    frame = pd.read_parquet(exports_of(attainment) / "quota_attainment.parquet")
    row = frame[
        (frame.period == "2025")
        & (frame.level == "territory")
        & (frame.territory_id == SICOVAL)
        & (frame.quota == "Q1_OUTSIDE_QPV")
    ].iloc[0]
    # 3 first-quartile leases out of 10 (test_attainment): 3 < 5 is withheld (primary), the
    # rate 30 % with it; the 10 leases too (secondary): the first quarter's 2 leases are
    # withheld, and 10 beside them would leave them one subtraction away from the year's rest
    assert pd.isna(row.numerator) and pd.isna(row.rate) and pd.isna(row.denominator)
    assert row.suppressed_columns.tolist()[:3] == ["numerator", "denominator", "rate"]
    sheet = (Layout(attainment).reports / "fiche_sicoval_2025.html").read_text()
    assert "Hors QPV, demandeurs du 1er quartile (code Q1_OUTSIDE_QPV) : secret" in sheet
    assert "30\u202f%" not in sheet and "30,0" not in sheet


def test_report_command_with_a_threshold_of_one_shows_every_count(attainment, tmp_path, capsys):
    assert (
        main(
            [
                "report",
                "--territory",
                "Sicoval",
                "--year",
                "2025",
                "--threshold",
                "1",
                "--warehouse",
                str(attainment),
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    assert "Sicoval 2025" in capsys.readouterr().out
    sheet = (tmp_path / "fiche_sicoval_2025.html").read_text()
    assert "(code Q1_OUTSIDE_QPV) : 30\u202f% / cible 25\u202f%" in sheet
    assert main(["report", "--territory", "Atlantis", "--warehouse", str(attainment)]) == 2
    assert "territories: " in capsys.readouterr().out


def test_no_demand_number_in_anything_published(attainment):
    con = duckdb.connect(str(attainment), read_only=True)
    numbers = {
        n for (n,) in con.execute("SELECT NUM_UNIQUE FROM raw_validated.sne_demandes").fetchall()
    }
    con.close()
    assert numbers
    published = [p.read_text(errors="replace") for p in (Layout(attainment).reports).glob("*.html")]
    for path in exports_of(attainment).glob("*.parquet"):
        published.append(pd.read_parquet(path).to_csv())
    for path in Layout(attainment).reports.glob("*.xlsx"):
        book = openpyxl.load_workbook(path, read_only=True)
        published += [
            str(v) for tab in book for row in tab.iter_rows(values_only=True) for v in row
        ]
    text = "\n".join(published)
    assert not [n for n in numbers if n in text]
    assert "demand_key" not in text and "household_key" not in text


def test_gx_checks_hold_then_fail_in_plain_words_on_a_broken_mart(attainment, tmp_path):
    assert (Layout(attainment).docs / "gx" / "index.html").exists()
    broken = tmp_path / "attrib.duckdb"
    shutil.copyfile(attainment, broken)
    con = duckdb.connect(str(broken))
    con.execute("UPDATE marts.quota_attainment SET rate = 1.5 WHERE quota = 'TRANSFER'")
    con.execute("DELETE FROM marts.dim_commune WHERE depcom = '31555'")
    con.close()
    results = {r.mart: r for r in run_suites(broken, tmp_path / "gx")}
    assert not results["quota_attainment"].success
    failed = [o.plain() for o in results["quota_attainment"].outcomes if not o.success]
    assert failed == [
        f"FAILS: Every attainment rate is a share, between 0 and 100 %. ({failed[0].split('(')[1]}"
    ]
    assert "1.5" in failed[0]
    commune = [o for o in results["dim_commune"].outcomes if not o.success]
    assert [o.notes.strip() for o in commune] == [
        "Every commune of the département (ACD tension table) is in dim_commune.",
        "Every commune of the agreement's territories is in dim_commune with its territory.",
    ]
    assert results["capacity_objectives"].success
    assert (tmp_path / "gx" / "index.html").exists()
    report = (tmp_path / "gx" / "report.html").read_text()
    assert "FAILS: Every attainment rate is a share" in report
    assert "suites hold, 2 fail, 0 not evaluated" in report


def test_gx_results_are_dagster_asset_checks(attainment):
    from dagster import AssetCheckKey, AssetKey

    from core.layout import Layout
    from pipelines.instance import instance_for

    instance = instance_for(Layout(attainment))
    check = AssetCheckKey(AssetKey(["marts", "quota_attainment"]), "gx_results")
    record = instance.get_latest_asset_check_evaluation_record(check)
    evaluation = record.event.dagster_event.event_specific_data
    assert evaluation.passed
    assert "holds: Every attainment rate is a share" in evaluation.metadata["in_plain_words"].value


def test_gx_loads_without_scipy_stats_until_an_expectation_reads_it():
    """GX's import leaves scipy.stats to the expectations that read it (quality/gx_suites.py):
    in a new process, a GX context is made without it, and the Kullback-Leibler expectation
    still computes with it once it reads it."""
    script = (
        "import sys, tempfile, pathlib\n"
        "from quality.gx_suites import _context\n"
        "with tempfile.TemporaryDirectory() as d: _context(pathlib.Path(d))\n"
        "print('scipy.stats' in sys.modules)\n"
        "from great_expectations.expectations.core import "
        "expect_column_kl_divergence_to_be_less_than as kl\n"
        "print(round(float(kl.stats.entropy([0.5, 0.5])), 4), 'scipy.stats' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["False", "0.6931", "True"]


def test_sheet_has_every_section(attainment):
    sheet = (Layout(attainment).reports / "fiche_sicoval_2025.html").read_text()
    for title in (
        "Parc social",
        "Capacité d&#x27;accueil et objectifs",
        "Atteinte des objectifs d&#x27;attribution",
        "Pression de la demande",
        "Fragilité et résidences prioritaires",
    ):
        assert f"<h2>{title}</h2>" in sheet
    assert "inférieurs à 5" in sheet
    assert "<script src" not in sheet and "http" not in sheet.split("<body>")[1]


def test_on_demand_sheets_are_honest_about_what_they_show(tiny_built, tmp_path):
    """A year without data is an error, not an empty sheet; the current year shows its latest
    quarter to date; an on-demand sheet names the run that built the marts it reads."""
    _, warehouse, _ = tiny_built
    out = tmp_path / "sheets"
    code, said = attrib(
        "report", "--year", "2019", "--warehouse", str(warehouse), "--out", str(out)
    )
    assert code == 2
    assert "holds no figure for 2019" in said
    assert not list(out.glob("*.html"))
    code, said = attrib(
        "report",
        "--territory",
        "Sicoval",
        "--year",
        "2026",
        "--warehouse",
        str(warehouse),
        "--out",
        str(out),
    )
    assert code == 0, said
    (sheet,) = out.glob("*.html")
    html = sheet.read_text(encoding="utf-8")
    assert "Objectifs d&#x27;attribution 2026, cumul de l&#x27;année à fin T3" in html
    con = duckdb.connect(str(warehouse), read_only=True)
    (run,) = con.execute(
        "SELECT max_by(run_id, materialized_at) FROM audit.lineage WHERE asset_key LIKE 'marts/%'"
    ).fetchone()
    con.close()
    assert f"{run} (le run qui a construit les tables lues)" in html
    # built from the generated sample: the sheet and the exports say so
    assert "Échantillon synthétique" in html
    manifest = json.loads((Layout(warehouse).exports / "manifest.json").read_text())
    assert manifest["synthetic_sample"] is True


def test_the_published_schema_holds_the_exports_as_suppressed(tiny_built):
    """Copying from SQL is as safe as copying from an export: published.<mart> is the Parquet
    file, small counts hidden, while the mart keeps them (internal use)."""
    _, warehouse, _ = tiny_built
    exports = Layout(warehouse).exports
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'published'"
            ).fetchall()
        }
        assert tables == {p.stem for p in exports.glob("*.parquet")}
        parquet = (exports / "quota_attainment.parquet").as_posix()
        for a, b in (
            ("published.quota_attainment", f"'{parquet}'"),
            (f"'{parquet}'", "published.quota_attainment"),
        ):
            assert (
                con.execute(f"SELECT count(*) FROM (FROM {a} EXCEPT ALL FROM {b})").fetchone()[0]
                == 0
            )
        hidden, shown = con.execute(
            """SELECT count(*), count(m.numerator) FROM published.quota_attainment p
               JOIN marts.quota_attainment m USING (period, level, territory_id, siret, depcom,
                                                    reservation_holder, quota)
               WHERE list_contains(p.suppressed_columns, 'numerator')"""
        ).fetchone()
    finally:
        con.close()
    assert hidden > 0 and shown == hidden  # hidden when published, kept in the mart


def test_sheet_speaks_french_with_units_titles_and_codes_in_tooltips(attainment):
    """The sheets' readers (CIL, EPCI, State services) read French: lang, headings, labels of
    the code lists, French numbers; each chart has its title above and its unit on its axis;
    the stacked bars' values are written; the file is named by the territory's name and the
    SIREN is inside."""
    sheet = (Layout(attainment).reports / "fiche_sicoval_2025.html").read_text()
    assert '<html lang="fr">' in sheet and f"EPCI {SICOVAL} (SIREN)" in sheet
    body = sheet.split("<body>")[1].split("<script>")[0]
    shown = re.sub(r"<[^>]+>", " ", re.sub(r"<title>.*?</title>", "", body))  # tooltips aside
    for english in ("Territorial sheet", "Landlord", "Objective", "No row", "target", "year"):
        assert english not in shown, english
    # 37.5 % of the ACD written the French way; no English decimal point in a figure
    assert "37,5\u202f%" in sheet and "37.5%" not in sheet
    # every chart: its title just before it, its unit on its axis
    charts = sheet.count('<svg class="chart"')
    assert charts >= 5
    assert sheet.count('<p class="chart-title">') == charts
    assert sheet.count('<text class="unit"') == charts
    title = "Objectifs d&#x27;attribution 2025 : taux et cible"
    assert f'<p class="chart-title">{title}</p><svg' in sheet
    assert "euros par an et par unité de consommation" in sheet
    # codes: French label shown, code in the tooltip
    assert "locataire du parc privé (code LP)" in sheet
    assert ">sous le plafond PLAI<" in sheet and ">NON_SAISI<" not in sheet
    assert "Ménages prioritaires et DALO : patrimoine non réservé du bailleur" in sheet
    # the stacked bars' values are written, not only in tooltips
    assert '<table class="chart-values">' in sheet
    assert not list(Layout(attainment).reports.glob(f"fiche_{SICOVAL}_*"))


def test_workbook_beside_the_sheet_holds_its_tables_suppressed(attainment):
    """fiche_sicoval_2025.xlsx, read back: a notes tab, one tab per table, French headings,
    numbers as numbers, and the Sicoval first-quartile quota (3 of 10 leases) withheld exactly
    as in the export."""
    book = openpyxl.load_workbook(Layout(attainment).reports / "fiche_sicoval_2025.xlsx")
    assert book.sheetnames[0] == "Notes"
    notes = {row[0]: row[1] for row in book["Notes"].iter_rows(values_only=True)}
    assert notes["Territoire (SIREN de l'EPCI)"] == SICOVAL
    assert notes["Échantillon synthétique"] == "non"  # a hand-built landing zone, not generated
    assert {"Objectifs", "Objectifs d'attribution", "Indicateurs ACD"} <= set(book.sheetnames)
    rows = list(book["Objectifs d'attribution"].iter_rows(values_only=True))
    assert rows[0] == ("Objectif", "Attributions visées", "Attributions", "Taux", "Cible", "Statut")
    q1 = next(r for r in rows if r[0] == "Hors QPV, demandeurs du 1er quartile")
    assert q1[1:4] == ("secret", "secret", "secret") and q1[4] == 0.25
    assert list(book["Objectifs"].iter_rows(values_only=True)) == [
        (
            "Bailleur",
            "Périmètre (logements)",
            "Capacité, parc existant",
            "Capacité, mises en service",
            "Objectif",
            "Objectif révisé",
        )
    ]  # no capacity in this scenario's 2025: the tab is there, with its headings only


def test_workbook_objectives_are_the_exported_ones_as_numbers(tiny_built):
    _, warehouse, _ = tiny_built
    book = openpyxl.load_workbook(Layout(warehouse).reports / "fiche_sicoval_2025.xlsx")
    objectives = list(book["Objectifs"].iter_rows(values_only=True))[1:]
    frame = pd.read_parquet(exports_of(warehouse) / "capacity_objectives.parquet")
    frame = frame[(frame.year == 2025) & (frame.level == "landlord_territory")]
    frame = frame[frame.territory_id == SICOVAL]
    assert len(objectives) == len(frame) > 3
    assert sorted((r[0], r[4]) for r in objectives) == sorted(
        zip(frame.landlord_name, frame.objective.astype(int), strict=True)
    )
    assert all(isinstance(r[4], int) and isinstance(r[2], float) for r in objectives)
    # a perimeter of 990.5 dwellings stays 990.5 (never cut to 990)
    assert sorted(r[1] for r in objectives) == pytest.approx(sorted(frame.perimeter))


def test_french_numbers_round_half_away_from_zero():
    """As a reader rounds by hand, whatever the last bits of binary arithmetic: a scenario's
    difference of 109.2672 - 107.1422 reads 2,13, as 109,27 - 107,14 does."""
    from publication.french import number

    assert number(109.2672 - 107.1422, 2) == "2,13"
    assert number(-2.125, 2) == "-2,13" and number(2.5) == "3"
    assert number(-0.04, 1) == "0,0"  # never -0,0
    assert number(1234.5, 1) == "1\u202f234,5"


def test_sheets_are_dated_in_french():
    import datetime as dt

    from publication.french import date_time

    assert date_time(dt.datetime(2026, 12, 4, 9, 5, 30)) == "4 décembre 2026 à 09:05"
    assert date_time(dt.datetime(2027, 8, 1, 18, 0)) == "1er août 2027 à 18:00"


def test_a_territory_file_name_keeps_its_words():
    """Cœur is coeur, not cour: a ligature is two letters."""
    from publication.french import slug

    assert slug("Cœur et Coteaux du Comminges") == "coeur_et_coteaux_du_comminges"
    assert slug("Toulouse Métropole") == "toulouse_metropole"
