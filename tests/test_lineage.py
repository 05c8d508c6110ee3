"""audit.lineage and `attrib explain <mart>`: from any figure back to the raw files (sha256),
the parameters, the code version, the dbt model's SQL and the runs."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import subprocess

import duckdb
from dagster import AssetKey

from core import settings
from core.layout import Layout
from ingestion.loader import UNPARTITIONED
from pipelines.cli import main


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(warehouse, query, params=None):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cursor = con.execute(query, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    finally:
        con.close()


def explain(warehouse, raw, capsys, *args) -> dict:
    code = main(["explain", *args, "--warehouse", str(warehouse), "--raw", str(raw)])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out) if "--format" in args else out


def test_every_raw_partition_and_model_has_its_lineage(attainment):
    raw = attainment.parent.parent / "raw"
    loads = rows(attainment, 'SELECT DISTINCT source, "partition" FROM raw_validated.load_log')
    lineage = rows(attainment, "SELECT * FROM audit.lineage")
    raw_rows = {(r["asset_key"], r["partition"]) for r in lineage if r["kind"] == "raw load"}
    for load in loads:
        partition = None if load["partition"] == UNPARTITIONED else load["partition"]
        assert (f"raw_validated/{load['source']}", partition) in raw_rows
    for row in (r for r in lineage if r["kind"] == "raw load"):
        for entry in row["input_files"]:
            assert entry["sha256"] == sha256(raw / entry["path"]), entry["path"]
    models = {r["asset_key"] for r in lineage if r["kind"] == "dbt model"}
    assert {"marts/quota_attainment", "marts/fct_attribution", "staging/stg_sne__demands"} <= models
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=settings.PROJECT_ROOT, capture_output=True, text=True
    ).stdout.strip()
    quota = next(r for r in lineage if r["asset_key"] == "marts/quota_attainment")
    assert quota["code_version"].startswith(head)
    assert quota["model_sql_sha256"] == sha256(settings.PROJECT_ROOT / quota["model_sql_path"])
    assert quota["parameters_version"].startswith("sha256:")
    assert len(quota["parameters_version"]) == len("sha256:") + 64  # the full digest
    assert all(u["run_id"] for u in quota["upstream_assets"])
    assert {f["source"] for f in quota["input_files"]} >= {"sne_attributions", "cia_policies"}
    (quotas,) = rows(attainment, "SELECT count(*) AS n FROM marts.quota_attainment")
    latest = max(
        (r for r in lineage if r["asset_key"] == "marts/quota_attainment"),
        key=lambda r: r["materialized_at"],
    )
    assert latest["rows_out"] == quotas["n"] > 0
    # a view stores no row: its lineage does not compute it to count it
    facts = next(r for r in lineage if r["asset_key"] == "intermediate/int_quota__lease_facts")
    assert facts["rows_out"] is None


def test_dagster_metadata_carries_the_same_lineage(attainment):
    from core.layout import Layout
    from pipelines.instance import instance_for

    instance = instance_for(Layout(attainment))
    event = instance.get_latest_materialization_event(AssetKey(["marts", "fct_attribution"]))
    metadata = event.asset_materialization.metadata
    (row,) = rows(
        attainment,
        """SELECT model_sql_sha256, code_version FROM audit.lineage
           WHERE asset_key = 'marts/fct_attribution' AND run_id = ?""",
        [event.run_id],
    )
    assert metadata["lineage/model_sql_sha256"].value == row["model_sql_sha256"]
    assert metadata["lineage/code_version"].value == row["code_version"]
    files = metadata["lineage/input_files"].value
    assert any(f["path"] == "sne/attributions_2025.csv" for f in files)


def test_three_random_figures_lead_back_to_the_files_in_raw(attainment, capsys):
    """Acceptance: three marts and a row of each, chosen with a fixed seed."""
    raw = attainment.parent.parent / "raw"
    manifest = json.loads((Layout(attainment).exports / "manifest.json").read_text())
    candidates = sorted(
        mart
        for mart, spec in manifest["marts"].items()
        if spec["rows"] and spec["grain"] and not mart.startswith("dim_")
    )
    picker = random.Random(2026)
    marts = picker.sample(candidates, 3)
    assert len(set(marts)) == 3
    for mart in marts:
        grain = manifest["marts"][mart]["grain"]
        (row,) = picker.sample(rows(attainment, f"SELECT {', '.join(grain)} FROM marts.{mart}"), 1)
        keys = [f"--key={c}={'' if v is None else v}" for c, v in row.items()]
        tree = explain(attainment, raw, capsys, mart, *keys, "--format", "json")
        assert tree["mart"] == f"marts.{mart}"
        assert {c: tree["row"][c] for c in grain} == row
        files = [f for f in tree["input_files"] if f["source"] != "dbt seed"]
        assert files, mart
        for entry in files:
            assert entry["sha256"] == sha256(raw / entry["path"])
            assert entry["on_disk_now"] == "matches"
        assert tree["model_sql_on_disk_now"] == "matches"
        assert tree["built_by_run"] and tree["code_version"]


def test_explain_text_and_helpful_errors(attainment, capsys):
    raw = attainment.parent.parent / "raw"
    text = explain(
        attainment,
        raw,
        capsys,
        "quota_attainment",
        "--key",
        "period=2025",
        "--key",
        "level=territory",
        "--key",
        "departement=31",
        "--key",
        "territory_id=243100633",
        "--key",
        "siret=",
        "--key",
        "depcom=",
        "--key",
        "reservation_holder=ALL",
        "--key",
        "quota=TRANSFER",
    )
    assert "numerator                    2" in text and "denominator                  10" in text
    assert "dbt_project/models/marts/attainment/quota_attainment.sql" in text
    assert "sne/attributions_2025.csv" in text and "[matches the file on disk now]" in text
    for args, message in (
        (["nowhere", "--key", "a=1"], "no mart 'nowhere'; marts: acd_indicators"),
        (["quota_attainment"], "give --key column=value for period, level"),
        (["quota_attainment", "--key", "period=2025"], "add keys until one row is left"),
        (["quota_attainment", "--key", "period=1999"], "no row of marts.quota_attainment"),
        (["quota_attainment", "--key", "colour=red"], "unknown column(s) colour"),
    ):
        assert main(["explain", *args, "--warehouse", str(attainment)]) == 2
        assert message in capsys.readouterr().out


REFUSAL = "SELECT period, siret, priority_category FROM marts.acd_refusals LIMIT 1"


def test_a_file_changed_since_the_run_is_flagged(attainment, tmp_path, capsys):
    raw = tmp_path / "raw"
    shutil.copytree(attainment.parent.parent / "raw", raw)
    with (raw / "sne" / "attributions_2025.csv").open("a") as handle:
        handle.write("\n")
    tree = explain(
        attainment,
        raw,
        capsys,
        "dim_territory",
        "--key",
        "territory_id=243100633",
        "--format",
        "json",
    )
    # dim_territory does not read the SNE: every file it lists still matches
    assert {f["on_disk_now"] for f in tree["input_files"]} == {"matches"}
    tree = explain(
        attainment,
        raw,
        capsys,
        "acd_refusals",
        *[f"--key={c}={v}" for c, v in rows(attainment, REFUSAL)[0].items()],
        "--format",
        "json",
    )
    status = {f["path"]: f["on_disk_now"] for f in tree["input_files"]}
    assert status["sne/attributions_2025.csv"] == "changed"
