"""The code location as `dagster dev` loads it, and the `attrib` command line."""

from __future__ import annotations

from dagster import AssetKey
from pipelines.partitions import sne_periods, years

from pipelines.cli import main
from pipelines.definitions import defs
from schemas import SOURCES


def test_code_location_has_one_asset_per_raw_file_family():
    graph = defs.resolve_asset_graph()
    keys = {k for k in graph.get_all_asset_keys()}
    assert {AssetKey(["raw_validated", name]) for name in SOURCES} <= keys
    rpls = graph.get(AssetKey(["raw_validated", "rpls"]))
    assert AssetKey(["raw_validated", "acd_qpv"]) in rpls.parent_keys
    assert rpls.partitions_def.get_partition_keys()[:2] == ["2019", "2020"]
    # every job resolves, as `dagster dev` resolves them all when it loads the location
    for job in ("raw_reference", "raw_yearly", "raw_sne", "attainment", "capacity", "publication"):
        assert defs.resolve_job_def(job) is not None
    checks = {k for k in graph.asset_check_keys if k.name == "gx_results"}
    assert AssetKey(["marts", "quota_attainment"]) in {k.asset_key for k in checks}


def test_partition_keys():
    import datetime as dt

    assert years(dt.date(2026, 11, 24))[-1] == "2027"
    assert sne_periods(dt.date(2026, 11, 24))[:6] == [
        "2019",
        "2019T1",
        "2019T2",
        "2019T3",
        "2019T4",
        "2020",
    ]


def test_attrib_run_generates_when_raw_is_empty_and_prints_a_summary(tmp_path, capsys):
    raw, warehouse = tmp_path / "raw", tmp_path / "wh" / "attrib.duckdb"
    code = main(["run", "--raw", str(raw), "--warehouse", str(warehouse), "--sample-scale", "tiny"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "generating the tiny sample" in out
    assert (raw / "rpls" / "rpls_2024_31.csv").exists()
    summary = out.split("source")[-1]
    for name in ("rpls", "ops", "sne_demandes", "sne_attributions", "acd_plans"):
        assert f"\n{name} " in summary
    assert "does not reconcile" not in out


def test_attrib_run_reports_a_bad_file_and_exits_non_zero(tmp_path, capsys, tiny_clean):
    import shutil

    raw = tmp_path / "raw"
    shutil.copytree(tiny_clean, raw)
    (raw / "ops" / "ops_2024_31.csv").write_text("IDENT_REP;NB_OCCUPANTS\nA;1\n")
    code = main(["run", "--raw", str(raw), "--warehouse", str(tmp_path / "w.duckdb")])
    out = capsys.readouterr().out
    assert code == 1
    assert "ops/ops_2024_31.csv: missing column(s) NB_ENFANTS" in out


def test_partition_keys_reach_dbt_as_vars():
    from assets.warehouse import partition_vars

    assert partition_vars("capacity_year", "2025") == ["--vars", '{"capacity_year": 2025}']
    assert partition_vars("period", "2025T2") == ["--vars", '{"period": "2025T2"}']
