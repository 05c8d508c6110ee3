"""The dbt project handle, and the manifest kept fresh by the project's own commands.

Importing this module builds ``dbt_project/target/manifest.json`` with ``dbt parse`` when it is
missing or older than any file of the dbt project, so `attrib run`, `dagster dev` and the tests
never load a stale manifest (dagster issue 4935). ``dbt parse`` does not open the warehouse.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from pipelines import settings

DBT_DIR = settings.PROJECT_ROOT / "dbt_project"
PROJECT_FILES = (".sql", ".yml", ".yaml", ".csv", ".md")


def _newest_source() -> float:
    return max(
        p.stat().st_mtime
        for p in DBT_DIR.rglob("*")
        if p.suffix in PROJECT_FILES and not {"target", "logs", "dbt_packages"} & set(p.parts)
    )


def dbt_executable() -> str:
    """The dbt installed beside this Python (a venv's), else the one on PATH."""
    local = Path(sys.executable).with_name("dbt")
    return str(local) if local.exists() else (shutil.which("dbt") or "dbt")


def ensure_manifest(project: DbtProject) -> Path:
    manifest = project.manifest_path
    if manifest.exists() and manifest.stat().st_mtime >= _newest_source():
        return manifest
    settings.export_for_dbt(settings.warehouse_path())
    result = subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--project-dir",
            str(DBT_DIR),
            "--profiles-dir",
            str(DBT_DIR),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        cwd=DBT_DIR,
    )
    if result.returncode != 0 or not manifest.exists():
        raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
    return manifest


dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)
ensure_manifest(dbt_project)
