"""Partitions: the extract periods of the raw layer, shared by every partitioned raw source.

A key is a year (``2025``: an RPLS vintage, an OPS survey, an agreement's plans, a yearly SNE
extract) or a quarter (``2025T2``: a quarterly SNE extract, which covers its own quarter). One
partitions definition for every raw source lets one job load them all in one run, in the order
of the asset graph; a yearly source simply has no file for a quarter key. A yearly SNE extract
supersedes the quarterly ones of its year (staging keeps it where it exists).
"""

from __future__ import annotations

import datetime as dt

from dagster import StaticPartitionsDefinition

FIRST_YEAR = 2019


def years(today: dt.date | None = None) -> list[str]:
    """From FIRST_YEAR to next year (plans and DALO counts look one year ahead)."""
    last = (today or dt.date.today()).year + 1
    return [str(y) for y in range(FIRST_YEAR, last + 1)]


def extract_periods(today: dt.date | None = None) -> list[str]:
    """Every key, in order: 2019, 2019T1 ... 2019T4, 2020, ..."""
    return [key for y in years(today) for key in (y, *(f"{y}T{q}" for q in range(1, 5)))]


def key_year(key: str) -> int:
    return int(key[:4])


def year_range(first: int, last: int) -> tuple[str, str]:
    """The first and last keys of the years ``first`` to ``last``: a run's partition range."""
    return str(first), f"{last}T4"


extract_partitions = StaticPartitionsDefinition(extract_periods())
