"""The code location as `dagster dev` loads it, and the `attrib` command line."""

from __future__ import annotations

import datetime as dt
import shutil

from dagster import AssetKey

from core.partitions import extract_periods, years
from pipelines.build_plan import annual_plan, period_plan
from pipelines.definitions import defs
from schemas import SOURCES
from tests.conftest import attrib


def test_code_location_has_one_asset_per_raw_file_family():
    graph = defs.resolve_asset_graph()
    keys = set(graph.get_all_asset_keys())
    assert {AssetKey(["raw_validated", name]) for name in SOURCES} <= keys
    rpls = graph.get(AssetKey(["raw_validated", "rpls"]))
    # the last step of every job depends on every other asset
    published = graph.get(AssetKey(["published_warehouse"]))
    assert {AssetKey(["raw_validated", "rpls"]), AssetKey(["marts", "fct_demand"])} <= set(
        published.parent_keys
    )
    assert rpls.partitions_def.get_partition_keys()[:2] == ["2019", "2019T1"]
    # every job resolves, as `dagster dev` resolves them all when it loads the location
    for job in ("attrib", "raw", "warehouse", "publication", "quarterly", "scenario"):
        assert defs.resolve_job_def(job) is not None
    checks = {k for k in graph.asset_check_keys if k.name == "gx_results"}
    assert AssetKey(["marts", "quota_attainment"]) in {k.asset_key for k in checks}


def test_every_asset_is_in_the_main_job():
    """Every asset but a scenario's diff, which only the scenario job builds (on a scenario's
    warehouse); the quarterly job does not build it either."""
    job = defs.resolve_job_def("attrib")
    in_job = set(job.asset_layer.executable_asset_keys)
    every = {k for k in defs.resolve_asset_graph().get_all_asset_keys()}
    scenario_diff = AssetKey(["marts", "scenario_diff"])
    assert every - in_job == {scenario_diff}
    quarterly = defs.resolve_job_def("quarterly").asset_layer.executable_asset_keys
    assert scenario_diff not in quarterly
    assert scenario_diff in defs.resolve_job_def("scenario").asset_layer.executable_asset_keys
    assert AssetKey(["docs", "dbt_docs_site"]) in in_job
    assert AssetKey(["marts", "attribution_concentration"]) in in_job


def test_partition_keys():
    assert years(dt.date(2026, 11, 24))[-1] == "2027"
    assert extract_periods(dt.date(2026, 11, 24))[:6] == [
        "2019",
        "2019T1",
        "2019T2",
        "2019T3",
        "2019T4",
        "2020",
    ]


def test_plans_cover_the_periods_with_files(tiny_clean):
    plan = annual_plan(tiny_clean)
    assert (plan.job, plan.first, plan.last) == ("attrib", "2024", "2026T3")
    assert plan.tags() == {
        "dagster/asset_partition_range_start": "2024",
        "dagster/asset_partition_range_end": "2026T3",
    }
    backfill = annual_plan(tiny_clean, range(2024, 2026))
    assert (backfill.first, backfill.last, backfill.years) == ("2024", "2025", (2024, 2025))
    assert backfill.run_config() == {
        "ops": {"warehouse_models": {"config": {"years": [2024, 2025]}}}
    }
    quarter = period_plan("2026T3")
    assert (quarter.job, quarter.partition_key, quarter.tags()) == ("quarterly", "2026T3", {})
    # the quarterly job's period marts compute that period only
    config = {"config": {"periods": ["2026T3"]}}
    assert quarter.run_config() == {"ops": {"warehouse_models": config}}


def test_attrib_run_prints_progress_and_a_summary(tiny_built):
    _, _, out = tiny_built
    assert "raw_validated/rpls [2024]" in out
    assert "warehouse_models done" in out
    summary = out.split("\nsource")[-1]
    for name in ("rpls", "ops", "sne_demandes", "sne_attributions", "acd_plans"):
        assert f"\n{name} " in summary
    assert "does not reconcile" not in out
    assert "of job attrib succeeded" in out


def test_runs_of_attrib_are_runs_of_the_named_job(tiny_built):
    from core.layout import Layout
    from pipelines.instance import instance_for

    _, warehouse, _ = tiny_built
    instance = instance_for(Layout(warehouse))
    runs = instance.get_runs()
    assert runs and {r.job_name for r in runs} == {"attrib"}
    assert all("attrib/invocation" in r.tags for r in runs)


def test_the_run_history_is_dagsters_own_format(tiny_built):
    """The event log with its connections kept open (core/run_history.py) writes the files
    Dagster's stock SQLite storage reads: ``dagster dev`` on another setup shows the same
    events."""
    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    from core.layout import Layout
    from core.run_history import PooledSqliteEventLogStorage
    from pipelines.instance import instance_for

    _, warehouse, _ = tiny_built
    instance = instance_for(Layout(warehouse))
    assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
    run = instance.get_runs(limit=1)[0]
    ours = instance.all_logs(run.run_id)
    stock = SqliteEventLogStorage(instance.event_log_storage._base_dir)
    theirs = stock.get_logs_for_run(run.run_id)
    assert len(ours) == len(theirs) > 100
    assert [e.dagster_event_type for e in ours] == [e.dagster_event_type for e in theirs]
    materialised = instance.get_latest_materialization_event(
        AssetKey(["marts", "capacity_objectives"])
    )
    assert materialised is not None and materialised.run_id == run.run_id


