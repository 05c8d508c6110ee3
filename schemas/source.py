"""What a raw file family is: its schema, where its files land and how they are written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import pandera.pandas as pa

Partitioning = Literal["year", "sne_period"] | None


@dataclass(frozen=True)
class RawSource:
    """One raw file family (docs/raw_sources.md).

    ``pattern`` matches a file name without its extension (``.csv`` or ``.parquet``); its
    group ``partition`` gives the partition key (vintage year, or SNE period ``2025``/``2025T1``),
    and the groups named in ``file_columns`` become lineage columns of every row.
    """

    name: str
    title: str
    schema: pa.DataFrameSchema
    folder: str
    pattern: str
    partitioning: Partitioning = None
    delimiter: str = ","
    encoding: str = "utf-8"
    file_columns: dict[str, str] = field(default_factory=dict)
    unique_per_file: bool = False  # unique keys hold within each file, not the partition

    def match(self, stem: str) -> re.Match | None:
        return re.fullmatch(self.pattern, stem)

    @property
    def columns(self) -> list[str]:
        return list(self.schema.columns)

    @property
    def pseudonymised(self) -> list[str]:
        """Personal identifiers, replaced by their keyed hash as they are loaded."""
        return [
            name
            for name, col in self.schema.columns.items()
            if (col.metadata or {}).get("pseudonymised")
        ]

    @property
    def unique_keys(self) -> list[list[str]]:
        """Column sets that must be unique within a partition (single and combined)."""
        keys = [[name] for name, col in self.schema.columns.items() if col.unique]
        if self.schema.unique:
            keys.append(list(self.schema.unique))
        return keys
