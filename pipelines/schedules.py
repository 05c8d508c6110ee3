"""Schedules: the yearly run once year N is closed (1 April N+1, for N): the ``attrib`` job,
which loads the extracts, rebuilds every model and publishes, in one run; and the quarterly run
15 days after each quarter (year to date through that quarter): the ``quarterly`` job, the
SNE's extracts and what is downstream of them. Each schedule names the job its run requests
name: Dagster's daemon launches the schedule's job, whatever job a run request names."""

from __future__ import annotations

import datetime as dt

from dagster import RunRequest, ScheduleEvaluationContext, schedule

from core.resources import RawZone, Warehouse
from pipelines.build_plan import period_plan, yearly_plan
from pipelines.jobs import attrib_job, quarterly_job

TIMEZONE = "Europe/Paris"


def closed_year(today: dt.date) -> int:
    """Year N is closed on 31 March N+1: from 1 April on, the closed year is the previous one."""
    return today.year - 1


def last_quarter(today: dt.date) -> str:
    """The quarter that ended before ``today`` (run 15 days later): '2026T3' in October."""
    quarter = (today.month - 1) // 3  # 0 in January: the fourth quarter of last year
    return f"{today.year - 1}T4" if quarter == 0 else f"{today.year}T{quarter}"


@schedule(
    job=attrib_job,
    cron_schedule="0 6 1 4 *",
    execution_timezone=TIMEZONE,
    description="1 April: every extract up to the year closed on 31 March (new RPLS vintages, "
    "plans and surveys included), every model, the docs site and the publication.",
)
def yearly_schedule(
    context: ScheduleEvaluationContext, raw_zone: RawZone, warehouse: Warehouse
) -> RunRequest:
    year = closed_year(context.scheduled_execution_time.date())
    return yearly_plan(raw_zone.root, year).run_request(f"yearly-{year}", warehouse.layout.database)


@schedule(
    job=quarterly_job,
    cron_schedule="0 6 15 1,4,7,10 *",
    execution_timezone=TIMEZONE,
    description="15 days after each quarter: its SNE extracts, the models downstream of the SNE "
    "(quotas and indicators year to date) and the publication.",
)
def quarterly_schedule(
    context: ScheduleEvaluationContext, raw_zone: RawZone, warehouse: Warehouse
) -> RunRequest:
    period = last_quarter(context.scheduled_execution_time.date())
    return period_plan(period).run_request(f"quarter-{period}", warehouse.layout.database)


SCHEDULES = [yearly_schedule, quarterly_schedule]
