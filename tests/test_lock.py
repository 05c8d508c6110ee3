"""One writer at a time: a second `attrib run` on a warehouse is refused at once with one line
naming the run that holds it; a lock whose process is gone is taken over."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from core.layout import Layout
from core.lock import WarehouseBusy, WarehouseLock, lock_path
from core.resources import Warehouse
from tests.conftest import attrib


def hold(layout: Layout, pid: int) -> None:
    path = lock_path(layout)
    path.parent.mkdir(parents=True, exist_ok=True)
    info = {"pid": pid, "host": socket.gethostname(), "started_at": "2026-11-25T10:00:00"}
    path.write_text(json.dumps({**info, "command": "attrib run (the first one)"}))


@pytest.fixture
def other_process():
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield process.pid
    process.kill()
    process.wait()


def test_a_second_run_is_refused_at_once_naming_the_first(tmp_path, tiny_clean, other_process):
    warehouse = tmp_path / "w" / "attrib.duckdb"
    hold(Layout(warehouse), other_process)
    code, out = attrib("run", "--raw", str(tiny_clean), "--warehouse", str(warehouse))
    assert code == 3
    (line,) = out.strip().splitlines()
    assert f"pid {other_process}" in line and "attrib run (the first one)" in line
    assert "is being written by another run" in line
    assert not warehouse.exists()  # nothing was started


def test_a_write_connection_meets_the_lock(tmp_path, other_process):
    warehouse = tmp_path / "w" / "attrib.duckdb"
    hold(Layout(warehouse), other_process)
    with pytest.raises(WarehouseBusy, match=f"pid {other_process}"):
        with Warehouse(path=str(warehouse)).in_run("second").connect():
            pass
    with pytest.raises(WarehouseBusy):
        with WarehouseLock(Layout(warehouse), "attrib run (the second one)"):
            pass


def test_a_stale_lock_is_taken_over_and_released(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    layout = Layout(tmp_path / "w" / "attrib.duckdb")
    hold(layout, gone.pid)
    with WarehouseLock(layout, "attrib run (after a crash)"):
        info = json.loads(lock_path(layout).read_text())
        assert info["pid"] == os.getpid() and info["command"] == "attrib run (after a crash)"
        with (
            Warehouse(path=str(layout.database)).in_run("first").connect() as con
        ):  # its own lock: allowed
            assert con.execute("SELECT 1").fetchone() == (1,)
    assert not lock_path(layout).exists()


def test_dbt_alone_meets_the_same_lock(tmp_path, other_process):
    warehouse = tmp_path / "w" / "attrib.duckdb"
    hold(Layout(warehouse), other_process)
    code, out = attrib("dbt", "--warehouse", str(warehouse), "--", "build")
    assert code == 3
    assert f"pid {other_process}" in out and "attrib run (the first one)" in out


def test_dbt_started_directly_is_refused_before_it_opens_a_file(tmp_path):
    """Without the vars attrib passes, the profile has no file to open: dbt would otherwise
    write the published warehouse under its readers, without the lock."""
    from core.dbt_project import DBT_DIR

    dbt = Path(sys.executable).with_name("dbt")  # dbt itself, as a user would start it
    done = subprocess.run(
        [str(dbt), "debug", "--profiles-dir", ".", "--log-path", str(tmp_path)],
        cwd=DBT_DIR,
        capture_output=True,
        text=True,
        env={**os.environ, "ATTRIB_WAREHOUSE": str(tmp_path / "w.duckdb")},
    )
    assert done.returncode != 0
    assert "ATTRIB_DBT_WAREHOUSE_COPY" in done.stdout + done.stderr
    assert not (tmp_path / "w.duckdb").exists()
