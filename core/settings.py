"""Settings of a run, resolved once: command-line flags, then the environment
(``ATTRIB_RAW_DIR``, ``ATTRIB_WAREHOUSE``, ``ATTRIB_DUCKDB_MEMORY``, ``ATTRIB_DUCKDB_THREADS``,
``ATTRIB_DUCKDB_TEMP_DIRECTORY``),
then the repository's ``raw/`` and ``warehouse/attrib.duckdb``.

The environment is read in ``core`` only (here; the pseudonym key and the Dagster home where
they are used) and never written: every other module receives these values explicitly
(resources, config, arguments).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from core.layout import DEFAULT_DATABASE, Layout

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_RAW = PROJECT_ROOT / "raw"
# a national register on 2 cores within a 4 GB budget: DuckDB spills past this. At 2GB the
# landing of France's RPLS (5.4 million rows) spilled 290 MB and the annual run took 87.6 s;
# at 2.5GB nothing spilled, 76.5 s, and the run's whole process tree peaked at 3.1 GB
# (docs/orchestration.md, Settings)
DEFAULT_MEMORY_LIMIT = "2.5GB"
DEFAULT_THREADS = 2


def raw_dir(override: str | Path | None = None) -> Path:
    value = override or os.environ.get("ATTRIB_RAW_DIR") or DEFAULT_RAW
    return Path(value).resolve()


def warehouse_path(override: str | Path | None = None) -> Path:
    value = override or os.environ.get("ATTRIB_WAREHOUSE") or DEFAULT_DATABASE
    return Path(value).resolve()


def raw_dir_is_explicit(override: str | Path | None = None) -> bool:
    """True when the user named the landing zone (flag or environment)."""
    return bool(override or os.environ.get("ATTRIB_RAW_DIR"))


@dataclass(frozen=True)
class DuckDBLimits:
    """Memory, threads and spill folder of every DuckDB connection a run opens."""

    memory_limit: str = DEFAULT_MEMORY_LIMIT
    threads: int = DEFAULT_THREADS
    # where DuckDB spills; None: the warehouse's own private/duckdb_tmp (Layout.spill)
    temp_directory: Path | None = None

    @classmethod
    def from_environment(cls) -> DuckDBLimits:
        temp = os.environ.get("ATTRIB_DUCKDB_TEMP_DIRECTORY")
        return cls(
            memory_limit=os.environ.get("ATTRIB_DUCKDB_MEMORY") or DEFAULT_MEMORY_LIMIT,
            threads=int(os.environ.get("ATTRIB_DUCKDB_THREADS") or DEFAULT_THREADS),
            temp_directory=Path(temp).resolve() if temp else None,
        )

    def spill(self, warehouse_spill: Path | None) -> Path | None:
        """The spill folder of a connection: the one set, else the warehouse's."""
        return self.temp_directory or warehouse_spill


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    layout: Layout
    limits: DuckDBLimits

    @property
    def warehouse(self) -> Path:
        return self.layout.database

    @classmethod
    def resolve(
        cls, raw: str | Path | None = None, warehouse: str | Path | None = None
    ) -> Settings:
        return cls(
            raw_dir=raw_dir(raw),
            layout=Layout(warehouse_path(warehouse)),
            limits=DuckDBLimits.from_environment(),
        )
