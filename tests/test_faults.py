"""Faults produced for real, not mocked: a location the run cannot write and a disk that fills
up end in one line naming the path and the cause, with nothing published."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from core.layout import Layout
from tests.conftest import attrib

ATTRIB = Path(sys.executable).with_name("attrib")


def immutable(path: Path, on: bool) -> None:
    """chattr +i: even root cannot write there (permission bits do not stop root)."""
    done = subprocess.run(["chattr", "+i" if on else "-i", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"this machine cannot make {path} immutable: {done.stderr.decode().strip()}")


def test_a_read_only_location_is_one_line_before_any_work(tmp_path, tiny_clean):
    locked = tmp_path / "read_only"
    locked.mkdir()
    immutable(locked, True)
    try:
        code, out = attrib(
            "run", "--raw", str(tiny_clean), "--warehouse", str(locked / "attrib.duckdb")
        )
    finally:
        immutable(locked, False)
    assert code == 2
    assert out.strip() == f"error: cannot write to {locked}: Operation not permitted"


def test_an_existing_read_only_warehouse_is_one_line(tmp_path, tiny_clean, tiny_built):
    _, built, _ = tiny_built
    warehouse = tmp_path / "w" / "attrib.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(built, warehouse)
    immutable(warehouse, True)
    try:
        code, out = attrib("run", "--raw", str(tiny_clean), "--warehouse", str(warehouse))
    finally:
        immutable(warehouse, False)
    assert code == 2
    assert out.strip() == f"error: cannot write {warehouse}: Operation not permitted"


def test_a_full_disk_names_the_file_and_publishes_nothing(tmp_path, tiny_clean):
    """A file-size limit on the run's process (RLIMIT_FSIZE): writes past it fail as on a
    full disk (Python ignores SIGXFSZ, so the write returns an error instead of killing)."""
    warehouse = tmp_path / "w" / "attrib.duckdb"

    def two_megabytes():
        resource.setrlimit(resource.RLIMIT_FSIZE, (2 * 2**20, 2 * 2**20))

    done = subprocess.run(
        [str(ATTRIB), "run", "--raw", str(tiny_clean), "--warehouse", str(warehouse)],
        preexec_fn=two_megabytes,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Traceback" not in done.stdout + done.stderr
    failures = [line for line in done.stdout.splitlines() if "File too large" in line]
    building = str(Layout(warehouse).private / "building" / warehouse.name)
    assert failures and all(building in line for line in failures)  # the run's own copy
    assert "Nothing was published from this run." in done.stdout
    assert not (tmp_path / "w" / "attrib" / "exports").exists()


def test_a_project_target_that_cannot_be_written_is_read_while_current(tmp_path):
    """A service account running another user's installation cannot write the dbt project's
    target folder (chattr +i here): a current manifest is read as it is; after a change of the
    project, the error says what to do (run `attrib` once as a user who can write it)."""
    from dagster_dbt import DbtProject

    from core.dbt_project import DBT_DIR, prepare_manifest

    copy = tmp_path / "dbt_project"  # with its files' times, so its manifest is current
    shutil.copytree(DBT_DIR, copy, ignore=shutil.ignore_patterns("logs", "docs_sites", "*.lock"))
    project = DbtProject(project_dir=copy, profiles_dir=copy)
    target = project.manifest_path.parent
    immutable(target, True)
    try:
        assert prepare_manifest(project) == project.manifest_path
        os.utime(copy / "dbt_project.yml")  # the project changes after its parse
        with pytest.raises(RuntimeError, match="cannot be written.*as a user who can write it"):
            prepare_manifest(project)
    finally:
        immutable(target, False)
