"""The dbt project handle, dbt found beside the running interpreter, and the manifest prepared
on request.

Importing this module does no work. ``prepare_manifest()`` builds
``dbt_project/target/manifest.json`` with ``dbt parse`` when it is missing or older than a file
of the dbt project (a stale manifest is otherwise loaded silently, dagster issue 4935);
`attrib`, ``dagster dev`` (through ``definitions``) and the tests call it before they load the
code location. ``dbt parse`` does not open the warehouse.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject
from filelock import FileLock

from core.layout import DEFAULT_DATABASE, Layout
from core.settings import PROJECT_ROOT, DuckDBLimits

DBT_DIR = PROJECT_ROOT / "dbt_project"
PROJECT_FILES = (".sql", ".yml", ".yaml", ".csv", ".md")
DBT_SCRIPT = "attrib-dbt"  # core/dbt_process.py
PARSE_STATE = "partial_parse.msgpack"  # dbt's saved parse, in its target folder

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)


def dbt_executable() -> str:
    """``attrib-dbt`` (core/dbt_process.py: dbt, started in the warehouse's dbt folder), the
    script that this project's installation put beside the running interpreter (a venv's, even
    when the venv is not activated, as under cron or systemd), else the one its distribution
    installed (a venv with system site packages), else the one on PATH."""
    local = Path(sys.executable).with_name(DBT_SCRIPT)
    if local.exists():
        return str(local)
    try:
        dist = importlib.metadata.distribution("attrib")
        scripts = [dist.locate_file(f) for f in dist.files or [] if f.name == DBT_SCRIPT]
        installed = [Path(s).resolve() for s in scripts if Path(s).exists()]
    except importlib.metadata.PackageNotFoundError:
        installed = []
    if installed:
        return str(installed[0])
    found = shutil.which(DBT_SCRIPT)
    if not found:
        raise RuntimeError(
            f"{DBT_SCRIPT} is not installed beside {sys.executable} nor on PATH: "
            "pip install -e . installs it"
        )
    return found


def _project_files(folder: Path = DBT_DIR) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.suffix in PROJECT_FILES and not {"target", "logs", "dbt_packages"} & set(p.parts)
    )


def _newest_source(folder: Path = DBT_DIR) -> float:
    return max(p.stat().st_mtime for p in _project_files(folder))


def project_digest() -> str:
    """sha256 over the dbt project's files (models, YAML, seeds, macros): what the docs site
    describes. The data does not change it."""
    digest = hashlib.sha256()
    _add_files(digest, _project_files(), DBT_DIR)
    return digest.hexdigest()


def _add_files(digest, paths: list[Path], root: Path) -> None:
    """Feed each file to ``digest``: its path relative to ``root``, a NUL, its bytes."""
    for path in paths:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())


# what a dbt unit test's outcome depends on besides the dbt project: dbt-duckdb casts the rows a
# test gives to the columns of the relations it reads, whose types the raw layer's schemas and
# loader decide; and the engines that run it
UNIT_TEST_CODE = ("schemas", "ingestion")
UNIT_TEST_ENGINES = ("dbt-core", "dbt-duckdb", "duckdb")


def unit_test_digest(project: str) -> str:
    """sha256 over what decides whether the project's dbt unit tests pass: the dbt project
    (``project``, its project_digest), the raw layer's schemas and loader (the column types of
    the relations the tests read) and the versions of dbt-core, dbt-duckdb and DuckDB."""
    digest = hashlib.sha256(project.encode() + b"\n")
    for folder in UNIT_TEST_CODE:
        _add_files(digest, sorted((PROJECT_ROOT / folder).rglob("*.py")), PROJECT_ROOT)
    for engine in UNIT_TEST_ENGINES:
        digest.update(f"{engine}=={importlib.metadata.version(engine)}\n".encode())
    return digest.hexdigest()


def manifest_is_current(project: DbtProject = dbt_project) -> bool:
    manifest = project.manifest_path
    return manifest.exists() and manifest.stat().st_mtime >= _newest_source(
        Path(project.project_dir)
    )


def prepare_manifest(project: DbtProject = dbt_project) -> Path:
    """Parse the dbt project unless its manifest is current; return the manifest's path.
    Under a file lock: two `attrib` started at once after a change of the project (runs of
    two warehouses, the test suite's two processes) parse it once, not over each other. A
    user who cannot write the project's target folder (a service account running another
    user's installation) reads its manifest as it is, provided it is current."""
    manifest = project.manifest_path
    try:
        manifest.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(manifest.parent / "prepare_manifest.lock")
        lock.acquire()
    except OSError as exc:
        if manifest_is_current(project):
            return manifest
        raise RuntimeError(
            f"the dbt project changed since its manifest was parsed, and {manifest.parent} "
            f"cannot be written ({exc.strerror}): run `attrib` once as a user who can write it"
        ) from exc
    try:
        # checked under the lock: a manifest being written is already newer than the project
        if not manifest_is_current(project):
            _parse(project)
    finally:
        lock.release()
    return manifest


def _parse(project: DbtProject) -> None:
    manifest, folder = project.manifest_path, Path(project.project_dir)
    result = subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--project-dir",
            str(folder),
            "--profiles-dir",
            str(folder),
            "--quiet",
            *vars_argument(parse_vars()),
        ],
        capture_output=True,
        text=True,
        cwd=folder,
    )
    if result.returncode != 0 or not manifest.exists():
        raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")


