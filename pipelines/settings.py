"""Where the landing zone and the warehouse are: command-line flags, then the environment
(``ATTRIB_RAW_DIR``, ``ATTRIB_WAREHOUSE``), then the repository's ``raw/`` and
``warehouse/attrib.duckdb``."""

from __future__ import annotations

import os
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
