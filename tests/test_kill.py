"""kill -9 of a run while dbt builds: dbt ends with it (it used to keep writing, orphaned),
the lock it left is taken over, and the next run converges to the same marts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from core.layout import Layout
from tests.conftest import give_key

ATTRIB = Path(sys.executable).with_name("attrib")


def descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            try:
                children = {int(c) for c in (task / "children").read_text().split()}
            except OSError:
                continue
            todo.extend(children - found)
            found |= children
    return found


def command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_kill_9_during_dbt_ends_dbt_and_a_rerun_converges(copy_built, tiny_built):
    raw, warehouse = copy_built
    give_key(warehouse)
    run = [str(ATTRIB), "run", "--raw", str(raw), "--warehouse", str(warehouse)]
    process = subprocess.Popen(run, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    dbt, deadline = [], time.monotonic() + 120
    while not dbt and time.monotonic() < deadline and process.poll() is None:
        dbt = [p for p in descendants(process.pid) if " build " in command(p)]
        time.sleep(0.1)
    assert dbt, "dbt build never started"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    # the watchdog looks every 0.25 s; an orphaned dbt build would run on for several seconds
    deadline = time.monotonic() + 3
    while any(Path(f"/proc/{p}").exists() for p in dbt) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(Path(f"/proc/{p}").exists() for p in dbt), "dbt outlived its run"
    assert (Layout(warehouse).private / "run.lock").exists()  # left behind by the killed run
    # the next run takes the lock over; a quarter's run is enough to show it (fewer models)
    done = subprocess.run([*run, "--years", "2026T3"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:]
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute("SELECT count(*) FROM marts.quota_attainment").fetchone()[0]
    con.close()
    _, built, _ = tiny_built
    con = duckdb.connect(str(built), read_only=True)
    expected = con.execute("SELECT count(*) FROM marts.quota_attainment").fetchone()[0]
    con.close()
    assert rows == expected > 0
