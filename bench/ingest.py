"""Ingestion benchmark: ``python bench/ingest.py [--scales dep31 france]``.

For each scale it generates the extracts with injected bad rows, then, in a fresh process,
loads every source through the code location's ``raw`` job (the raw stage of ``attrib run``),
over every extract period with files, and prints generation
time, ingestion+validation time per source, rows per second, peak memory, and the floor: the
time DuckDB alone takes to read the same RPLS files into a typed table. It fails if the rows
rejected are not exactly the rows injected (so the speed is that of validating every row).
Targets (france RPLS, 5.4 million rows, 2 cores): ratio <= 2, peak memory <= 4 GB.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the project's settings, read in place
BAD_ROWS = 0.001

from core.settings import DuckDBLimits  # noqa: E402 - after the project's folder is on the path

CHILD_GENERATE = """
import json, resource, sys
from pathlib import Path
from samples.generator import generate
r = generate(Path(sys.argv[1]), sys.argv[2], 42, float(sys.argv[3]), progress=lambda m: None)
print(json.dumps({"seconds": r.seconds, "rows": sum(r.files.values()), "injected": r.injected,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

CHILD_INGEST = """
import json, resource, sys
from pathlib import Path
from dagster import DagsterEventType, DagsterInstance
from core.dbt_project import prepare_manifest
from core.settings import Settings
prepare_manifest()
from pipelines.build_plan import annual_plan
from pipelines.definitions import build_definitions
raw, warehouse = Path(sys.argv[1]), Path(sys.argv[2])
plan = annual_plan(raw, job="raw")
job = build_definitions(Settings.resolve(raw, warehouse)).resolve_job_def("raw")
result = job.execute_in_process(partition_key=plan.partition_key, tags=plan.tags(),
    instance=DagsterInstance.ephemeral(),
    run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}})
assert result.success
times, rows = {}, {}
for event in result.all_events:
    if event.event_type == DagsterEventType.STEP_SUCCESS and event.step_key.startswith(
            "raw_validated__"):  # the job also publishes the warehouse: not a load
        name = event.step_key.removeprefix("raw_validated__")
        times[name] = event.event_specific_data.duration_ms / 1000
for event in result.get_asset_materialization_events():
    if event.asset_key.path[0] != "raw_validated":
        continue
    name = event.asset_key.path[-1]
    rows[name] = event.step_materialization_data.materialization.metadata["rows_read"].value
print(json.dumps({"times": times, "rows": rows,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

CHILD_FLOOR = """
import json, os, sys, time, duckdb
target, memory, files = sys.argv[1], sys.argv[2], sys.argv[3:]
out = {}
for kind, path in (("memory", ":memory:"), ("file", target)):
    if os.path.exists(target):
        os.remove(target)
    con = duckdb.connect(path)
    con.execute(f"SET memory_limit = '{memory}'")  # the run's (core/settings.py)
    t = time.perf_counter()
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv({files!r}, delim=';', header=true, "
                "encoding='latin-1', decimal_separator=',')")
    con.close()
    out[kind] = time.perf_counter() - t
print(json.dumps(out))
"""


def child(code: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=HERE.parent,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench(scale: str, keep: bool, reuse: bool) -> dict:
    root = HERE / "out" / scale
    raw, warehouse = root / "raw", root / "warehouse" / "attrib.duckdb"
    shutil.rmtree(root / "warehouse", ignore_errors=True)
    if reuse and raw.is_dir():
        print(f"\n== {scale}: reusing {raw}", flush=True)
    else:
        shutil.rmtree(root, ignore_errors=True)
        print(f"\n== {scale}: generating with --bad-rows {BAD_ROWS}", flush=True)
        gen = child(CHILD_GENERATE, str(raw), scale, str(BAD_ROWS))
        print(
            f"generation: {gen['rows']:,} rows in {gen['seconds']:.1f} s "
            f"({gen['rows'] / gen['seconds']:,.0f} rows/s), peak {gen['peak_mb']:,.0f} MB, "
            f"{gen['injected']:,} bad rows injected",
            flush=True,
        )
    ingest = child(CHILD_INGEST, str(raw), str(warehouse))
    rpls_files = sorted(str(p) for p in (raw / "rpls").glob("rpls_*.csv"))
    memory = DuckDBLimits.from_environment().memory_limit
    floor = child(CHILD_FLOOR, str(root / "floor.duckdb"), memory, *rpls_files)
    print(f"{'source':<28}{'rows':>12}{'seconds':>10}{'rows/s':>12}")
    for name, seconds in ingest["times"].items():
        n = ingest["rows"][name]
        print(f"{name:<28}{n:>12,}{seconds:>10.2f}{n / seconds:>12,.0f}")
    ratio = ingest["times"]["rpls"] / floor["file"]
    print(
        "floor: DuckDB read_csv of the same RPLS files into a typed table: "
        f"{floor['file']:.2f} s into a database file (as the warehouse), "
        f"{floor['memory']:.2f} s in memory"
    )
    print(
        f"RPLS ingestion+validation / floor (file): {ratio:.2f}  (target <= 2); "
        f"/ floor (memory): {ingest['times']['rpls'] / floor['memory']:.2f}"
    )
    print(f"peak memory of the whole ingestion: {ingest['peak_mb']:,.0f} MB  (target <= 4096)")
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    rejected = set(
        con.execute("SELECT DISTINCT source_file, line FROM raw_validated.rejects").fetchall()
    )
    con.close()
    with (raw / "_generator" / "injected_bad_rows.csv").open(encoding="utf-8") as handle:
        injected = {(r["file"], int(r["line"])) for r in csv.DictReader(handle)}
    exact = rejected == injected
    print(f"rows rejected = rows injected: {exact} ({len(rejected):,} / {len(injected):,})")
    if not keep:
        shutil.rmtree(root, ignore_errors=True)
    return {"scale": scale, "ratio": ratio, "peak_mb": ingest["peak_mb"], "exact": exact}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scales", nargs="+", default=["dep31", "france"], choices=["tiny", "dep31", "france"]
    )
    parser.add_argument("--keep", action="store_true", help="keep bench/out/<scale>")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse extracts kept by an earlier --keep run"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    results = [bench(scale, args.keep, args.reuse) for scale in args.scales]
    print(f"\nbench finished in {time.perf_counter() - started:.0f} s")
    return 0 if all(r["exact"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
