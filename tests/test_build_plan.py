"""One build plan: the schedules and the sensor, evaluated at every tick over the sample's
loaded periods and their run requests executed with the code location's job definitions, build
the same marts as `attrib run` (the session's tiny warehouse) on the same landing zone."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
from dagster import DagsterInstance, build_schedule_context, build_sensor_context

from audit.compare import differences
from core.dbt_project import project_digest, unit_test_digest
from core.layout import Layout
from core.settings import Settings
from pipelines.build_plan import annual_plan, period_plan
from pipelines.definitions import build_definitions
from pipelines.schedules import quarterly_schedule, yearly_schedule
from pipelines.sensors import raw_files_sensor
from tests.conftest import give_key

# the tiny sample holds the years 2024 and 2025 and the quarters 2026T1 to 2026T3: the yearly
# tick that closes 2025 (its run covers every period up to 2025T4, 2024 included), and the
# quarterly ticks of 2026 (the quarterly job), the first quarter's last: its extract delivered
# late, after those of 2026T2 and 2026T3, which count it year to date
TICKS = [
    (yearly_schedule, dt.datetime(2026, 4, 1, 6)),
    (quarterly_schedule, dt.datetime(2026, 7, 15, 6)),
    (quarterly_schedule, dt.datetime(2026, 10, 15, 6)),
    (quarterly_schedule, dt.datetime(2026, 4, 15, 6)),
]


def test_schedules_and_sensor_build_what_attrib_run_builds(tmp_path, tiny_built):
    raw, by_cli, _ = tiny_built
    warehouse = tmp_path / "ticks" / "attrib.duckdb"
    give_key(warehouse)
    defs = build_definitions(Settings.resolve(raw, warehouse))
    resources = {"raw_zone": defs.resources["raw_zone"], "warehouse": defs.resources["warehouse"]}
    instance = DagsterInstance.ephemeral()
    requests = []
    for schedule, when in TICKS:
        context = build_schedule_context(scheduled_execution_time=when, resources=resources)
        request = schedule(context)
        # Dagster's daemon launches the schedule's job, whatever job the request names
        assert request.job_name == schedule.job_name, schedule.name
        requests.append(request)
    # then the sensor: what no schedule loaded yet (the RPLS vintage of 1 January 2026)
    executed, run_ids, manifests, sheets, later, unit_tests = [], {}, {}, {}, {}, {}
    exports, reports = Layout(warehouse).exports, Layout(warehouse).reports
    build_results = Layout(warehouse).dbt_target / "build_results.json"

    def execute(request):
        job = defs.resolve_job_def(request.job_name)
        result = job.execute_in_process(
            partition_key=request.partition_key,
            run_config=request.run_config,
            tags=request.tags,
            instance=instance,
        )
        assert result.success, request
        executed.append(request.run_key)
        run_ids[request.run_key] = result.run_id
        manifests[request.run_key] = json.loads((exports / "manifest.json").read_text())
        # the manifest names the published files, not the run's building area (gone by now)
        assert all((exports / r["path"]).is_file() for r in manifests[request.run_key]["reports"])
        with duckdb.connect(str(warehouse), read_only=True) as con:
            later[request.run_key] = con.execute(
                "SELECT * FROM marts.quota_attainment WHERE period IN ('2026T2', '2026T3') "
                "ORDER BY ALL"
            ).fetchall()
            recorded = con.execute(
                "SELECT unit_tests_digest FROM audit.dbt_builds WHERE run_id = ?", [result.run_id]
            ).fetchall()
        sheets[request.run_key] = json.loads((reports / "sheets.json").read_text())
        nodes = json.loads(build_results.read_text())["results"]
        ran = sum(n["unique_id"].startswith("unit_test.") for n in nodes)
        unit_tests[request.run_key] = (ran, recorded)

    for request in requests:
        execute(request)
    sensed = raw_files_sensor(build_sensor_context(resources=resources, instance=instance))
    assert [r.partition_key for r in sensed.run_requests] == ["2026"]
    for request in sensed.run_requests:
        execute(request)
    again = raw_files_sensor(build_sensor_context(resources=resources, instance=instance))
    assert not again.run_requests  # every file is loaded now
    assert executed == [
        "yearly-2025",
        "quarter-2026T2",
        "quarter-2026T3",
        "quarter-2026T1",
        sensed.run_requests[0].run_key,
    ]
    # the yearly run's whole build ran every unit test, under the project, raw schemas and
    # engines of this session; the quarters' builds, under the same, leave them out (they test
    # the models' SQL on rows they give, whatever rows the warehouse holds)
    ran, recorded = unit_tests["yearly-2025"]
    assert ran >= 5 and recorded == [(unit_test_digest(project_digest()),)]
    for key in ("quarter-2026T2", "quarter-2026T3", "quarter-2026T1"):
        assert unit_tests[key] == (0, [(None,)]), key
    # the late first quarter counts in the year to date of 2026T2 and 2026T3: computed again
    assert later["quarter-2026T3"] and later["quarter-2026T1"] != later["quarter-2026T3"]
    # a quarterly run exports again only the marts it rebuilt (downstream of the SNE); the
    # others are carried over from the previous publication, with the run that wrote them
    quarter = manifests["quarter-2026T1"]["marts"]
    assert quarter["quota_attainment"]["exported_by_run"] == run_ids["quarter-2026T1"]
    assert quarter["capacity_objectives"]["exported_by_run"] == run_ids["yearly-2025"]
    assert quarter["fragility_commune"]["exported_by_run"] == run_ids["yearly-2025"]
    # of a mart published apart by year, it suppresses and writes the rows of 2026 only: the
    # rows of 2024 and 2025 are read back from the previous file (each year is suppressed as
    # if alone, so the file is the one a whole run writes: checked below, row for row)
    kept = quarter["quota_attainment"]["rows_kept_from_previous"]
    assert kept["years"] == [2024, 2025] and kept["rows"] > 0
    assert kept["read_from_export_of_run"] == run_ids["quarter-2026T3"]
    assert manifests["yearly-2025"]["marts"]["quota_attainment"]["rows_kept_from_previous"] is None
    # the sheets show 2025, which no quarter of 2026 changes: kept from the yearly run's,
    # written again when the RPLS vintage of 2026 rebuilds the stock they read
    assert [sheets[key]["run_id"] for key in executed] == [
        run_ids["yearly-2025"],
        run_ids["yearly-2025"],
        run_ids["yearly-2025"],
        run_ids["yearly-2025"],
        run_ids[executed[-1]],
    ]
    assert {s["year"] for key in executed for s in sheets[key]["sheets"]} == {2025}
    # and every published file holds what a single run of the CLI publishes, row for row
    con = duckdb.connect()
    for path in Layout(by_cli).exports.glob("*.parquet"):
        assert path.stem in quarter
        columns = con.execute(f"DESCRIBE FROM read_parquet('{path}')").fetchall()
        # sums of doubles differ in their last digit with the order DuckDB's threads add them
        rounded = ", ".join(
            f"round({name}, 9)" if kind == "DOUBLE" else name for name, kind, *_ in columns
        )
        for a, b in ((path, exports / path.name), (exports / path.name, path)):
            query = (
                f"SELECT {rounded} FROM read_parquet('{a}') "
                f"EXCEPT ALL SELECT {rounded} FROM read_parquet('{b}')"
            )
            assert con.execute(f"SELECT count(*) FROM ({query})").fetchone() == (0,), path.name
    con.close()
    compared = list(differences(by_cli, warehouse, "marts", ignore_hashes=False))
    assert len(compared) >= 20
    for table, rows_cli, rows_ticks, differing, note in compared:
        assert rows_cli and rows_cli == rows_ticks, table
        assert (differing, note) == (0, ""), table


def test_a_run_hashes_ahead_the_files_of_its_key_range(tiny_clean):
    """What `attrib run` hashes while the code location loads (pipelines/runner.py): the files
    its raw steps may read, those of its partition range and the unpartitioned sources."""
    names = {p.relative_to(tiny_clean).as_posix() for p in period_plan("2026T2").files(tiny_clean)}
    assert {"sne/demandes_2026T2.csv", "sne/attributions_2026T2.csv"} <= names
    assert not any("2026T1" in n or "2026T3" in n or "2025" in n for n in names)
    assert "acd/territories.csv" in names
    every = {
        p.relative_to(tiny_clean).as_posix()
        for p in tiny_clean.rglob("*.csv")
        if not p.relative_to(tiny_clean).as_posix().startswith("_")
    }
    whole = annual_plan(tiny_clean)
    assert {p.relative_to(tiny_clean).as_posix() for p in whole.files(tiny_clean)} == every
