"""Partitions: vintage / survey / agreement years, and SNE extract periods.

A yearly SNE extract (``2025``) supersedes the quarterly ones of that year (``2025T1``...):
both are partitions of the SNE assets, and staging keeps the yearly one where it exists.
"""

from __future__ import annotations

import datetime as dt

from dagster import StaticPartitionsDefinition

FIRST_YEAR = 2019


def years(today: dt.date | None = None) -> list[str]:
    """From FIRST_YEAR to next year (plans and DALO counts look one year ahead)."""
    last = (today or dt.date.today()).year + 1
    return [str(y) for y in range(FIRST_YEAR, last + 1)]


def sne_periods(today: dt.date | None = None) -> list[str]:
    return [key for y in years(today) for key in (y, *(f"{y}T{q}" for q in range(1, 5)))]


yearly_partitions = StaticPartitionsDefinition(years())
sne_period_partitions = StaticPartitionsDefinition(sne_periods())
