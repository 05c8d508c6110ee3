"""Parquet exports of the aggregated marts, as published: small counts suppressed
(``policy.yml``), one file per mart in ``warehouse/exports/`` with a ``manifest.json`` that
documents every column, the grain, the threshold and the cells suppressed."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from audit.dbt_lineage import manifest
from core.connection import read_frame, sql_string
from ingestion.landing_zone import is_synthetic
from publication.suppression import SUPPRESSED_COLUMN, policy, suppress, unclassified_columns

SUPPRESSED_DOC = (
    "Columns of this row withheld (null) by small-count suppression: a null listed here is "
    "suppressed, any other null means no data."
)


class UnclassifiedColumns(Exception):
    """A mart has a column the publication policy says nothing of."""


@dataclass
class ExportReport:
    mart: str
    path: str
    rows: int
    cells_suppressed: int
    rows_with_suppression: int
    carried: bool = False  # copied from the previous publication, not written by this run


def load_published(
    con: duckdb.DuckDBPyConnection, mart: str, table: pa.Table, years: frozenset[int] = None
) -> None:
    """The export of ``mart`` as the table ``published.<mart>``, from the Arrow table the
    Parquet file was written from, in the same step: an analyst copying figures from SQL gets
    the suppressed ones, exactly those of the file (read back from the file, the table took
    three times as long: pyarrow writes a mart as one row group, which DuckDB reads on one
    thread). The schema ``published`` exists: export_marts creates it before its threads.

    With ``years`` (the rows of a restricted build, export_mart), only those years' rows are
    replaced: the table holds the other years as they were published."""
    # in batches of a row group: DuckDB scans an Arrow table one batch per thread, and a
    # column built in one piece (suppressed_columns) reads on one thread (fragility_residence
    # in France: 0.75 s instead of 1.4 s)
    table = pa.Table.from_batches(table.to_batches(max_chunksize=122_880), schema=table.schema)
    con.register("export_rows", table)
    try:
        if years is not None:
            con.execute(
                f"DELETE FROM published.{mart} WHERE list_contains(?, year)", [sorted(years)]
            )
            con.execute(f"INSERT INTO published.{mart} BY NAME SELECT * FROM export_rows")
            return
        con.execute(f"CREATE OR REPLACE TABLE published.{mart} AS SELECT * FROM export_rows")
    finally:
        con.unregister("export_rows")
    note = (
        f"marts.{mart} as published (exports/{mart}.parquet): counts below "
        "the threshold of publication/policy.yml suppressed, listed in suppressed_columns."
    )
    con.execute(f"COMMENT ON TABLE published.{mart} IS {sql_string(note)}")
    docs = {**column_docs(mart), SUPPRESSED_COLUMN: SUPPRESSED_DOC}
    for name in table.column_names:
        if docs.get(name):
            con.execute(f'COMMENT ON COLUMN published.{mart}."{name}" IS {sql_string(docs[name])}')


def grain_of(mart: str) -> list[str]:
    uid = manifest().model_id("marts", mart)
    return manifest().grain(uid) if uid else []


def column_docs(mart: str) -> dict[str, str]:
    uid = manifest().model_id("marts", mart)
    if not uid:
        return {}
    columns = manifest().node(uid).get("columns", {})
    return {name: col.get("description", "") for name, col in columns.items()}


def published_frame(con: duckdb.DuckDBPyConnection, mart: str, threshold: int) -> pd.DataFrame:
    """A mart as published: the table of schema ``published`` the exports step wrote (so a sheet
    shows exactly the cells of the export hidden), suppressed now when that table is missing or
    another threshold is asked for."""
    if threshold == policy().threshold and is_built(con, mart, "published"):
        return read_frame(con, f"SELECT * FROM published.{mart}")
    return suppressed_frame(con, mart, threshold)


def suppressed_frame(
    con: duckdb.DuckDBPyConnection, mart: str, threshold: int, years: frozenset[int] = None
) -> pd.DataFrame:
    """A mart as it may be published: the whole table suppressed at once, so every export and
    every sheet shows the same cells hidden; with ``years``, the rows of those years only (a
    mart published apart by year: policy.yml)."""
    if not is_built(con, mart):  # e.g. no SNE extract yet: an empty table with its columns
        frame = pd.DataFrame(columns=list(column_docs(mart)))
    else:
        # in a fixed order: which cells the secondary suppression picks must not depend on
        # the order the rows come in (the same mart, built twice, hides the same cells)
        where = "" if years is None else f"WHERE year IN ({', '.join(map(str, sorted(years)))}) "
        frame = read_frame(con, f"SELECT * FROM marts.{mart} {where}ORDER BY ALL")
    return suppress(frame, grain_of(mart), policy().marts[mart], threshold)


def is_built(con: duckdb.DuckDBPyConnection, mart: str, schema: str = "marts") -> bool:
    """Whether ``schema.mart`` exists (``published`` for the suppressed copy). Its result is
    fetched whole: DuckDB 2 refuses ``register`` on a cursor with a result left unread."""
    ((found,),) = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?",
        [schema, mart],
    ).fetchall()
    return bool(found)


def shared_lists(hidden: pd.Series) -> tuple[np.ndarray, list[list[str]]]:
    """Each row's list of hidden columns as a code into the lists the rows share (rows that
    hide the same columns share one list: publication/suppression.py; 4,750 lists for the
    342,485 rows of France's ``fragility_residence``)."""
    codes, ids = pd.factorize(np.fromiter(map(id, hidden), dtype=np.int64, count=len(hidden)))
    by_id = dict(zip(map(id, hidden), hidden, strict=True))
    return codes, [by_id[i] for i in ids]


