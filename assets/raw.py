"""Raw layer: one asset per raw file family, validated by its pandera schema into
``raw_validated.<source>`` with rejects, load log and a row-count reconciliation check.

A partitioned source runs over one key or a range of keys in one run (single-run backfill
policy): it loads each key of the range that has files in the landing zone and says so for the
others (a yearly source has no file for a quarter key)."""

import time
import warnings

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    BackfillPolicy,
    BetaWarning,
    Failure,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
    TableColumn,
    TableSchema,
    asset,
)

from audit import lineage
from core.partitions import extract_partitions
from core.resources import RawZone, Warehouse
from ingestion import load_state
from ingestion.landing_zone import check_not_mixed
from ingestion.landing_zone import record as record_landing_zone
from ingestion.loader import UNPARTITIONED, LoadReport, load_partition, remove_partition
from ingestion.raw_files import RawFileError, discover
from ingestion.raw_validated import ensure_tables
from ingestion.sql_validation import duckdb_type
from schemas import SOURCES, RawSource

RECONCILE_CHECK = "rows_reconcile"
# single-run backfills (one run over a range of periods) are what the build plan relies on
warnings.filterwarnings("ignore", category=BetaWarning, message=".*backfill_policy.*")


def raw_key(source_name: str) -> AssetKey:
    """Same key as the dbt source ``raw_validated.<table>``, so the lineage graph is one line."""
    return AssetKey(["raw_validated", source_name])


def _partitions(source: RawSource) -> PartitionsDefinition | None:
    return extract_partitions if source.partitioning else None


def _references(source: RawSource) -> list[AssetKey]:
    tables = {
        (col.metadata or {}).get("references", (None,))[0] for col in source.schema.columns.values()
    }
    return [raw_key(t) for t in sorted(t for t in tables if t)]


def _column_schema(source: RawSource) -> TableSchema:
    return TableSchema(
        columns=[
            TableColumn(name, duckdb_type(col).lower(), description=col.description)
            for name, col in source.schema.columns.items()
        ]
    )


def reconcile(con, source: RawSource, partition: str) -> tuple[bool, dict]:
    """Rows read (load log) = rows in the validated table + distinct rejected lines."""
    read, valid, rejected = con.execute(
        f"""
        SELECT
          (SELECT coalesce(sum(rows_read), 0) FROM raw_validated.load_log
            WHERE source = $1 AND "partition" = $2),
          (SELECT count(*) FROM raw_validated.{source.name} WHERE _partition = $2),
          (SELECT count(*) FROM (SELECT DISTINCT source_file, line FROM raw_validated.rejects
            WHERE source = $1 AND "partition" = $2))
    """,
        [source.name, partition],
    ).fetchone()
    return read == valid + rejected, {
        "rows_read": read,
        "rows_in_table": valid,
        "rows_rejected": rejected,
    }


def _metadata(
    source: RawSource, reports: list[LoadReport], missing: list[str], skipped: list
) -> dict:
    files = [
        {
            "partition": report.partition,
            "file": f.relative,
            "bytes": f.size,
            "sha256": f.sha256,
            "rows_read": f.rows_read,
            "rows_valid": f.rows_valid,
            "rows_rejected": f.rows_rejected,
            "extra_columns_ignored": f.extra_columns,
        }
        for report in reports
        for f in report.files
    ]
    sample = "\n".join(
        f"| {r['file']} | {r['line']} | {r['column']} | {r['check']} | {r['value']} | "
        f"{r['reason']} |"
        for report in reports
        for r in report.reject_sample
    )
    valid = sum(r.rows_valid for r in reports)
    return {
        "rows_read": sum(r.rows_read for r in reports),
        "rows_valid": valid,
        "rows_rejected": sum(r.rows_rejected for r in reports),
        "failed_checks": sum(r.failures for r in reports),
        "partitions_loaded": ", ".join(r.partition for r in reports) or "none",
        "partitions_without_file": ", ".join(missing) or "none",
        "partitions_unchanged": ", ".join(str(k or "all") for k in skipped) or "none",
        "load_ids": ", ".join(r.load_id for r in reports),
        "files": MetadataValue.json(files),
        "rejects_sample": MetadataValue.md(
            "| file | line | column | check | value | reason |\n|---|---|---|---|---|---|\n"
            + sample
        )
        if sample
        else MetadataValue.md("no rejected row"),
        "dagster/row_count": valid,
        "table": f"raw_validated.{source.name}",
    }


def _lineage(context, con, source: RawSource, report: LoadReport) -> lineage.LineageRow:
    """The files this load read, and the reference tables its checks looked up."""
    upstream = lineage.upstream_runs(context.instance, _references(source), context.run.run_id)
    return lineage.LineageRow(
        run_id=context.run.run_id,
        asset_key=raw_key(source.name).to_user_string(),
        partition=report.partition if source.partitioning else None,
        kind="raw load",
        started_at=None,
        input_files=lineage.current_files(con, [source.name], report.partition),
        upstream_assets=upstream,
        parameters_version=lineage.parameters_version(con),
        rows_out=report.rows_valid,
    )


