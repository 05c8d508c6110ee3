"""End-to-end benchmark of `attrib run`: ``python3 bench/run.py [--scales tiny dep31]``.

For each scale it generates the sample (seed 42) once into bench/out/<scale>/raw, then runs the
installed `attrib run` on a new warehouse and again on the same warehouse (a re-run), watching
the whole process tree: wall time, peak RSS of the tree, and the dbt processes it started.
Targets (issue "One build plan", 2 cores): tiny <= 45 s, dep31 <= 90 s, at most 4 dbt processes.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from process_tree import watch

HERE = Path(__file__).resolve().parent
ATTRIB = Path(sys.executable).with_name("attrib")


def bench(scale: str) -> None:
    root = HERE / "out" / f"run_{scale}"
    raw = root / "raw"
    if not raw.is_dir():
        subprocess.run(
            [str(ATTRIB), "generate", "--scale", scale, "--seed", "42", "--out", str(raw)],
            check=True,
            capture_output=True,
        )
    shutil.rmtree(root / "w", ignore_errors=True)
    warehouse = root / "w" / "attrib.duckdb"
    print(f"\n== {scale}")
    for label in ("new warehouse", "re-run, same warehouse"):
        run = watch([str(ATTRIB), "run", "--raw", str(raw), "--warehouse", str(warehouse)])
        if run.returncode != 0:
            print(run.output[-3000:])
            raise SystemExit(f"attrib run failed on {scale}")
        steps = [line.strip() for line in run.output.splitlines() if line.strip().endswith(" s)")]
        dbt = run.dbt_processes
        print(
            f"{label:<24} {run.seconds:6.1f} s wall, peak RSS of the tree "
            f"{run.peak_rss_mb:,.0f} MB, dbt processes: {len(dbt)}"
        )
        for line in steps:
            print(f"    {line}")
        for command in dbt:
            print(f"    dbt: {' '.join(command.split()[1:4])} ...")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=["tiny", "dep31"], choices=["tiny", "dep31"])
    for scale in parser.parse_args().scales:
        bench(scale)
    return 0


if __name__ == "__main__":
    sys.exit(main())