def hidden_cells(codes: np.ndarray, lists: list[list[str]], counted: set[str]) -> tuple[int, int]:
    """Cells hidden and rows with a hidden cell, counted per shared list, not per row."""
    per_list = list(zip(lists, np.bincount(codes, minlength=len(lists)).tolist(), strict=True))
    cells = sum(len(counted.intersection(hidden)) * n for hidden, n in per_list)
    return cells, sum(n for hidden, n in per_list if hidden)


def arrow_table(frame: pd.DataFrame, codes: np.ndarray, lists: list[list[str]]) -> pa.Table:
    """The frame as Arrow, its ``suppressed_columns`` taken from the shared lists
    (:func:`shared_lists`): pyarrow converts a column of Python lists element by element,
    1.08 s for France's ``fragility_residence``, 0.35 s this way."""
    table = pa.Table.from_pandas(frame.drop(columns=[SUPPRESSED_COLUMN]), preserve_index=False)
    column = pa.array(lists, type=pa.list_(pa.string())).take(pa.array(codes, type=pa.int64()))
    at = list(frame.columns).index(SUPPRESSED_COLUMN)
    return table.add_column(at, pa.field(SUPPRESSED_COLUMN, column.type), column)


def carry_over(published: Path, target: Path) -> None:
    """The published file in this run's exports, as a second name of the same file where the
    file system allows it, else as a copy (a quarterly run spent 0.4 s copying). No export is
    written in place: a file written is a new file (export_marts)."""
    target.unlink(missing_ok=True)
    try:
        os.link(published, target)
    except OSError:
        shutil.copyfile(published, target)


def previous_manifest(previous: Path | None, threshold: int) -> dict | None:
    """The manifest of the previous publication's exports, when they were written under the
    policy version and threshold of this run (else nothing of them may be reused)."""
    listing = previous / "manifest.json" if previous else None
    if not listing or not listing.is_file():
        return None
    old = json.loads(listing.read_text(encoding="utf-8"))
    if old.get("policy_version") != policy().version or old.get("small_count_threshold") != (
        threshold
    ):
        return None
    return old


def previous_exports(
    previous: Path | None, unchanged: set[str], threshold: int
) -> dict[str, tuple[dict, ExportReport]]:
    """The exports of the previous publication that still hold: a mart this run did not
    rebuild, exported under the same policy version and threshold. A quarterly run carries
    them over instead of suppressing and writing again tables it did not touch."""
    old = previous_manifest(previous, threshold) if unchanged else None
    if not old:
        return {}
    reports = {r["mart"]: r for r in old.get("reports", [])}
    kept = {}
    for mart in unchanged:
        entry, report = old.get("marts", {}).get(mart), reports.get(mart)
        if entry and report and "file" in entry and (previous / entry["file"]).is_file():
            entry = {**entry, "exported_by_run": entry.get("exported_by_run", old.get("run_id"))}
            kept[mart] = (entry, ExportReport(**{**report, "carried": True}))
    return kept


