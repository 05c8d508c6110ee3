"""What `attrib run` publishes, on the hand-built 2025 of tests/attainment_scenario.py: Parquet
exports and territorial sheets with small counts suppressed, GX checks and their Data Docs."""

from __future__ import annotations

import json
import shutil

import duckdb
import pandas as pd

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
            for varying in spec.varying(grain):
                others = [g for g in grain if g != varying]
                lines = hidden.groupby([frame[g] for g in others], dropna=False)
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
    sheet = (Layout(attainment).reports / f"fiche_{SICOVAL}_2025.html").read_text()
    assert "Q1_OUTSIDE_QPV: secret" in sheet
    assert "30.0%" not in sheet


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
    sheet = (tmp_path / f"fiche_{SICOVAL}_2025.html").read_text()
    assert "Q1_OUTSIDE_QPV: 30.0% / target 25%" in sheet
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


def test_sheet_has_every_section(attainment):
    sheet = (Layout(attainment).reports / f"fiche_{SICOVAL}_2025.html").read_text()
    for title in (
        "Social housing stock",
        "Capacity and objectives",
        "Attainment of quotas and indicators",
        "Demand pressure",
        "Fragility and priority residences",
    ):
        assert f"<h2>{title}</h2>" in sheet
    assert "below 5 are shown as" in sheet
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
    assert "Quotas 2026, year to date through T3" in html
    con = duckdb.connect(str(warehouse), read_only=True)
    (run,) = con.execute(
        "SELECT max_by(run_id, materialized_at) FROM audit.lineage WHERE asset_key LIKE 'marts/%'"
    ).fetchone()
    con.close()
    assert f"{run} (the run that built the marts it reads)" in html
    # built from the generated sample: the sheet and the exports say so
    assert "Synthetic sample" in html
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
