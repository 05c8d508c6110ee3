"""pandera schemas of the raw sources: the single source of truth for what a raw file holds.

``SOURCES`` lists every raw file family (docs/raw_sources.md), keyed by its table name in the
``raw_validated`` schema of the warehouse.
"""

from schemas import acd, cia, cog, ops, rpls, sne
from schemas.source import RawSource

SOURCES: dict[str, RawSource] = {
    s.name: s
    for s in [
        rpls.SOURCE,
        ops.SOURCE,
        ops.VACANCY_SOURCE,
        sne.DEMANDS_SOURCE,
        sne.DECISIONS_SOURCE,
        *acd.SOURCES,
        cia.SOURCE,
        cog.SOURCE,
    ]
}

__all__ = ["SOURCES", "RawSource"]
