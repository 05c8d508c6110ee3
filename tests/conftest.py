"""Shared fixtures: generated extracts, warehouses built once per test run by the code
location's jobs, and a helper that materialises raw assets for real.

Each sample warehouse is built once per run of the suite (``built_once``: the suite runs in two
pytest-xdist processes, and the first that needs a sample builds it for both); a test that
changes one works on a copy (``copy_built``). Every warehouse of the suite uses the same known
pseudonym key, so tests can recompute a demand key and search every artefact for the key.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import venv
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock

from core.dbt_project import prepare_manifest
from core.layout import Layout
from core.settings import PROJECT_ROOT
from ingestion.landing_zone import GENERATED


def run_root(tmp_path_factory) -> Path:
    """This run of the suite's temporary folder: pytest's, or under pytest-xdist the folder
    its processes' own folders are in."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_once(tmp_path_factory, name: str, build: Callable[[Path], None]) -> Path:
    """A folder ``build`` fills once per run of the suite, shared by its processes: the first
    to ask builds it, under a lock the others wait on; the others read it as built. What it
    holds once built is noted beside it (``samples_left_as_built`` checks it at the end)."""
    root = run_root(tmp_path_factory)
    folder, done = root / name, root / f"{name}{BUILT}"
    with FileLock(root / f"{name}.lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            done.write_text(json.dumps(listing(folder)))
    return folder


BUILT = ".built"


# what SQLite creates beside a database while a connection has it open, and removes when the
# last one closes: a command that only reads a warehouse opens its run history (Dagster's
# SQLite), so the other process can meet these inside a shared sample that nothing changes
SQLITE_OPEN = ("-wal", "-shm")


def listing(folder: Path) -> list[list]:
    """Every lasting file below ``folder``: its path, size and modification time."""
    files = []
    for path in folder.rglob("*"):
        if path.name.endswith(SQLITE_OPEN):
            continue
        try:
            stat = path.stat()
        except FileNotFoundError:  # gone since the walk saw it: it was not lasting either
            continue
        if path.is_file():
            files.append([str(path.relative_to(folder)), stat.st_size, stat.st_mtime_ns])
    return sorted(files)


@pytest.fixture(scope="session", autouse=True)
def samples_left_as_built(tmp_path_factory):
    """Every shared sample is as it was built when a process of the suite ends: a test that
    changes one works on a copy (the other process may be reading it)."""
    yield
    root = run_root(tmp_path_factory)
    changed = [
        done.name.removesuffix(BUILT)
        for done in root.glob(f"*{BUILT}")
        if json.loads(done.read_text()) != listing(root / done.name.removesuffix(BUILT))
    ]
    assert not changed, f"shared samples changed by a test: {changed}"


prepare_manifest()  # the assets read the dbt manifest when they are imported

from dagster import materialize  # noqa: E402

from assets.publish import published_warehouse  # noqa: E402
from assets.raw import RAW_ASSETS  # noqa: E402
from core.resources import build_resources  # noqa: E402
from core.settings import Settings  # noqa: E402
from samples.generator import generate  # noqa: E402

ASSETS = {a.key.path[-1]: a for a in RAW_ASSETS}
TEST_KEY = "attrib-test-suite-pseudonym-key-7f3a91c2"


def give_key(warehouse: Path) -> None:
    """The suite's known key, where a run looks for it (the warehouse's private key file)."""
    key_file = Layout(warehouse).key_file
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_text(TEST_KEY)


def attrib(*args: str) -> tuple[int, str]:
    """Run the `attrib` command line in process; its exit code and what it printed."""
    from pipelines.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def attrib_run(raw: Path, warehouse: Path, *extra: str) -> str:
    """`attrib run` with the suite's key; fails the test unless it exits 0."""
    give_key(warehouse)
    code, out = attrib("run", "--raw", str(raw), "--warehouse", str(warehouse), *extra)
    assert code == 0, out
    return out


def copy_warehouse(warehouse: Path, target_dir: Path) -> Path:
    """A copy of a built warehouse (its file and its folder), for a test that changes it."""
    layout = Layout(warehouse)
    copy = target_dir / warehouse.name
    target_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(warehouse, copy)
    shutil.copytree(layout.home, Layout(copy).home, dirs_exist_ok=True)
    return copy


@pytest.fixture(scope="session")
def tiny_clean(tmp_path_factory) -> Path:
    return built_once(
        tmp_path_factory,
        "tiny_clean",
        lambda out: generate(out, "tiny", seed=7, progress=lambda m: None),
    )


@pytest.fixture(scope="session")
def tiny_bad(tmp_path_factory) -> Path:
    return built_once(
        tmp_path_factory,
        "tiny_bad",
        lambda out: generate(out, "tiny", seed=11, bad_rows=0.05, progress=lambda m: None),
    )


@pytest.fixture
def raw_copy(tmp_path, tiny_clean) -> Path:
    """A private copy of the clean tiny extracts that a test may edit."""
    target = tmp_path / "raw"
    shutil.copytree(tiny_clean, target)
    return target


@pytest.fixture(scope="session")
def installed_attrib(tmp_path_factory) -> Path:
    """`attrib` installed in a venv of its own (on top of this interpreter's packages), to be
    run by its full path, the venv not activated, as cron and systemd run it."""

    def install(root: Path) -> None:
        venv.EnvBuilder(system_site_packages=True, with_pip=False).create(root / "v")
        python = root / "v" / "bin" / "python"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "--python",
                str(python),
                "install",
                "--quiet",
                "--no-deps",
                "-e",
                str(PROJECT_ROOT),
            ],
            check=True,
            capture_output=True,
        )

    return built_once(tmp_path_factory, "venv", install) / "v" / "bin" / "attrib"


