"""A sensor that launches the right SNE period when an extract lands in ``raw/sne/``."""

from __future__ import annotations

import json

from dagster import RunRequest, SensorEvaluationContext, SensorResult, SkipReason, sensor

from ingestion.raw_files import discover
from pipelines.jobs import attainment_job
from pipelines.resources import RawZone
from schemas import SOURCES

SNE_SOURCES = [SOURCES["sne_demandes"], SOURCES["sne_attributions"]]


def new_extracts(raw_zone: RawZone, seen: dict[str, list]) -> tuple[dict[str, list], set[str]]:
    """Files whose size or modification time changed since ``seen``, and their periods."""
    current: dict[str, list] = {}
    periods: set[str] = set()
    for source in SNE_SOURCES:
        for key, files in discover(raw_zone.root, source).items():
            for raw in files:
                stat = raw.path.stat()
                current[raw.relative] = [stat.st_size, stat.st_mtime_ns]
                if seen.get(raw.relative) != current[raw.relative]:
                    periods.add(key)
    return current, periods


@sensor(
    job=attainment_job,
    minimum_interval_seconds=60,
    description="New or replaced SNE extract in raw/sne: run its period (a yearly "
    "extract runs the year, a quarterly one the quarter to date).",
)
def sne_extract_sensor(context: SensorEvaluationContext, raw_zone: RawZone):
    seen = json.loads(context.cursor) if context.cursor else {}
    current, periods = new_extracts(raw_zone, seen)
    if not periods:
        return SkipReason(f"no new SNE extract in {raw_zone.root / 'sne'}")
    requests = [
        RunRequest(
            run_key=f"{period}-{hash(json.dumps(current, sort_keys=True))}", partition_key=period
        )
        for period in sorted(periods)
    ]
    return SensorResult(run_requests=requests, cursor=json.dumps(current, sort_keys=True))


SENSORS = [sne_extract_sensor]
