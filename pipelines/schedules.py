"""Schedules: the yearly run once year N is closed (1 April N+1, for N), and the quarterly run
15 days after each quarter (year to date through that quarter)."""

from __future__ import annotations

import datetime as dt

from dagster import RunRequest, ScheduleEvaluationContext, schedule

from pipelines.jobs import attainment_job, publication_job

TIMEZONE = "Europe/Paris"


def closed_year(today: dt.date) -> str:
    """Year N is closed on 31 March N+1: from 1 April on, the closed year is the previous one."""
    return str(today.year - 1)


def last_quarter(today: dt.date) -> str:
    """The quarter that ended before ``today`` (run 15 days later): '2026T3' in October."""
    quarter = (today.month - 1) // 3  # 0 in January: the fourth quarter of last year
    return f"{today.year - 1}T4" if quarter == 0 else f"{today.year}T{quarter}"


@schedule(
    job=attainment_job,
    cron_schedule="0 6 1 4 *",
    execution_timezone=TIMEZONE,
    description="1 April: quotas and indicators of the year closed on 31 March.",
)
def yearly_attainment_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    key = closed_year(context.scheduled_execution_time.date())
    return RunRequest(run_key=f"year-{key}", partition_key=key)


@schedule(
    job=attainment_job,
    cron_schedule="0 6 15 1,4,7,10 *",
    execution_timezone=TIMEZONE,
    description="15 days after each quarter: quotas and indicators year to date.",
)
def quarterly_attainment_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    key = last_quarter(context.scheduled_execution_time.date())
    return RunRequest(run_key=f"quarter-{key}", partition_key=key)


@schedule(
    job=publication_job,
    cron_schedule="0 6 16 1,4,7,10 *",
    execution_timezone=TIMEZONE,
    description="The day after each quarterly (and the April yearly) run: GX checks, Parquet "
    "exports and territorial sheets.",
)
def publication_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    return RunRequest(run_key=f"publication-{context.scheduled_execution_time.date()}")


SCHEDULES = [yearly_attainment_schedule, quarterly_attainment_schedule, publication_schedule]