@pytest.fixture(scope="session")
def tiny_built(tmp_path_factory, tiny_clean, installed_attrib):
    """The tiny sample, with a superseded quarterly extract beside the yearly one, built once by
    the installed `attrib run` started by its full path with PATH=/usr/bin:/bin: (raw,
    warehouse, what the run printed)."""

    def build(root: Path) -> None:
        raw = root / "raw"
        shutil.copytree(tiny_clean, raw)
        yearly = (raw / "sne" / "demandes_2025.csv").read_text(encoding="utf-8").splitlines()
        (raw / "sne" / "demandes_2025T4.csv").write_text("\n".join(yearly[:6]) + "\n")
        with (raw / GENERATED).open("a", encoding="utf-8") as listed:  # part of the sample too
            listed.write("sne/demandes_2025T4.csv,5\n")
        warehouse = root / "warehouse" / "attrib.duckdb"
        give_key(warehouse)
        done = subprocess.run(
            [str(installed_attrib), "run", "--raw", str(raw), "--warehouse", str(warehouse)],
            env={"PATH": "/usr/bin:/bin", "HOME": str(root)},
            capture_output=True,
            text=True,
            cwd=root,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        (root / "run.txt").write_text(done.stdout, encoding="utf-8")

    root = built_once(tmp_path_factory, "tiny_built", build)
    printed = (root / "run.txt").read_text(encoding="utf-8")
    return root / "raw", root / "warehouse" / "attrib.duckdb", printed


@pytest.fixture
def copy_built(tmp_path, tiny_built):
    """A copy of the tiny warehouse and its landing zone that a test may change."""
    raw, warehouse, _ = tiny_built
    shutil.copytree(raw, tmp_path / "raw")
    return tmp_path / "raw", copy_warehouse(warehouse, tmp_path / "warehouse")


class Loader:
    """Materialise raw assets into one warehouse file and publish it, as the raw job does."""

    def __init__(self, raw: Path, warehouse: Path):
        self.raw, self.warehouse = raw, warehouse
        give_key(warehouse)
        self.resources = build_resources(Settings.resolve(raw, warehouse))

    def load(self, source: str, partition: str | None = None, raise_on_error: bool = True):
        return materialize(
            [ASSETS[source], published_warehouse],
            partition_key=partition,
            resources=self.resources,
            raise_on_error=raise_on_error,
        )

    def load_references(self):
        for name in (
            "acd_qpv",
            "acd_territories",
            "acd_commune_tension",
            "acd_landlords",
            "acd_parameters",
            "acd_published_objectives",
            "acd_q1_thresholds",
            "acd_dalo",
            "cia_policies",
        ):
            self.load(name)

    def sql(self, query: str, params=None) -> list[tuple]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return con.execute(query, params or []).fetchall()
        finally:
            con.close()


@pytest.fixture
def loader_for(tmp_path):
    def make(raw: Path) -> Loader:
        return Loader(raw, tmp_path / "warehouse" / "attrib.duckdb")

    return make


@pytest.fixture(scope="session")
def scenario(tmp_path_factory):
    """The capacity scenario loaded and built by `attrib run` (root, raw, warehouse)."""
    from tests.capacity_scenario import build
    from tests.raw_builder import landing_zone

    root = built_once(
        tmp_path_factory,
        "capacity",
        lambda root: build(landing_zone(root / "raw"), root / "warehouse" / "attrib.duckdb"),
    )
    return root, root / "raw", root / "warehouse" / "attrib.duckdb"


@pytest.fixture(scope="session")
def attainment(tmp_path_factory):
    """The hand-built 2025 attributions loaded and built by `attrib run` (warehouse path)."""
    from tests.attainment_scenario import build
    from tests.raw_builder import landing_zone

    root = built_once(
        tmp_path_factory,
        "attainment",
        lambda root: build(landing_zone(root / "raw"), root / "warehouse" / "attrib.duckdb"),
    )
    return root / "warehouse" / "attrib.duckdb"
