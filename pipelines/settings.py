"""Where the landing zone and the warehouse are: command-line flags, then the environment
(``ATTRIB_RAW_DIR``, ``ATTRIB_WAREHOUSE``), then the repository's ``raw/`` and
``warehouse/attrib.duckdb``."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def raw_dir(override: str | Path | None = None) -> Path:
    value = override or os.environ.get("ATTRIB_RAW_DIR") or PROJECT_ROOT / "raw"
    return Path(value).resolve()


def warehouse_path(override: str | Path | None = None) -> Path:
    value = (
        override
        or os.environ.get("ATTRIB_WAREHOUSE")
        or PROJECT_ROOT / "warehouse" / "attrib.duckdb"
    )
    return Path(value).resolve()


PSEUDONYM_VARIABLE = "ATTRIB_PSEUDONYM_KEY"


def pseudonym_key(warehouse: Path) -> str:
    """The key of the demand-number hash: ``ATTRIB_PSEUDONYM_KEY``, else a random key kept in
    ``pseudonym.key`` beside the warehouse (created on first use, for samples). It never goes
    into the DuckDB file; whoever holds it could re-identify demands, so real deployments set
    the variable from a secret store."""
    if os.environ.get(PSEUDONYM_VARIABLE):
        return os.environ[PSEUDONYM_VARIABLE]
    path = warehouse.parent / "pseudonym.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def export_for_dbt(warehouse: Path) -> None:
    """dbt reads the warehouse path and the pseudonym key from the environment."""
    os.environ["ATTRIB_WAREHOUSE"] = str(warehouse)
    os.environ[PSEUDONYM_VARIABLE] = pseudonym_key(warehouse)
