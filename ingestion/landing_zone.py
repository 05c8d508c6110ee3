"""Generated sample or real extracts: a landing zone is one or the other, never both.

The generator (``attrib generate``, the README's first run) lists every file it writes in
``_generator/generated_files.csv``. A landing zone holding that list is a synthetic sample:
each load records it in ``raw_validated.landing_zone`` (the exports' manifest and the sheets
say so), and an extract that is not in the list (a real file dropped beside the sample) fails
its source's step, so real and generated rows are never mixed in one warehouse.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from ingestion.raw_files import RawFile, RawFileError
from ingestion.sql_validation import sql_literal
from schemas.source import RawSource

GENERATED = "_generator/generated_files.csv"


def generated_files(raw_dir: Path) -> set[str] | None:
    """The files the generator wrote there, or None for a landing zone of real extracts."""
    path = raw_dir / GENERATED
    if not path.exists():
        return None
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["file"] for row in csv.DictReader(handle)}


def write_list(raw_dir: Path, files: dict[str, int]) -> None:
    """Called by the generator once it has written ``files`` (relative path -> rows)."""
    path = raw_dir / GENERATED
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "rows"])
        writer.writerows(sorted(files.items()))


def check_not_mixed(raw_dir: Path, source: RawSource, files: list[RawFile]) -> None:
    """Refuse a file of a generated source (the registers, the plans) that the generator did
    not write. Reference tables (the agreement's, the COG, the CIA policies) are committed data,
    the same in a sample and in real use."""
    generated = generated_files(raw_dir)
    if generated is None:
        return
    ours = {
        f for f in generated if f.startswith(f"{source.folder}/") and source.match(Path(f).stem)
    }
    if not ours:
        return
    foreign = [f for f in files if f.relative not in ours]
    if foreign:
        raise RawFileError(
            foreign[0].path,
            f"not one of the generated sample's files ({raw_dir / GENERATED}): this landing "
            "zone is a synthetic sample, and real extracts are never mixed with it; drop real "
            "extracts into a landing zone of their own (--raw DIR)",
        )


def record(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> None:
    """What the warehouse was loaded from: a synthetic sample or real extracts."""
    synthetic = generated_files(raw_dir) is not None
    con.execute("CREATE SCHEMA IF NOT EXISTS raw_validated")
    con.execute(
        "CREATE OR REPLACE TABLE raw_validated.landing_zone AS SELECT ? AS synthetic, "
        "? AS generator_list, now() AS recorded_at",
        [synthetic, str(raw_dir / GENERATED) if synthetic else None],
    )
    con.execute(
        "COMMENT ON TABLE raw_validated.landing_zone IS 'Whether the warehouse was loaded from "
        "the generated sample (synthetic: every figure is made up) or from real extracts.'"
    )
    for column, text in (
        ("synthetic", "True when the landing zone is the generated sample."),
        ("generator_list", "The generator's list of the files it wrote (null for real data)."),
        ("recorded_at", "When the last load recorded this."),
    ):
        con.execute(f"COMMENT ON COLUMN raw_validated.landing_zone.{column} IS {sql_literal(text)}")


def is_synthetic(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        row = con.execute("SELECT synthetic FROM raw_validated.landing_zone").fetchone()
    except duckdb.CatalogException:
        return False
    return bool(row and row[0])
