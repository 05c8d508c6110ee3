"""Schedules and the sensor target the right partitions (evaluated, no clock)."""

from __future__ import annotations

import datetime as dt
import shutil

from dagster import build_schedule_context, build_sensor_context
from pipelines.resources import RawZone

from pipelines.schedules import (
    closed_year,
    last_quarter,
    quarterly_attainment_schedule,
    yearly_attainment_schedule,
)
from pipelines.sensors import sne_extract_sensor


def test_partition_rules():
    assert closed_year(dt.date(2026, 4, 1)) == "2025"
    assert last_quarter(dt.date(2026, 4, 15)) == "2026T1"
    assert last_quarter(dt.date(2026, 10, 15)) == "2026T3"
    assert last_quarter(dt.date(2026, 1, 15)) == "2025T4"


def test_schedules_request_the_closed_year_and_the_last_quarter():
    april = build_schedule_context(scheduled_execution_time=dt.datetime(2026, 4, 1, 6))
    request = yearly_attainment_schedule(april)
    assert request.partition_key == "2025"
    july = build_schedule_context(scheduled_execution_time=dt.datetime(2026, 7, 15, 6))
    assert quarterly_attainment_schedule(july).partition_key == "2026T2"
    assert yearly_attainment_schedule.cron_schedule == "0 6 1 4 *"
    assert quarterly_attainment_schedule.cron_schedule == "0 6 15 1,4,7,10 *"


def test_sensor_runs_the_period_of_a_new_extract(tmp_path, tiny_clean):
    raw = tmp_path / "raw"
    (raw / "sne").mkdir(parents=True)
    shutil.copy(tiny_clean / "sne" / "demandes_2025.csv", raw / "sne")
    zone = RawZone(path=str(raw))
    first = sne_extract_sensor(build_sensor_context(resources={"raw_zone": zone}))
    assert [r.partition_key for r in first.run_requests] == ["2025"]
    again = sne_extract_sensor(
        build_sensor_context(cursor=first.cursor, resources={"raw_zone": zone})
    )
    assert not getattr(again, "run_requests", None)
    shutil.copy(tiny_clean / "sne" / "attributions_2026T2.csv", raw / "sne")
    shutil.copy(tiny_clean / "sne" / "demandes_2026T2.csv", raw / "sne")
    later = sne_extract_sensor(
        build_sensor_context(cursor=first.cursor, resources={"raw_zone": zone})
    )
    assert [r.partition_key for r in later.run_requests] == ["2026T2"]