@dataclass(frozen=True)
class KeptYears:
    """The rows of a mart published apart by year (policy.yml ``apart``) that a restricted
    build left as they were: the years outside ``rebuilt`` are read back from the published
    table the previous export wrote with its file (``published.<mart>``, copied with the
    warehouse: 0.1 s for France's 300,000 rows of 2025 quotas, 2.2 s from the Parquet file),
    not suppressed again. Each year is suppressed as if alone, so they are the rows a whole
    export would write."""

    rebuilt: frozenset[int]  # the years this run's build computed again
    exported_by_run: str | None  # the run whose export wrote them

    def read(self, cursor: duckdb.DuckDBPyConnection, mart: str) -> pa.Table:
        """The published rows of the other years, as stored, read on ``cursor`` (a cursor of its
        own, which this closes: export_mart reads them on a side thread while it suppresses the
        rebuilt years)."""
        listed = ", ".join(map(str, sorted(self.rebuilt)))
        try:
            return cursor.sql(
                f"SELECT * FROM published.{mart} WHERE year NOT IN ({listed})"
            ).to_arrow_table()
        finally:
            cursor.close()

    @staticmethod
    def typed(kept: pa.Table, like: pa.Table) -> pa.Table | None:
        """``kept`` (:meth:`read`) typed as ``like`` (the rows suppressed now), or None when it
        cannot be (another version of the mart: every year is exported again)."""
        if kept.column_names != like.column_names:
            return None
        try:  # column by column: Table.cast took 0.29 s for 2025's 356,053 quotas, this 3 ms
            columns = [
                column if column.type == field.type else column.cast(field.type)
                for column, field in zip(kept.columns, like.schema, strict=True)
            ]
            return pa.Table.from_arrays(columns, schema=like.schema)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
            return None

    def merged(self, kept: pa.Table, written: pa.Table, kept_years: set[int]) -> pa.Table:
        """The ``kept`` rows (of ``kept_years``) and the ``written`` ones (the rebuilt years),
        year after year, each year in the order of a whole export (ORDER BY ALL: period
        first)."""
        if not kept_years or max(kept_years) < min(self.rebuilt):
            return pa.concat_tables([kept, written])
        if min(kept_years) > max(self.rebuilt):
            return pa.concat_tables([written, kept])
        both = pa.concat_tables([kept, written])
        return both.take(pc.sort_indices(both, sort_keys=[("year", "ascending")]))


def kept_years(
    previous: Path | None, marts: list[str], rebuilt: set[int] | None, threshold: int
) -> dict[str, KeptYears]:
    """For each mart published apart by year, what a build restricted to the ``rebuilt``
    years (None: a whole build, nothing kept) lets this run keep of the previous export."""
    old = previous_manifest(previous, threshold) if rebuilt is not None else None
    if not old:
        return {}
    kept = {}
    for mart in marts:
        entry = old.get("marts", {}).get(mart) or {}
        if "year" in policy().marts[mart].apart and "file" in entry:
            kept[mart] = KeptYears(frozenset(rebuilt), entry.get("exported_by_run"))
    return kept


def hidden_in_arrow(column: pa.ChunkedArray, counted: set[str]) -> tuple[int, int]:
    """Cells hidden (of the ``counted`` columns) and rows with a hidden cell, in a column of
    lists of hidden columns read back from a published file."""
    flat = pc.list_flatten(column)
    cells = pc.sum(pc.is_in(flat, value_set=pa.array(sorted(counted), pa.string()))).as_py()
    rows = pc.sum(pc.greater(pc.list_value_length(column), 0)).as_py()
    return cells or 0, rows or 0


def export_mart(
    con: duckdb.DuckDBPyConnection,
    mart: str,
    out_dir: Path,
    threshold: int,
    run_id: str | None,
    keep: KeptYears | None = None,
) -> tuple[ExportReport, dict]:
    """Suppress one mart and write it as a Parquet file and as ``published.<mart>``; returns
    its report and its entry in the manifest. With ``keep``, only the years the build
    computed again are suppressed; the other years' rows are those the previous export
    published (``published.<mart>``)."""
    rules = policy()
    spec = rules.marts[mart]
    grain = grain_of(mart)
    years = keep.rebuilt if keep and is_built(con, mart, "published") else None
    # DuckDB and pyarrow work on a side thread while pandas holds Python's lock here: the kept
    # years are read while the rebuilt ones are suppressed, the file written while DuckDB
    # loads the published table (a quarterly run's quotas: 2.2 s one after the other)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"export-{mart}") as side:
        # the side thread's cursor is made here: a connection is not shared between threads
        reading = side.submit(keep.read, con.cursor(), mart) if years is not None else None
        frame = suppressed_frame(con, mart, threshold, years)
        unknown = unclassified_columns(mart, list(frame.columns))
        if unknown:
            raise UnclassifiedColumns(
                f"marts.{mart}: column(s) {', '.join(unknown)} are not classified in "
                "publication/policy.yml (counts, derived, statistics or not_personal): "
                "nothing is exported until they are"
            )
        if SUPPRESSED_COLUMN in frame:
            codes, lists = shared_lists(frame[SUPPRESSED_COLUMN])
            table = arrow_table(frame, codes, lists)
            cells, rows_hidden = hidden_cells(codes, lists, set(spec.counts))
        else:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            cells, rows_hidden = 0, 0
        written, carried = table, None
        kept = KeptYears.typed(reading.result(), table) if reading is not None else None
        if years is not None and kept is None:  # published under another version of the mart
            return export_mart(con, mart, out_dir, threshold, run_id)
        if kept is not None:
            if SUPPRESSED_COLUMN in kept.column_names:
                kept_cells, kept_rows = hidden_in_arrow(kept[SUPPRESSED_COLUMN], set(spec.counts))
                cells, rows_hidden = cells + kept_cells, rows_hidden + kept_rows
            kept_years = set(pc.unique(kept["year"]).to_pylist())
            table = keep.merged(kept, written, kept_years)
            carried = {
                "years": sorted(kept_years),
                "rows": kept.num_rows,
                "read_from_export_of_run": keep.exported_by_run,
            }
        table = table.replace_schema_metadata(
            {
                **(table.schema.metadata or {}),
                b"attrib.policy_version": rules.version.encode(),
                b"attrib.small_count_threshold": str(threshold).encode(),
                b"attrib.run_id": (run_id or "").encode(),
            }
        )
        path = out_dir / f"{mart}.parquet"
        path.unlink(missing_ok=True)  # a new file, never written through a carried-over name
        writing = side.submit(pq.write_table, table, path)
        load_published(con, mart, written, years)
        writing.result()
    docs = column_docs(mart)
    if SUPPRESSED_COLUMN in frame:
        docs[SUPPRESSED_COLUMN] = SUPPRESSED_DOC
    entry = {
        "file": path.name,
        "rows": table.num_rows,
        "grain": grain,
        "lines_along": spec.varying(grain),
        "apart_by": list(spec.apart),
        "counts_protected": list(spec.counts),
        "derived_withheld_with_counts": {k: list(v) for k, v in spec.derived.items()},
        "cells_suppressed": cells,
        "exported_by_run": run_id,
        # the rows of the years this run's build left as they were, from published.<mart>
        "rows_kept_from_previous": carried,
        "columns": {name: docs.get(name, "") for name in frame.columns},
    }
    return ExportReport(mart, str(path), table.num_rows, cells, rows_hidden), entry


