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
import shutil
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from core.layout import DEFAULT_DATABASE, Layout
from core.settings import PROJECT_ROOT, DuckDBLimits

DBT_DIR = PROJECT_ROOT / "dbt_project"
PROJECT_FILES = (".sql", ".yml", ".yaml", ".csv", ".md")

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)


def dbt_executable() -> str:
    """The dbt that this Python imports: the script beside the interpreter (a venv's, even when
    the venv is not activated, as under cron or systemd), else the one its ``dbt-core``
    distribution installed (a venv with system site packages), else the one on PATH."""
    local = Path(sys.executable).with_name("dbt")
    if local.exists():
        return str(local)
    try:
        dist = importlib.metadata.distribution("dbt-core")
        scripts = [dist.locate_file(f) for f in dist.files or [] if str(f).endswith("bin/dbt")]
        installed = [Path(s).resolve() for s in scripts if Path(s).exists()]
    except importlib.metadata.PackageNotFoundError:
        installed = []
    if installed:
        return str(installed[0])
    found = shutil.which("dbt")
    if not found:
        raise RuntimeError(
            f"dbt is not installed beside {sys.executable} nor on PATH: "
            "pip install -e . installs it (dbt-duckdb)"
        )
    return found


def _project_files() -> list[Path]:
    return sorted(
        p
        for p in DBT_DIR.rglob("*")
        if p.suffix in PROJECT_FILES and not {"target", "logs", "dbt_packages"} & set(p.parts)
    )


def _newest_source() -> float:
    return max(p.stat().st_mtime for p in _project_files())


def project_digest() -> str:
    """sha256 over the dbt project's files (models, YAML, seeds, macros): what the docs site
    describes. The data does not change it."""
    digest = hashlib.sha256()
    for path in _project_files():
        digest.update(path.relative_to(DBT_DIR).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def manifest_is_current() -> bool:
    manifest = dbt_project.manifest_path
    return manifest.exists() and manifest.stat().st_mtime >= _newest_source()


def prepare_manifest() -> Path:
    """Parse the dbt project unless its manifest is current; return the manifest's path."""
    manifest = dbt_project.manifest_path
    if manifest_is_current():
        return manifest
    result = subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--project-dir",
            str(DBT_DIR),
            "--profiles-dir",
            str(DBT_DIR),
            "--quiet",
            *vars_argument(profile_vars(Layout(DEFAULT_DATABASE), DuckDBLimits())),
        ],
        capture_output=True,
        text=True,
        cwd=DBT_DIR,
    )
    if result.returncode != 0 or not manifest.exists():
        raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
    return manifest


def profile_vars(layout: Layout, limits: DuckDBLimits) -> dict:
    """The vars ``profiles.yml`` reads: which file dbt writes (the run's building copy, never
    the published file) and under which limits. Passed on the command line (the code never
    sets environment variables); constant for a warehouse, so dbt's partial parsing is reused
    from one run to the next."""
    from core.publishing import building

    return {
        "warehouse_path": building(layout).database.as_posix(),
        "duckdb_memory_limit": limits.memory_limit,
        "duckdb_threads": limits.threads,
    }


def vars_argument(values: dict) -> list[str]:
    return ["--vars", json.dumps(values, sort_keys=True)]
