"""What every scale of the generator shares: its report, and the committed agreement tables and
CIA policies copied beside the generated extracts."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from samples.territory import CIA_DIR, COG_DIR, REFERENCE_DIR

REFERENCE_FILES = (
    "commune_tension.csv",
    "territories.csv",
    "landlords.csv",
    "parameters.csv",
    "published_objectives.csv",
    "qpv.csv",
    "q1_thresholds.csv",
)


def dalo_counts(factor: float) -> pd.DataFrame:
    """The DALO counts of the agreement's years, scaled to the sample (1.0: Haute-Garonne)."""
    return pd.DataFrame(
        {
            "YEAR": ["2025", "2026", "2027"],
            "DALO_ACTIVE_PREV_DEC31": [str(round(v * factor)) for v in (600, 602, 600)],
            "DALO_NEW_EXPECTED": [str(round(v * factor)) for v in (494, 494, 494)],
        }
    )


@dataclass
class GenerationReport:
    out: Path
    files: dict[str, int] = field(default_factory=dict)
    injected: int = 0
    seconds: float = 0.0


def copy_reference(out: Path) -> None:
    """Put the committed agreement tables, CIA policies and the COG beside the generated
    extracts."""
    for target, source, names in (
        (out / "acd", REFERENCE_DIR, REFERENCE_FILES),
        (out / "cia", CIA_DIR, None),
        (out / "cog", COG_DIR, None),
    ):
        target.mkdir(parents=True, exist_ok=True)
        if target.resolve() == source.resolve():
            continue
        for path in sorted(source.glob("*.csv")):
            if names is None or path.name in names:
                shutil.copyfile(path, target / path.name)
