"""Write generated frames exactly as the real extracts are written (delimiter, encoding,
decimal comma), chunk by chunk, with optional injected bad rows recorded in a manifest."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

MANIFEST = "_generator/injected_bad_rows.csv"


def ints(values) -> pd.Series:
    """Integers as text; missing values (NaN / <NA>) become empty fields."""
    series = pd.Series(values)
    out = series.astype("Int64").astype("string")
    return out


def decimals(values, places: int, comma: bool = False) -> pd.Series:
    series = pd.Series(np.round(np.asarray(values, dtype=float), places))
    text = series.map(lambda v: "" if np.isnan(v) else f"{v:.{places}f}").astype("string")
    text = text.str.rstrip("0").str.rstrip(".") if places else text
    text = text.mask(text == "", pd.NA)
    return text.str.replace(".", ",", regex=False) if comma else text


def dates(values) -> pd.Series:
    series = pd.to_datetime(pd.Series(values))
    return series.dt.strftime("%Y-%m-%d").astype("string")


@dataclass
class BadRowInjector:
    """Turns a fraction of rows into rows that exactly one rule rejects, and remembers them."""

    fraction: float
    rng: np.random.Generator
    rows: list[tuple[str, int, str, str]] = field(default_factory=list)

    def apply(self, frame: pd.DataFrame, defects: dict, relative: str, first_line: int):
        if self.fraction <= 0 or not defects:
            return frame
        hit = np.flatnonzero(self.rng.random(len(frame)) < self.fraction)
        if len(hit) == 0:
            return frame
        names = list(defects)
        choice = self.rng.integers(0, len(names), len(hit))
        frame = frame.copy()
        for k, name in enumerate(names):
            rows = hit[choice == k]
            if len(rows) == 0:
                continue
            column, make = defects[name]
            frame.loc[frame.index[rows], column] = make(frame.iloc[rows])
            self.rows.extend((relative, first_line + int(r), column, name) for r in rows)
        return frame

    def write_manifest(self, out: Path) -> None:
        path = out / MANIFEST
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["file", "line", "column", "defect"])
            writer.writerows(sorted(self.rows))


LATIN1_SPELLING = str.maketrans({"œ": "oe", "Œ": "OE"})


class ExtractWriter:
    """Streams chunks of one extract to disk; each chunk is a frame of text columns."""

    def __init__(
        self,
        out: Path,
        relative: str,
        delimiter: str,
        encoding: str,
        injector: BadRowInjector | None = None,
        defects: dict | None = None,
    ):
        self.path = out / relative
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.relative, self.delimiter, self.encoding = relative, delimiter, encoding
        self.injector, self.defects = injector, defects or {}
        self.handle = self.path.open("wb")
        self.lines = 1
        self.header_written = False

    def write(self, frame: pd.DataFrame) -> None:
        if self.injector is not None:
            frame = self.injector.apply(frame, self.defects, self.relative, self.lines + 1)
        table = pa.Table.from_pandas(frame.astype("string"), preserve_index=False)
        buffer = io.BytesIO()
        if not self.header_written:
            buffer.write((self.delimiter.join(frame.columns) + "\n").encode("utf-8"))
        options = pacsv.WriteOptions(
            include_header=False, delimiter=self.delimiter, quoting_style="none"
        )
        pacsv.write_csv(table, buffer, options)
        data = buffer.getvalue()
        if self.encoding != "utf-8":
            # Latin-1 has no œ (Bœurs-en-Othe): written oe, as registers in Latin-1 do
            text = data.decode("utf-8").translate(LATIN1_SPELLING)
            data = text.encode(self.encoding)
        self.handle.write(data)
        self.header_written = True
        self.lines += len(frame)

    def close(self) -> None:
        self.handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def write_frame(
    out: Path,
    relative: str,
    frame: pd.DataFrame,
    delimiter: str = ";",
    encoding: str = "utf-8",
    injector: BadRowInjector | None = None,
    defects: dict | None = None,
) -> None:
    with ExtractWriter(out, relative, delimiter, encoding, injector, defects) as writer:
        writer.write(frame)
