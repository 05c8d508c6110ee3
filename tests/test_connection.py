"""Every DuckDB connection the platform opens runs under the run's memory limit and threads
(core/connection.py): a national register spills to disk instead of taking the machine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.connection import connect, in_memory

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