def label(source: RawSource, partition: str | None) -> str:
    """How the progress lines name a partition: ``raw_validated/rpls [2025]``, padded."""
    name = f"raw_validated/{source.name}" + (f" [{partition}]" if source.partitioning else "")
    return f"{name:<45}"


def progress_line(source: RawSource, report: LoadReport, seconds: float) -> str:
    return (
        f"{label(source, report.partition)} read {report.rows_read:>9,}  "
        f"valid {report.rows_valid:>9,}  rejected {report.rows_rejected:>7,}  {seconds:6.1f} s"
    )


def build_raw_asset(source: RawSource) -> AssetsDefinition:
    key = raw_key(source.name)

    @asset(
        key=key,
        group_name="raw",
        partitions_def=_partitions(source),
        backfill_policy=BackfillPolicy.single_run() if source.partitioning else None,
        deps=_references(source),
        description=f"{source.title}: rows of `{source.folder}/{source.pattern}` that pass the "
        f"pandera schema `schemas.{source.schema.name}`; failing rows go to "
        "`raw_validated.rejects`.",
        metadata={
            "dagster/column_schema": _column_schema(source),
            "dagster/table_name": f"raw_validated.{source.name}",
        },
        kinds={"duckdb", "pandera"},
        check_specs=[
            AssetCheckSpec(
                RECONCILE_CHECK,
                asset=key,
                blocking=True,
                description="Every row read is either in the validated table or in the rejects.",
            )
        ],
    )
    def _raw_asset(context: AssetExecutionContext, raw_zone: RawZone, warehouse: Warehouse):
        wanted = context.partition_keys if source.partitioning else [None]
        try:
            present = discover(raw_zone.root, source)
            keys = [k for k in wanted if k in present]
            # real extracts dropped into a generated sample are refused, file named
            check_not_mixed(raw_zone.root, source, [f for k in keys for f in present[k]])
        except RawFileError as exc:
            raise Failure(
                description=str(exc), metadata={"file": exc.path, "problem": exc.problem}
            ) from None
        missing = [k for k in wanted if k not in present]
        reports, failures, skipped, all_counts, reconciled = [], [], [], {}, True
        with warehouse.connect() as con:
            ensure_tables(con, source)  # empty until its first file, for the checks of others
            record_landing_zone(con, raw_zone.root)
            pseudonym_key = warehouse.pseudonym_key() if source.pseudonymised and keys else None
            for gone in missing:  # the landing zone is the truth
                removed = remove_partition(con, source, gone, context.run.run_id)
                if removed is not None:
                    context.log.info(
                        f"{label(source, gone)} removed {removed:,} rows: its files are gone from "
                        "the landing zone",
                        extra={"progress": True},
                    )
            for partition in keys:
                started = time.perf_counter()
                state = load_state.digest(present[partition], pseudonym_key)
                key = partition if partition is not None else UNPARTITIONED
                if by := load_state.loaded_by(con, source.name, key, state):
                    # the files are those loaded; so must the table's rows be (a table
                    # dropped or emptied by hand is made again empty: read the files again)
                    held, counts = reconcile(con, source, key)
                    if held:
                        skipped.append(partition)
                        context.log.info(
                            f"{label(source, partition)} unchanged since run {by[:8]} (same "
                            "files, same sha256): not read again",
                            extra={"progress": True},
                        )
                        continue
                    context.log.warning(
                        f"{label(source, partition)} unchanged since run {by[:8]}, but its "
                        f"table holds {counts['rows_in_table']:,} of the "
                        f"{counts['rows_read'] - counts['rows_rejected']:,} valid rows loaded "
                        "then: read again",
                        extra={"progress": True},
                    )
                try:
                    report = load_partition(
                        con,
                        raw_zone.root,
                        source,
                        partition,
                        context.run.run_id,
                        pseudonym_key,
                        state_digest=state,
                    )
                except RawFileError as exc:
                    failures.append(exc)
                    context.log.error(str(exc))
                    continue
                ok, counts = reconcile(con, source, report.partition)
                reconciled &= ok
                all_counts[report.partition] = counts
                lineage.record(con, [_lineage(context, con, source, report)])
                reports.append(report)
                context.log.info(
                    progress_line(source, report, time.perf_counter() - started),
                    extra={"progress": True},
                )
        if failures:
            raise Failure(
                description="; ".join(str(e) for e in failures),
                metadata={
                    "files": ", ".join(e.path for e in failures),
                    "problems": "; ".join(e.problem for e in failures),
                },
            )
        return MaterializeResult(
            metadata=_metadata(
                source, reports, [k for k in missing if k] if source.partitioning else [], skipped
            ),
            check_results=[
                AssetCheckResult(
                    check_name=RECONCILE_CHECK,
                    passed=reconciled,
                    metadata={"per_partition": MetadataValue.json(all_counts)},
                    severity=AssetCheckSeverity.ERROR,
                )
            ],
        )

    return _raw_asset


RAW_ASSETS = [build_raw_asset(source) for source in SOURCES.values()]
