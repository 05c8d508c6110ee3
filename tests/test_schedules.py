"""Schedules and the sensor request runs of the attrib job for the right periods (evaluated, no
clock)."""

from __future__ import annotations

import datetime as dt
import shutil

from dagster import build_schedule_context, build_sensor_context

from core.resources import RawZone, Warehouse
from pipelines.schedules import closed_year, last_quarter, quarterly_schedule, yearly_schedule
from pipelines.sensors import raw_files_sensor

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def test_partition_rules():
    assert closed_year(dt.date(2026, 4, 1)) == 2025
    assert last_quarter(dt.date(2026, 4, 15)) == "2026T1"
    assert last_quarter(dt.date(2026, 10, 15)) == "2026T3"
    assert last_quarter(dt.date(2026, 1, 15)) == "2025T4"


def test_schedules_request_the_closed_year_and_the_last_quarter(tmp_path, tiny_clean):
    resources = {
        "raw_zone": RawZone(path=str(tiny_clean)),
        "warehouse": Warehouse(path=str(tmp_path / "w.duckdb")),
    }
    april = build_schedule_context(
        scheduled_execution_time=dt.datetime(2026, 4, 1, 6), resources=resources
    )
    request = yearly_schedule(april)
    assert request.job_name == "attrib"
    assert (request.tags[RANGE_START], request.tags[RANGE_END]) == ("2024", "2025T4")
    assert request.tags["attrib/warehouse"] == str(tmp_path / "w.duckdb")
    july = build_schedule_context(
        scheduled_execution_time=dt.datetime(2026, 7, 15, 6), resources=resources
    )
    assert quarterly_schedule(july).partition_key == "2026T2"
    assert yearly_schedule.cron_schedule == "0 6 1 4 *"
    assert quarterly_schedule.cron_schedule == "0 6 15 1,4,7,10 *"


def test_sensor_requests_each_new_file_once_with_a_stable_key(tmp_path, tiny_clean):
    raw = tmp_path / "raw"
    (raw / "sne").mkdir(parents=True)
    shutil.copy(tiny_clean / "sne" / "demandes_2025.csv", raw / "sne")
    resources = {
        "raw_zone": RawZone(path=str(raw)),
        "warehouse": Warehouse(path=str(tmp_path / "w.duckdb")),
    }
    first = raw_files_sensor(build_sensor_context(resources=resources))
    assert [r.partition_key for r in first.run_requests] == ["2025"]
    # evaluated again in another process, with no cursor: the same run key
    fresh = raw_files_sensor(build_sensor_context(resources=resources))
    assert [r.run_key for r in fresh.run_requests] == [r.run_key for r in first.run_requests]
    shutil.copy(tiny_clean / "sne" / "attributions_2026T2.csv", raw / "sne")
    (raw / "rpls").mkdir()
    shutil.copy(tiny_clean / "rpls" / "rpls_2026_31.csv", raw / "rpls")
    later = raw_files_sensor(build_sensor_context(cursor=first.cursor, resources=resources))
    (request,) = later.run_requests
    assert (request.tags[RANGE_START], request.tags[RANGE_END]) == ("2025", "2026T2")
    assert request.run_key != first.run_requests[0].run_key


def test_sensor_skips_files_already_loaded(tiny_built):
    raw, warehouse, _ = tiny_built
    resources = {
        "raw_zone": RawZone(path=str(raw)),
        "warehouse": Warehouse(path=str(warehouse)),
    }
    result = raw_files_sensor(build_sensor_context(resources=resources))
    assert not result.run_requests
    assert "every file in the landing zone is loaded" in result.skip_reason.skip_message
