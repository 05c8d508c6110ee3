"""What leaves the warehouse: the Great Expectations checks on the marts (with their Data Docs),
the Parquet exports of the aggregated marts and the territorial sheets, both with small counts
suppressed (``publication/policy.yml``)."""

import datetime as dt
from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset_check,
)

from audit import lineage
from audit.dbt_lineage import manifest
from core.resources import Warehouse
from publication.exports import export_marts
from publication.sheets import carry_sheets, record_sheets, sheet_year, stamp, write_sheets
from publication.suppression import policy
from quality.gx_suites import run_suites, suites

GX_CHECK = "gx_results"
GX_OP = "gx_mart_checks"  # the step that runs every suite


def mart_key(mart: str) -> AssetKey:
    return AssetKey(["marts", mart])


def docs_dir(warehouse: Warehouse) -> Path:
    return warehouse.area.docs / "gx"


def publication_lineage(
    context: AssetExecutionContext, warehouse: Warehouse, started: dt.datetime, marts: list[str]
) -> lineage.LineageRow:
    """Record what a publication read: the marts (and the runs that built them) and, through
    them, the raw files."""
    upstream = lineage.upstream_runs(
        context.instance, [mart_key(m) for m in marts], context.run.run_id
    )
    sources = set()
    for mart in marts:
        uid = manifest().model_id("marts", mart)
        sources |= set(manifest().raw_sources(uid)) if uid else set()
    with warehouse.connect() as con:
        row = lineage.LineageRow(
            run_id=context.run.run_id,
            asset_key=context.asset_key.to_user_string(),
            partition=None,
            kind="publication",
            started_at=started,
            input_files=lineage.current_files(con, sources),
            upstream_assets=upstream,
            parameters_version=lineage.parameters_version(con),
        )
        lineage.record(con, [row])
    return row


@multi_asset_check(
    specs=[
        AssetCheckSpec(
            GX_CHECK,
            asset=mart_key(mart),
            blocking=True,  # a failed suite stops the publication of the run
            description="Great Expectations suite on the published results (quality/"
            "expectations.yml): " + "; ".join(e["notes"].strip() for e in expectations),
        )
        for mart, expectations in suites().items()
    ],
    name=GX_OP,
    can_subset=True,
)
def gx_mart_checks(context: AssetCheckExecutionContext, warehouse: Warehouse):
    """Validate the marts with GX; write the Data Docs site into the warehouse's docs/gx."""
    site = docs_dir(warehouse)
    selected = {key.asset_key.path[-1] for key in context.selected_asset_check_keys}
    results = run_suites(warehouse.database, site, only=selected, run_name=context.run.run_id)
    for result in results:
        lines = [result.skipped] if result.skipped else [o.plain() for o in result.outcomes]
        failed = [o for o in result.outcomes if not o.success]
        yield AssetCheckResult(
            asset_key=mart_key(result.mart),
            check_name=GX_CHECK,
            passed=result.success,
            severity=AssetCheckSeverity.ERROR,
            metadata={
                "expectations": len(result.outcomes),
                "failed": len(failed),
                "in_plain_words": MetadataValue.md("\n".join(f"- {line}" for line in lines)),
                "report": MetadataValue.path(str(site / "report.html")),
                "data_docs": MetadataValue.path(str(site / "index.html")),
            },
        )


def rebuilt_years(scope: dict | None) -> set[int] | None:
    """The years a restricted dbt build computed again (its backfill years and the years of
    its SNE periods); None for a whole build or none: every year may have changed."""
    if not scope:
        return None
    return {int(y) for y in scope.get("years", [])} | {
        int(str(p)[:4]) for p in scope.get("period_keys", [])
    }


@asset(
    key=AssetKey(["publication", "parquet_exports"]),
    deps=[mart_key(m) for m in policy().marts],
    group_name="publication",
    kinds={"parquet"},
    description="Every aggregated mart as Parquet in the warehouse's exports/ folder, small counts "
    "suppressed, with manifest.json documenting columns, grain and suppression. Row-level "
    "facts are never exported.",
)
def parquet_exports(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    started = dt.datetime.now()
    out = warehouse.area.exports
    this_run = context.run.run_id
    # not rebuilt by this run (a quarterly run): the published export still holds
    built_by = lineage.latest_runs(context.instance, [mart_key(m) for m in policy().marts])
    unchanged = {m for m in policy().marts if built_by.get(mart_key(m)) != this_run}
    with warehouse.connect() as con:
        reports = export_marts(
            con,
            out,
            run_id=this_run,
            previous=warehouse.layout.exports,
            unchanged=unchanged,
            rebuilt_years=rebuilt_years(lineage.build_scope(con, this_run)),
        )
    row = publication_lineage(context, warehouse, started, list(policy().marts))
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(out)),
            "files": len(reports),
            "carried_over": MetadataValue.md(
                ", ".join(sorted(r.mart for r in reports if r.carried)) or "none"
            ),
            "cells_suppressed": sum(r.cells_suppressed for r in reports),
            "small_count_threshold": policy().threshold,
            **row.metadata(),
        }
    )


SHEET_MARTS = [
    "dim_territory",
    "dim_commune",
    "fct_dwelling_stock",
    "capacity_objectives",
    "quota_attainment",
    "acd_indicators",
    "demand_pressure",
    "fragility_commune",
    "priority_residences",
]


@asset(
    key=AssetKey(["publication", "territorial_sheets"]),
    # the published (suppressed) tables the exports step writes: a sheet hides what they hide
    deps=[mart_key(m) for m in SHEET_MARTS] + [AssetKey(["publication", "parquet_exports"])],
    group_name="publication",
    kinds={"html"},
    description="One territorial sheet (fiche territoriale) per territory for the latest full "
    "SNE year, in French: self-contained HTML with charts and an XLSX workbook of the same "
    "tables, in the warehouse's reports/ folder, hiding what the published tables hide.",
)
def territorial_sheets(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    started = dt.datetime.now()
    out = warehouse.area.reports
    this_run = context.run.run_id
    written_by = stamp(sheet_year(warehouse.database))
    # a quarterly run leaves the sheets' year as it was: the previous sheets still hold
    with warehouse.connect() as con:
        years = rebuilt_years(lineage.build_scope(con, this_run))
    built_by = lineage.latest_runs(context.instance, [mart_key(m) for m in SHEET_MARTS])
    rebuilt = [m for m in SHEET_MARTS if built_by.get(mart_key(m)) == this_run]
    unchanged = (
        years is not None
        and written_by["year"] not in years
        and all(m in policy().marts and "year" in policy().marts[m].apart for m in rebuilt)
    )
    sheets = carry_sheets(warehouse.layout.reports, out, written_by) if unchanged else None
    carried = sheets is not None
    if not carried:
        sheets = write_sheets(warehouse.database, out, run_id=this_run)
        record_sheets(out, sheets, written_by, this_run)
    row = publication_lineage(context, warehouse, started, SHEET_MARTS)
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(out)),
            "sheets": MetadataValue.md(
                "\n".join(f"- {s.territory_name} {s.year}: `{s.path.name}`" for s in sheets)
            ),
            # kept from the previous publication: no row of their year changed in this run
            "carried_over": carried,
            **row.metadata(),
        }
    )


PUBLICATION_ASSETS = [parquet_exports, territorial_sheets]
