"""Every DuckDB connection the platform opens runs under the run's memory limit and threads
(core/connection.py): a national register spills to disk instead of taking the machine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.connection import connect, in_memory
from core.dbt_project import profile_vars
from core.layout import Layout
from core.settings import DuckDBLimits
from tests.conftest import attrib

PROJECT = Path(__file__).resolve().parents[1]


def settings(con) -> tuple[str, int, str]:
    return con.execute(
        "SELECT current_setting('memory_limit'), current_setting('threads'), "
        "current_setting('temp_directory')"
    ).fetchone()


@pytest.mark.parametrize("opened", ["writer", "reader", "in memory"])
def test_each_kind_of_connection_takes_the_limits_of_the_environment(opened, tmp_path, monkeypatch):
    monkeypatch.setenv("ATTRIB_DUCKDB_MEMORY", "1GB")  # 10^9 bytes: DuckDB shows 953.6 MiB
    monkeypatch.setenv("ATTRIB_DUCKDB_THREADS", "1")
    database, spill = tmp_path / "attrib.duckdb", tmp_path / "private" / "duckdb_tmp"
    connect(database).close()
    con = {
        "writer": lambda: connect(database, spill=spill),
        "reader": lambda: connect(database, read_only=True),
        "in memory": lambda: in_memory(spill),
    }[opened]()
    try:
        memory, threads, temp = settings(con)
    finally:
        con.close()
    assert (memory, int(threads)) == ("953.6 MiB", 1)
    if opened != "reader":  # a reader spills beside the file it reads (DuckDB's default)
        assert Path(temp) == spill and spill.is_dir()


def test_no_module_opens_duckdb_but_core_connection():
    """A ``duckdb.connect`` elsewhere would take DuckDB's default, 80 % of the machine's memory
    (the three that did: a warehouse comparison, a what-if's dry run, a format conversion)."""
    opened = re.compile(r"\bduckdb\.connect\(")
    modules = [
        p
        for p in PROJECT.rglob("*.py")
        if p.relative_to(PROJECT).parts[0] not in {"tests", "bench", "build", ".venv"}
        and "site-packages" not in p.parts
    ]
    assert PROJECT / "core" / "connection.py" in modules
    offenders = [
        str(p.relative_to(PROJECT))
        for p in modules
        if p != PROJECT / "core" / "connection.py" and opened.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_a_temp_directory_set_is_where_every_connection_spills(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTRIB_DUCKDB_TEMP_DIRECTORY", str(tmp_path / "scratch"))
    database = tmp_path / "attrib.duckdb"
    connect(database).close()
    for opened in (
        lambda: connect(database, spill=tmp_path / "private" / "duckdb_tmp"),
        lambda: connect(database, read_only=True),
        in_memory,
    ):
        con = opened()  # one at a time: DuckDB refuses a reader beside a writer in one process
        try:
            assert Path(settings(con)[2]) == tmp_path / "scratch"
        finally:
            con.close()


def test_dbt_spills_where_the_run_does(copy_built, monkeypatch):
    """dbt's connection takes the spill folder once, as it opens the file (profiles.yml): by
    default the warehouse's private/duckdb_tmp, named from dbt's folder like the copy it
    writes; ``ATTRIB_DUCKDB_TEMP_DIRECTORY`` when set."""
    _, warehouse = copy_built
    layout = Layout(warehouse)
    relative = profile_vars(layout, DuckDBLimits())["duckdb_temp_directory"]
    assert (layout.dbt_dir / relative).resolve() == layout.spill.resolve()
    scratch = warehouse.parent / "scratch"
    monkeypatch.setenv("ATTRIB_DUCKDB_TEMP_DIRECTORY", str(scratch))
    # compared in SQL: dbt show cuts a long value short
    query = f"select current_setting('temp_directory') = '{scratch}' as spills_there"
    code, shown = attrib("dbt", "--warehouse", str(warehouse), "--", "show", "--inline", query)
    assert code == 0, shown
    assert "True |" in shown and scratch.is_dir()
