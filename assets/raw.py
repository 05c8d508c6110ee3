"""Raw layer: one asset per raw file family, validated by its pandera schema into
``raw_validated.<source>`` with rejects, load log and a row-count reconciliation check."""

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Failure,
    MaterializeResult,
    MetadataValue,
    PartitionsDefinition,
    TableColumn,
    TableSchema,
    asset,
)

from audit import lineage
from ingestion.loader import UNPARTITIONED, LoadReport, load_partition
from ingestion.raw_files import RawFileError
from ingestion.sql_validation import duckdb_type
from pipelines.partitions import sne_period_partitions, yearly_partitions
from pipelines.resources import RawZone, Warehouse
from schemas import SOURCES, RawSource

RECONCILE_CHECK = "rows_reconcile"


def raw_key(source_name: str) -> AssetKey:
    """Same key as the dbt source ``raw_validated.<table>``, so the lineage graph is one line."""
    return AssetKey(["raw_validated", source_name])


def _partitions(source: RawSource) -> PartitionsDefinition | None:
    return {"year": yearly_partitions, "sne_period": sne_period_partitions}.get(source.partitioning)


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


def _metadata(report: LoadReport) -> dict:
    files = [
        {
            "file": f.relative,
            "bytes": f.size,
            "sha256": f.sha256,
            "rows_read": f.rows_read,
            "rows_valid": f.rows_valid,
            "rows_rejected": f.rows_rejected,
            "extra_columns_ignored": f.extra_columns,
        }
        for f in report.files
    ]
    sample = "\n".join(
        f"| {r['file']} | {r['line']} | {r['column']} | {r['check']} | {r['value']} | "
        f"{r['reason']} |"
        for r in report.reject_sample
    )
    return {
        "rows_read": report.rows_read,
        "rows_valid": report.rows_valid,
        "rows_rejected": report.rows_rejected,
        "failed_checks": report.failures,
        "load_id": report.load_id,
        "files": MetadataValue.json(files),
        "rejects_sample": MetadataValue.md(
            "| file | line | column | check | value | reason |\n|---|---|---|---|---|---|\n"
            + sample
        )
        if sample
        else MetadataValue.md("no rejected row"),
        "dagster/row_count": report.rows_valid,
        "table": f"raw_validated.{report.source}",
    }


def _lineage(context, con, source: RawSource, report: LoadReport) -> lineage.LineageRow:
    """The files this load read, and the reference tables its checks looked up."""
    upstream = lineage.upstream_runs(context.instance, _references(source), context.run.run_id)
    return lineage.LineageRow(
        run_id=context.run.run_id,
        asset_key=raw_key(source.name).to_user_string(),
        partition=context.partition_key if source.partitioning else None,
        kind="raw load",
        started_at=None,
        input_files=lineage.current_files(con, [source.name], report.partition),
        upstream_assets=upstream,
        parameters_version=lineage.parameters_version(con),
        rows_out=report.rows_valid,
    )


def build_raw_asset(source: RawSource) -> AssetsDefinition:
    key = raw_key(source.name)

    @asset(
        key=key,
        group_name="raw",
        partitions_def=_partitions(source),
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
        partition = context.partition_key if source.partitioning else None
        with warehouse.connect() as con:
            try:
                report = load_partition(con, raw_zone.root, source, partition, context.run.run_id)
            except RawFileError as exc:
                raise Failure(
                    description=str(exc), metadata={"file": exc.path, "problem": exc.problem}
                ) from exc
            ok, counts = reconcile(con, source, partition or UNPARTITIONED)
            row = _lineage(context, con, source, report)
            lineage.record(con, [row])
        context.log.info(
            f"{source.name} [{report.partition}]: read {report.rows_read}, valid "
            f"{report.rows_valid}, rejected {report.rows_rejected}"
        )
        return MaterializeResult(
            metadata={**_metadata(report), **row.metadata()},
            check_results=[
                AssetCheckResult(
                    check_name=RECONCILE_CHECK,
                    passed=ok,
                    metadata=counts,
                    severity=AssetCheckSeverity.ERROR,
                )
            ],
        )

    return _raw_asset


RAW_ASSETS = [build_raw_asset(source) for source in SOURCES.values()]
