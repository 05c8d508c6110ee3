"""Where a warehouse keeps what it generates: a published part that analysts and readers open,
and a private part that only runs use, both under one folder that belongs to the warehouse.

The default warehouse ``warehouse/attrib.duckdb`` owns the repository's ``warehouse/`` folder;
any other DuckDB file (``--warehouse data/h.duckdb``) owns a folder named after it
(``data/h/``), so nothing spills into a shared parent folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = Path(__file__).resolve().parents[1] / "warehouse"
DEFAULT_DATABASE = DEFAULT_HOME / "attrib.duckdb"


@dataclass(frozen=True)
class Layout:
    """The folders of one warehouse, derived from its DuckDB file."""

    database: Path

    @property
    def home(self) -> Path:
        if self.database == DEFAULT_DATABASE:
            return DEFAULT_HOME
        return self.database.with_suffix("")

    # published: what analysts, BI tools and readers open
    @property
    def exports(self) -> Path:
        return self.home / "exports"

    @property
    def reports(self) -> Path:
        return self.home / "reports"

    @property
    def docs(self) -> Path:
        return self.home / "docs"

    def scenario(self, name: str) -> Path:
        """The DuckDB file of the what-if scenario ``name`` computed on this warehouse: beside
        it, in ``scenarios/`` (with its own folder, ``scenarios/<name>/``)."""
        return self.home / "scenarios" / f"{name}.duckdb"

    # private: the key, run history, logs, dbt's files, scratch space
    @property
    def private(self) -> Path:
        return self.home / "private"

    @property
    def key_file(self) -> Path:
        return self.private / "pseudonym.key"

    @property
    def dagster_home(self) -> Path:
        return self.private / "dagster_home"

    @property
    def logs(self) -> Path:
        return self.private / "logs"

    @property
    def dbt_dir(self) -> Path:
        """dbt's profile for this warehouse and its one target folder, reused by every run."""
        return self.private / "dbt"

    @property
    def dbt_target(self) -> Path:
        return self.dbt_dir / "target"

    @property
    def spill(self) -> Path:
        """DuckDB's temp_directory: where a large query spills instead of failing."""
        return self.private / "duckdb_tmp"
