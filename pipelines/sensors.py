"""A sensor on the whole landing zone: a new or replaced extract of any source (RPLS vintage,
OPS survey, plans, SNE extract, reference table) starts the ``attrib`` job for its periods.

A file is new when its sha256 is not in the warehouse's load log. Hashes are kept in the
cursor with the size and modification time they were computed for, so a large register is
hashed again only when it changes. Run keys are made of the files' hashes: the same files never
start two runs.
"""

from __future__ import annotations

import hashlib
import json

import duckdb
from dagster import SensorEvaluationContext, SensorResult, SkipReason, sensor

from core.resources import RawZone, Warehouse
from ingestion.raw_files import discover, hash_file
from pipelines.build_plan import RunPlan, key_range, keys_with_files
from pipelines.jobs import attrib_job
from schemas import SOURCES


def loaded_hashes(warehouse: Warehouse) -> set[tuple[str, str]] | None:
    """(file, sha256) of every file loaded, or None while a run holds the warehouse."""
    if not warehouse.layout.database.exists():
        return set()
    try:
        with warehouse.connect(read_only=True) as con:
            return set(
                con.execute(
                    "SELECT source_file, file_sha256 FROM raw_validated.load_log"
                ).fetchall()
            )
    except duckdb.CatalogException:
        return set()
    except duckdb.IOException:
        return None


def landed_files(raw_zone: RawZone, cache: dict) -> dict[str, dict]:
    """Every raw file with its partition key and sha256 (from ``cache`` when unchanged)."""
    files = {}
    for source in SOURCES.values():
        for key, found in discover(raw_zone.root, source).items():
            for raw in found:
                stat = raw.path.stat()
                cached = cache.get(raw.relative)
                if (
                    cached
                    and cached["size"] == stat.st_size
                    and cached["mtime"] == stat.st_mtime_ns
                ):
                    sha = cached["sha256"]
                else:
                    sha = hash_file(raw.path)[1]
                files[raw.relative] = {
                    "size": stat.st_size,
                    "mtime": stat.st_mtime_ns,
                    "sha256": sha,
                    "key": key,
                }
    return files


@sensor(
    job=attrib_job,
    minimum_interval_seconds=60,
    description="A new or replaced extract anywhere in the landing zone: run the attrib job "
    "over its periods (the reference tables are reloaded by every run).",
)
def raw_files_sensor(context: SensorEvaluationContext, raw_zone: RawZone, warehouse: Warehouse):
    cache = json.loads(context.cursor) if context.cursor else {}
    files = landed_files(raw_zone, cache)
    cursor = json.dumps(files, sort_keys=True)
    loaded = loaded_hashes(warehouse)
    if loaded is None:
        return SkipReason(f"{warehouse.path} is being written by a run; looking again later")
    new = {path: f for path, f in files.items() if (path, f["sha256"]) not in loaded}
    if not new:
        return SensorResult(skip_reason="every file in the landing zone is loaded", cursor=cursor)
    keys = sorted({f["key"] for f in new.values() if f["key"] is not None})
    if not keys:  # only reference tables changed: reload them with the latest period
        keys = keys_with_files(raw_zone.root)[-1:] or ["2019"]
    first, last = key_range(keys)
    fingerprint = hashlib.sha256(
        json.dumps(sorted((p, f["sha256"]) for p, f in new.items())).encode()
    ).hexdigest()[:16]
    request = RunPlan("attrib", first, last).run_request(
        f"files-{fingerprint}", warehouse.layout.database
    )
    context.log.info(f"new or replaced: {', '.join(sorted(new))}")
    return SensorResult(run_requests=[request], cursor=cursor)


SENSORS = [raw_files_sensor]
