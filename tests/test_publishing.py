"""What readers see is a whole successful run or the previous one: a run builds in a private
copy and publishes it as its last step. Faults produced for real on copies of the built tiny
warehouse: a bad file, kill -9 during the raw load and during the publication, and an analyst's
read-only connection open during a run."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from core import publishing
from core.layout import Layout
from tests.conftest import attrib, give_key
from tests.test_faults import immutable

ATTRIB = Path(sys.executable).with_name("attrib")


def published_files(warehouse: Path) -> dict[str, str]:
    """sha256 of everything a reader opens: the DuckDB file, the exports, sheets and docs."""
    layout = Layout(warehouse)
    files = [warehouse] + [
        path
        for folder in (layout.exports, layout.reports, layout.docs)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    ]
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def last_run(warehouse: Path) -> str:
    """The run that built the file: its lineage rows are the newest (a run that finds every
    file unchanged loads nothing, but records its models and publication)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("SELECT max_by(run_id, materialized_at) FROM audit.lineage").fetchone()[
            0
        ]
    finally:
        con.close()


def export_run(warehouse: Path) -> str:
    manifest = json.loads((Layout(warehouse).exports / "manifest.json").read_text())
    return manifest["run_id"]


def kill_when(warehouse: Path, raw: Path, marker: str, *extra: str) -> str:
    """Start `attrib run`, kill -9 it as soon as it prints ``marker``; what it printed."""
    give_key(warehouse)
    process = subprocess.Popen(
        [str(ATTRIB), "run", "--raw", str(raw), "--warehouse", str(warehouse), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = []
    for line in process.stdout:
        seen.append(line)
        if marker in line:
            os.kill(process.pid, signal.SIGKILL)
            break
    process.wait()
    assert process.returncode == -signal.SIGKILL, "".join(seen)
    return "".join(seen)


def test_a_bad_file_publishes_nothing_and_says_so(copy_built):
    """A register file that cannot be read fails its partition; nothing downstream is built and
    the published warehouse, exports, sheets and docs stay byte-identical."""
    raw, warehouse = copy_built
    before = published_files(warehouse)
    (raw / "rpls" / "rpls_2026_82.csv").write_bytes("DEPCOM;élément\n".encode("utf-16"))
    code, out = attrib("run", "--raw", str(raw), "--warehouse", str(warehouse))
    assert code == 1, out
    assert "rpls_2026_82.csv" in out
    assert "Not built, downstream of the failure" in out
    assert "Nothing was published from this run." in out
    (rpls,) = [line for line in out.splitlines() if line.startswith("rpls ")]
    assert "FAILED: this run loaded none of its files" in rpls and "unchanged" not in rpls
    assert published_files(warehouse) == before
    # the failed run's build is kept for inspection, then discarded by the next run
    assert (publishing.building_root(Layout(warehouse)) / warehouse.name).exists()


def test_kill_9_during_the_raw_load_leaves_the_published_files_identical(copy_built):
    raw, warehouse = copy_built
    con = duckdb.connect(str(warehouse))
    con.execute("DELETE FROM raw_validated.load_state")  # every file is read again
    con.close()
    before = published_files(warehouse)
    out = kill_when(warehouse, raw, "raw_validated/acd_dalo")
    assert "read" in out.splitlines()[-1]  # killed while loading, more sources to go
    assert published_files(warehouse) == before


def test_kill_9_during_the_publication_keeps_the_previous_or_completes(copy_built):
    """Killed as it starts publishing: either nothing was renamed yet (every published file
    identical), or its journal is left for the next command to complete, or it had finished
    (the warehouse and the exports both of the killed run); never half of two runs."""
    raw, warehouse = copy_built
    before = published_files(warehouse)
    out = kill_when(warehouse, raw, "publishing run", "--years", "2026T3")
    run_id = out.split("publishing run ")[1].split()[0]
    journal = publishing.building_root(Layout(warehouse)) / publishing.JOURNAL
    if published_files(warehouse) != before and not journal.exists():
        assert last_run(warehouse) == export_run(warehouse) == run_id


def test_an_interrupted_publication_is_completed_by_the_next_run(copy_built):
    """A publication stopped between two renames (here the warehouse's folder made immutable,
    so the exports cannot be swapped after the DuckDB file was) says so, keeps its journal, and
    the next run completes it before its own work, an analyst's connection open throughout."""
    raw, warehouse = copy_built
    give_key(warehouse)
    home = Layout(warehouse).home
    immutable(home, True)
    try:  # the quarterly job (fewer models): publishing is the same last step in every job
        code, out = attrib(
            "run", "--raw", str(raw), "--warehouse", str(warehouse), "--years", "2026T3"
        )
    finally:
        immutable(home, False)
    assert code == 1, out
    assert "publication was interrupted" in out
    journal = publishing.building_root(Layout(warehouse)) / publishing.JOURNAL
    assert journal.exists()
    interrupted = json.loads(journal.read_text())["run_id"]
    assert last_run(warehouse) == interrupted != export_run(warehouse)  # half of each
    reader = duckdb.connect(str(warehouse), read_only=True)
    try:
        code, out = attrib(
            "run", "--raw", str(raw), "--warehouse", str(warehouse), "--years", "2026T3"
        )
        assert code == 0, out
        assert f"completed the publication of run {interrupted}" in out
        # the reader kept its snapshot (the interrupted run's file) while the run replaced it
        assert (
            reader.execute("SELECT max_by(run_id, materialized_at) FROM audit.lineage").fetchone()[
                0
            ]
            == interrupted
        )
    finally:
        reader.close()
    assert not journal.exists()
    assert last_run(warehouse) == export_run(warehouse) != interrupted
    assert not Path(str(warehouse) + ".wal").exists()
    assert not publishing.building_root(Layout(warehouse)).exists()
    # each publication wrote its row in the file it published: the build, then both runs
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        published = con.execute(
            "SELECT run_id FROM audit.publications ORDER BY published_at"
        ).fetchall()
    finally:
        con.close()
    assert [run for (run,) in published][-2:] == [interrupted, last_run(warehouse)]
    assert len(published) == 3


def test_dbt_alone_publishes_its_build_and_records_lineage(copy_built):
    raw, warehouse = copy_built
    before = published_files(warehouse)
    code, out = attrib(
        "dbt", "--warehouse", str(warehouse), "--", "run", "--select", "marts.dim_commune"
    )
    assert code == 0 and "warning" not in out, out  # a selection that builds: no warning
    run_id = out.split("(dbt run ")[1].split(",")[0]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "SELECT asset_key, kind, rows_out FROM audit.lineage WHERE run_id = ?", [run_id]
        ).fetchall()
        communes = con.execute("SELECT count(*) FROM marts.dim_commune").fetchone()[0]
    finally:
        con.close()
    assert rows == [("marts/dim_commune", "dbt alone", communes)]
    after = published_files(warehouse)
    assert after[str(warehouse)] != before[str(warehouse)]  # the new build, published
    assert {k: v for k, v in after.items() if k != str(warehouse)} == {
        k: v for k, v in before.items() if k != str(warehouse)
    }  # dbt alone rebuilds no export, sheet or docs page
    assert not publishing.building_root(Layout(warehouse)).exists()


def test_dbt_alone_says_when_its_selection_builds_nothing(copy_built):
    # `--select marts.quota_attainment` (a folder path: the model is in marts/attainment/)
    # matched no model; dbt said so only in passing and the command exited 0
    _, warehouse = copy_built
    code, out = attrib(
        "dbt", "--warehouse", str(warehouse), "--", "build", "--select", "marts.quota_attainment"
    )
    assert code == 0, out
    assert "0 lineage rows" in out and "warning: dbt built no model" in out


def test_dbt_alone_records_the_models_its_own_command_built(tmp_path):
    # `attrib dbt -- ls` writes no run results: those of the last build were read as its own
    # and recorded in audit.lineage (18 rows for a command that built nothing); compile and
    # show list the nodes they compiled, not built
    import datetime as dt

    from pipelines.dbt_alone import _built_models

    def results(which: str, age: float) -> None:
        path = tmp_path / "run_results.json"
        rows = [{"unique_id": "model.attrib.dim_commune", "status": "success"}]
        path.write_text(json.dumps({"args": {"which": which}, "results": rows}))
        stamp = dt.datetime.now().timestamp() - age
        os.utime(path, (stamp, stamp))

    started = dt.datetime.now() - dt.timedelta(seconds=10)
    results("build", age=60)  # the last build's, left in the target folder
    assert _built_models(tmp_path, started) == []
    results("compile", age=0)
    assert _built_models(tmp_path, started) == []
    results("build", age=0)
    assert _built_models(tmp_path, started) == ["model.attrib.dim_commune"]


def test_dbt_alone_refusing_its_arguments_leaves_no_copy(copy_built):
    # a typo: dbt refuses the command before it runs anything; the building copy made for it
    # (a national warehouse: 1.3 GB) is not kept, and the message does not speak of a build
    _, warehouse = copy_built
    before = published_files(warehouse)
    code, out = attrib("dbt", "--warehouse", str(warehouse), "--", "bulid")
    assert code == 2 and "No such command 'bulid'" in out, out
    assert "before running any model or test" in out and "dbt's build is in" not in out
    publishing.discarded()  # the copy is deleted in the background
    assert not publishing.building_root(Layout(warehouse)).exists()
    assert published_files(warehouse) == before


def test_dbt_alone_computes_the_years_its_vars_name(copy_built):
    """``attrib dbt -- build --vars '{years: [Y]}'`` computes year Y only: the user's vars reach
    dbt beside the profile's (dbt keeps only the last --vars it is given)."""
    _, warehouse = copy_built
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        (year,) = con.execute("SELECT max(year) FROM marts.fct_demand").fetchone()
    finally:
        con.close()
    select = ["--select", "marts.fct_demand", "--vars", f"{{years: [{year}]}}"]
    code, out = attrib("dbt", "--warehouse", str(warehouse), "--", "build", *select)
    assert code == 0, out
    results = json.loads((Layout(warehouse).dbt_target / "run_results.json").read_text())
    compiled = {
        r["unique_id"].split(".")[-1]: r.get("compiled_code") or "" for r in results["results"]
    }
    assert f"where year in ({year})" in compiled["fct_demand"]


def test_a_copy_the_disk_did_not_take_is_never_published():
    # the kernel reports a failed write once, to whoever syncs first: the background write of
    # the building copy keeps it for the publication (fsync of /dev/null fails: EINVAL)
    publishing.write_back(Path("/dev/null"))
    with pytest.raises(RuntimeError, match=r"Invalid argument.*not published"):
        publishing.written(Path("/dev/null"))
    publishing.written(Path("/dev/null"))  # reported once; nothing left to wait for


def test_a_run_writes_its_copy_without_syncing_and_the_publication_syncs(tmp_path, monkeypatch):
    # a run's commits and checkpoints go to its building copy unsynced (fsync_mode none, dbt's
    # too: 1.5 s of the France quarterly run waited on the disk); a connection outside a run
    # keeps DuckDB's standard syncing, and the publication syncs the copy before its rename
    import yaml

    from core.connection import connect
    from core.dbt_project import DBT_DIR
    from core.resources import Warehouse

    def mode(con) -> str:
        return con.execute("SELECT current_setting('fsync_mode')").fetchone()[0].lower()

    profile = yaml.safe_load((DBT_DIR / "profiles.yml").read_text())
    assert profile["attrib"]["outputs"]["default"]["settings"]["fsync_mode"] == "none"
    warehouse = Warehouse(path=str(tmp_path / "w" / "attrib.duckdb"))
    with warehouse.in_run("run-a").connect() as con:
        assert mode(con) == "none"
        con.execute("CREATE TABLE t AS SELECT 1 AS x")
    layout = Layout(tmp_path / "w" / "attrib.duckdb")
    synced = []

    def sync(path: Path) -> None:  # the real sync, and what the published file was then
        synced.append((path, layout.database.exists()))
        real_sync(path)

    real_sync = publishing.sync
    monkeypatch.setattr(publishing, "sync", sync)
    assert publishing.publish(layout, "run-a") == [layout.database]
    assert synced == [(publishing.building(layout).database, False)]  # before the rename
    with warehouse.connect(read_only=True) as con:
        assert con.execute("SELECT x FROM t").fetchone() == (1,)
    con = connect(layout.database)  # a writer outside a run (a scenario's file): standard
    try:
        assert mode(con) == "standard"
    finally:
        con.close()


def test_what_a_publication_replaced_is_deleted_in_the_background(tmp_path):
    # the rename over the published file no longer frees the old one (0.9 s of every France
    # run): a second link keeps it, and a thread deletes it with the building area, which the
    # process waits for at exit; a folder left by a process killed while deleting is deleted
    # by the next run
    from core.resources import Warehouse

    layout = Layout(tmp_path / "w" / "attrib.duckdb")
    warehouse = Warehouse(path=str(layout.database))
    publishing.discarded()
    for run in ("run-a", "run-b"):
        with warehouse.in_run(run).connect() as con:
            con.execute(f"CREATE OR REPLACE TABLE t AS SELECT '{run}' AS built_by")
        publishing.publish(layout, run)
        assert publishing._DISCARDING  # the building area goes in the background
    publishing.discarded()
    assert sorted(p.name for p in layout.private.iterdir()) == ["duckdb_tmp"]
    with warehouse.connect(read_only=True) as con:
        assert con.execute("SELECT built_by FROM t").fetchall() == [("run-b",)]
    left = layout.private / f"{publishing.DISCARDED}0123456789ab"
    (left / "replaced").mkdir(parents=True)
    (left / "replaced" / "attrib.duckdb").write_bytes(b"\0" * 4096)
    publishing.begin(layout, "run-c")
    publishing.discarded()
    assert not left.exists()
    assert (publishing.building_root(layout) / layout.database.name).exists()


def test_a_building_copy_begun_ahead_is_the_one_the_run_uses(tmp_path):
    # attrib run begins its copy while it loads the code location (publishing.prepare): the
    # run's first step takes that copy instead of copying again, and raises the error the copy
    # met (not a second copy's); a run that never starts leaves no copy behind
    from core.resources import Warehouse

    layout = Layout(tmp_path / "w" / "attrib.duckdb")
    warehouse = Warehouse(path=str(layout.database))
    with warehouse.in_run("run-a").connect() as con:
        con.execute("CREATE TABLE t AS SELECT 'run-a' AS built_by")
    publishing.publish(layout, "run-a")
    publishing.prepare(layout, "run-b").join()
    copy = publishing.building(layout).database
    made = copy.stat().st_ino
    assert publishing.begin(layout, "run-b").database == copy
    assert copy.stat().st_ino == made
    with warehouse.in_run("run-b").connect() as con:
        assert con.execute("SELECT built_by FROM t").fetchall() == [("run-a",)]

    publishing.prepare(layout, "run-c")
    publishing.abandon(layout, "run-c")  # the code location failed to load, or Ctrl-C
    publishing.discarded()
    assert not publishing.building_root(layout).exists()

    blocked = Layout(tmp_path / "v" / "attrib.duckdb")
    blocked.database.mkdir(parents=True)  # not a file: the copy fails
    publishing.prepare(blocked, "run-d").join()
    blocked.database.rmdir()  # a second copy would succeed now: the first one's error counts
    blocked.database.write_bytes(b"")
    with pytest.raises(IsADirectoryError):
        publishing.begin(blocked, "run-d")


def row_groups(con, table: str) -> int:
    return con.execute(
        f"SELECT count(DISTINCT row_group_id) FROM pragma_storage_info('{table}')"
    ).fetchone()[0]


def test_a_run_and_its_publication_leave_the_row_groups_deletes_left(tmp_path):
    # a quarterly build deletes its periods' rows and inserts them again; compacting the row
    # groups the deletes left took 0.7 s of each France quarterly run (at dbt's close) and
    # 1.1-1.4 s of an annual run's publication. A run's checkpoints (its connections', dbt's,
    # the publication's) do not compact; the rows are the same
    import yaml

    from core.connection import connect
    from core.dbt_project import DBT_DIR
    from core.resources import Warehouse

    profile = yaml.safe_load((DBT_DIR / "profiles.yml").read_text())
    assert profile["attrib"]["outputs"]["default"]["settings"]["max_vacuum_tasks"] == 0
    warehouse = Warehouse(path=str(tmp_path / "w" / "attrib.duckdb"))
    with warehouse.in_run("run-a").connect() as con:  # 400,000 rows: four row groups
        con.execute("CREATE TABLE t AS SELECT range AS i FROM range(400000)")
        con.execute("CHECKPOINT")
        con.execute("DELETE FROM t WHERE i % 4 <> 0")  # three rows in four, everywhere
        con.execute("CHECKPOINT")
        assert row_groups(con, "t") == 4
    publishing.publish(warehouse.layout, "run-a")  # its checkpoint writes audit.publications
    with warehouse.connect(read_only=True) as con:
        assert row_groups(con, "t") == 4  # compacted, they would be one
        assert con.execute("SELECT count(*), sum(i) FROM t").fetchone() == (
            100_000,
            sum(range(0, 400_000, 4)),
        )
        assert con.execute("SELECT run_id FROM audit.publications").fetchall() == [("run-a",)]
    con = connect(warehouse.layout.database)  # outside a run: DuckDB's default, it compacts
    try:
        con.execute("CREATE TABLE u AS SELECT 1 AS x")
        con.execute("CHECKPOINT")
        assert row_groups(con, "t") == 1
    finally:
        con.close()


def test_a_runs_dbt_build_does_not_write_the_manifest_nobody_reads(tmp_path):
    # dbt wrote the project's manifest into the warehouse's target folder twice per build
    # (0.4 s of a France run); Dagster, the lineage and the exports read the project's own
    # (dbt_project/target). attrib-dbt makes dbt's writer a no-op for a run's build
    # (--attrib-run, taken off the command line), and removes a manifest an earlier command
    # left there, which would describe another state; dbt started by hand writes it
    script = """
import sys
from pathlib import Path
import dbt.parser.manifest as parsing, dbt.task.runnable as runnable
from core.dbt_process import RUN_OPTION, keep_manifest_unwritten
target = Path(sys.argv[1])
written = parsing.write_manifest
by_hand = ["dbt", "build", "--select", "x"]
assert keep_manifest_unwritten(by_hand, target) == by_hand
assert parsing.write_manifest is written and (target / "manifest.json").exists()
argv = keep_manifest_unwritten(["dbt", "build", RUN_OPTION, "--select", "x"], target)
assert argv == by_hand
assert not (target / "manifest.json").exists() and not (target / "semantic_manifest.json").exists()
assert parsing.write_manifest is runnable.write_manifest is not written
parsing.write_manifest(None, str(target))
assert list(target.iterdir()) == [target / "run_results.json"]
print("ok")
"""
    for name in ("manifest.json", "semantic_manifest.json", "run_results.json"):
        (tmp_path / name).write_text("{}")
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True
    )
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_a_kept_docs_site_is_whole_or_absent(tmp_path):
    """A docs site kept for other runs is renamed into place whole: the run of another
    warehouse that keeps the same site at the same time leaves the first one there, and no half
    copy; a half copy left by an earlier version is replaced."""
    import shutil

    from assets.warehouse import FINGERPRINT, keep_site

    site, cached = tmp_path / "site", tmp_path / "docs_sites" / "abc-attrib"
    site.mkdir()
    cached.parent.mkdir()
    (site / "index.html").write_text("first run")
    (site / FINGERPRINT).write_text("abc")
    keep_site(site, cached)
    (site / "index.html").write_text("second run")
    keep_site(site, cached)
    assert (cached / "index.html").read_text() == "first run"
    assert [p.name for p in cached.parent.iterdir()] == ["abc-attrib"]
    shutil.rmtree(cached)
    cached.mkdir()
    (cached / "index.html").write_text("half")
    keep_site(site, cached)
    assert (cached / "index.html").read_text() == "second run"
    assert (cached / FINGERPRINT).read_text() == "abc"
    # a cache folder this user cannot write: nothing kept, and the run goes on
    other = tmp_path / "read_only" / "abc-other"
    other.parent.mkdir()
    immutable(other.parent, True)
    try:
        keep_site(site, other)
    finally:
        immutable(other.parent, False)
    assert not list(other.parent.iterdir())