def profile_vars(layout: Layout, limits: DuckDBLimits) -> dict:
    """The vars ``profiles.yml`` reads: which file dbt writes (the run's building copy, never
    the published file) and under which limits. Passed on the command line (the code never
    sets environment variables). The same for every warehouse of the same file name and limits:
    the copy is named relative to the warehouse's dbt folder, where ``attrib-dbt`` runs, so
    dbt's partial parsing is reused from one run and one warehouse to the next."""
    from core.publishing import building

    copy = os.path.relpath(building(layout).database, layout.dbt_dir)
    spill = limits.spill(layout.spill)
    return {
        "warehouse_copy": Path(copy).as_posix(),
        "duckdb_memory_limit": limits.memory_limit,
        "duckdb_threads": limits.threads,
        # relative like the copy (the same for every warehouse), unless one folder is set
        "duckdb_temp_directory": spill.as_posix()
        if limits.temp_directory
        else Path(os.path.relpath(spill, layout.dbt_dir)).as_posix(),
    }


def parse_vars() -> dict:
    """The profile vars the project's parse state is made under (``prepare_manifest``): those
    of a warehouse of the default file name and limits."""
    return profile_vars(Layout(DEFAULT_DATABASE), DuckDBLimits())


def prepare_target(layout: Layout, limits: DuckDBLimits) -> Path:
    """The warehouse's dbt target folder, given the project's parse state (the parse
    ``prepare_manifest`` made, under the default profile vars) when it has none, or an older
    one made under the same vars: a new warehouse's first dbt invocation, and the first after a
    change of the project (a new version of the platform), then parse only what changed, not
    the whole project (8 s in France). A warehouse whose vars differ (another file name,
    other limits) keeps its own state: dbt would refuse the project's and parse in full, where
    its own lets it parse only the files that changed. dbt checks the state it is given against
    the project's files, vars and profile, and parses again in full when anything differs."""
    target = layout.dbt_target
    target.mkdir(parents=True, exist_ok=True)
    # made here, not by DuckDB: DuckDB removes at its close a spill folder it created, under
    # the run's other connections spilling there too
    limits.spill(layout.spill).mkdir(parents=True, exist_ok=True)
    state, own = dbt_project.project_dir / "target" / PARSE_STATE, target / PARSE_STATE
    if not state.exists():
        return target
    if not own.exists() or (
        own.stat().st_mtime < state.stat().st_mtime and profile_vars(layout, limits) == parse_vars()
    ):
        shutil.copyfile(state, own)
    return target


def vars_argument(values: dict) -> list[str]:
    return ["--vars", json.dumps(values, sort_keys=True)]
