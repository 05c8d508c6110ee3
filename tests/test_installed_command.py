"""The installed `attrib` works by its full path from a venv that is not activated, with a
bare PATH, as cron and systemd timers run it (the session's tiny warehouse is built that way)."""

from __future__ import annotations

import duckdb

from core.layout import Layout


def test_attrib_by_full_path_with_a_bare_path(installed_attrib, tiny_built):
    raw, warehouse, out = tiny_built
    assert installed_attrib.parent.name == "bin" and installed_attrib.exists()
    assert "warehouse_models done" in out and "of job attrib succeeded" in out
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("SELECT count(*) FROM marts.quota_attainment").fetchone()[0] > 0
    con.close()
    assert (Layout(warehouse).exports / "manifest.json").exists()
    assert (Layout(warehouse).docs / "dbt" / "index.html").exists()


def test_attrib_dbt_ends_with_dbts_exit_status():
    """attrib-dbt ends its process without the interpreter's teardown (core/process_exit.py):
    dagster-dbt and `attrib dbt` still get dbt's own exit status and output."""
    import subprocess

    from core.dbt_project import dbt_executable

    ok = subprocess.run([dbt_executable(), "--version"], capture_output=True, text=True)
    assert ok.returncode == 0 and "dbt-core" in ok.stdout + ok.stderr
    wrong = subprocess.run([dbt_executable(), "bulid"], capture_output=True, text=True)
    assert wrong.returncode == 2 and "No such command" in wrong.stderr