def export_marts(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    threshold: int | None = None,
    run_id: str | None = None,
    previous: Path | None = None,
    unchanged: set[str] = frozenset(),
    rebuilt_years: set[int] | None = None,
) -> list[ExportReport]:
    """Suppress and write every mart of the policy, as a Parquet file and as the table
    ``published.<mart>`` (``con`` is the run's connection to its building copy); ``unchanged``
    marts (not rebuilt by this run) are copied from the ``previous`` exports when those were
    written under the same policy, their published table kept; of a mart published apart by
    year, the years outside ``rebuilt_years`` (what a restricted build computed; None for a
    whole build) are kept as published (``published.<mart>``). Returns the reports of every
    mart exported.

    Two marts are exported at a time, each on its own cursor: one suppresses in pandas (which
    holds Python's lock) while DuckDB and pyarrow write the other (which do not)."""
    rules = policy()
    threshold = rules.threshold if threshold is None else threshold
    out_dir.mkdir(parents=True, exist_ok=True)
    documented, carried_reports, todo = {}, [], []
    carried = previous_exports(previous, set(unchanged), threshold)
    synthetic = is_synthetic(con)
    for mart in rules.marts:
        if not is_built(con, mart):
            documented[mart] = {"not_built": "no extract of its sources loaded yet"}
        elif mart in carried and is_built(con, mart, "published"):
            entry, report = carried[mart]
            carry_over(previous / entry["file"], out_dir / entry["file"])
            documented[mart] = entry
            carried_reports.append(replace(report, path=str(out_dir / entry["file"])))
        else:
            documented[mart] = None  # its place in the manifest, filled below
            todo.append(mart)
    con.execute("CREATE SCHEMA IF NOT EXISTS published")

    keep = kept_years(previous, todo, rebuilt_years, threshold)

    def export(mart: str) -> tuple[ExportReport, dict]:
        cursor = con.cursor()
        try:
            return export_mart(cursor, mart, out_dir, threshold, run_id, keep.get(mart))
        finally:
            cursor.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(export, todo))
    reports = []
    for mart, (report, entry) in zip(todo, done, strict=True):
        reports.append(report)
        documented[mart] = entry
    (out_dir / "manifest.json").write_text(
        json.dumps(
            {
                "generated_at": dt.datetime.now().isoformat(timespec="seconds"),
                "run_id": run_id,
                "synthetic_sample": synthetic,
                "policy_version": rules.version,
                "small_count_threshold": threshold,
                "note": "Aggregated marts only; row-level facts (fct_*, fragility_household) are "
                "never exported. See publication/policy.yml for the rule.",
                "marts": documented,
                # each file by its name in this folder: the run writes it in its building
                # area, gone once published
                "reports": [
                    {**asdict(r), "path": Path(r.path).name} for r in reports + carried_reports
                ],
            },
            indent=2,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return reports + carried_reports