def test_an_explicit_raw_folder_that_is_empty_or_missing_is_an_error(tmp_path):
    for raw in (tmp_path / "missing", tmp_path):
        code, out = attrib("run", "--raw", str(raw), "--warehouse", str(tmp_path / "w.duckdb"))
        assert code == 2
        assert str(raw) in out and "generated only into the default raw/" in out
    assert not (tmp_path / "w.duckdb").exists()


def test_attrib_run_reports_a_bad_file_and_publishes_nothing(tmp_path, tiny_clean):
    raw = tmp_path / "raw"
    shutil.copytree(tiny_clean, raw)
    (raw / "ops" / "ops_2024_31.csv").write_text("IDENT_REP;NB_OCCUPANTS\nA;1\n")
    warehouse = tmp_path / "w" / "attrib.duckdb"
    code, out = attrib("run", "--raw", str(raw), "--warehouse", str(warehouse), "--years", "2024")
    assert code == 1
    assert "ops/ops_2024_31.csv: missing column(s) NB_ENFANTS" in out
    assert "Nothing was published from this run" in out
    assert not (warehouse.parent / "attrib" / "exports").exists()


def test_a_warehouse_gets_the_projects_parse_state_when_its_own_is_older(tmp_path):
    # a new version of the project (re-parsed once by prepare_manifest) reaches every warehouse
    # of the default vars at its next run: without it, the warehouse's older state made dbt
    # parse the whole project again (8 s in France); a warehouse of other vars keeps its own,
    # which dbt can still use to parse only what changed (the project's it would refuse)
    import os

    from core.dbt_project import PARSE_STATE, dbt_project, prepare_target
    from core.layout import Layout
    from core.settings import DuckDBLimits

    project = dbt_project.project_dir / "target" / PARSE_STATE
    older = project.stat().st_mtime - 60

    def own_state(layout: Layout, limits: DuckDBLimits, content: bytes) -> bytes:
        own = prepare_target(layout, limits) / PARSE_STATE
        own.write_bytes(content)
        os.utime(own, (older, older))
        prepare_target(layout, limits)
        return own.read_bytes()

    default = Layout(tmp_path / "attrib.duckdb")
    own = prepare_target(default, DuckDBLimits()) / PARSE_STATE
    assert own.read_bytes() == project.read_bytes()  # a new warehouse starts with it
    assert own_state(default, DuckDBLimits(), b"an older parse") == project.read_bytes()
    own.write_bytes(b"parsed by this warehouse's dbt since")  # newer than the project's: kept
    prepare_target(default, DuckDBLimits())
    assert own.read_bytes() == b"parsed by this warehouse's dbt since"
    other_name = Layout(tmp_path / "other" / "scenario.duckdb")
    assert own_state(other_name, DuckDBLimits(), b"its own vars") == b"its own vars"
    other_limits = DuckDBLimits(memory_limit="1GB")
    assert own_state(Layout(tmp_path / "l" / "attrib.duckdb"), other_limits, b"own") == b"own"


def test_the_summary_lists_flagged_rows_per_file_and_past_five_files_per_check(tmp_path, capsys):
    """A check that flags rows in a few files lists each; in more than five (a national OPS has
    101), one line gives their count and the sum (marts.data_quality keeps every file)."""
    from core.connection import connect
    from pipelines.runner import _summary

    database = tmp_path / "attrib.duckdb"
    con = connect(database)
    con.execute("CREATE SCHEMA marts")
    con.execute(
        "CREATE TABLE marts.data_quality AS SELECT * FROM (VALUES "
        "('decision_dwelling_not_in_register', 'sne/attributions_2025.csv', 2025, 3), "
        "('decision_dwelling_not_in_register', 'sne/attributions_2026T1.csv', 2026, 4)) "
        "t(check_name, source_file, year, rows_flagged) UNION ALL "
        "SELECT 'ops_household_without_register_dwelling', printf('ops/ops_2024_%02d.csv', i), "
        "2024, i FROM range(1, 7) r(i)"
    )
    con.close()
    _summary(database, "a run")
    flagged = capsys.readouterr().out.split("rows kept but flagged")[1].strip().splitlines()[1:]
    assert [line.split() for line in flagged] == [
        ["decision_dwelling_not_in_register", "sne/attributions_2025.csv", "2025", "3"],
        ["decision_dwelling_not_in_register", "sne/attributions_2026T1.csv", "2026", "4"],
        ["ops_household_without_register_dwelling", "6", "files", "2024", "21"],
    ]
