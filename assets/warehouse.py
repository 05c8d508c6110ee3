"""The dbt models of the warehouse (staging, intermediate, marts) as Dagster assets, their
tests as asset checks, and the dbt docs site."""

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, Output, asset
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from audit import lineage
from audit.dbt_lineage import manifest
from ingestion.warehouse import ensure_all_tables
from pipelines import settings
from pipelines.dbt_project import dbt_project
from pipelines.partitions import sne_period_partitions, yearly_partitions
from pipelines.resources import Warehouse


class WarehouseTranslator(DagsterDbtTranslator):
    """Models keyed by warehouse schema (``marts/fct_demand``), grouped by folder; sources keep
    the default ``raw_validated/<table>``, the keys of the raw assets, so the graph runs from
    file to mart in one line."""

    def get_asset_key(self, dbt_resource_props) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props) -> str:
        return dbt_resource_props["schema"]


def build_with_lineage(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse, command: list[str]
) -> Iterator:
    """Run dbt, then record one ``audit.lineage`` row per model built and add the same facts to
    its materialisation. dbt holds the warehouse's single write lock while it runs, so the
    events are gathered first and the lineage written once dbt has exited."""
    started = dt.datetime.now()
    settings.export_for_dbt(Path(warehouse.path))
    events = list(dbt.cli(command, context=context).stream())
    built = {
        context.asset_key_for_output(e.output_name): e for e in events if isinstance(e, Output)
    }
    partition = context.partition_key if context.has_partition_key else None
    with warehouse.connect() as con:
        version = lineage.parameters_version(con)  # one step reads one set of parameters
        rows = {
            key: _model_lineage(context, con, key, built, started, partition, version)
            for key in built
        }
        lineage.record(con, rows.values())
    for event in events:
        if isinstance(event, Output):
            row = rows[context.asset_key_for_output(event.output_name)]
            event = event.with_metadata({**event.metadata, **row.metadata()})
        yield event


def _model_lineage(
    context, con, key: AssetKey, built: dict, started, partition, parameters_version: str
) -> lineage.LineageRow:
    dbt_manifest = manifest()
    uid = dbt_manifest.model_id(*key.path)
    sql_path, sql_hash = dbt_manifest.sql(uid)
    files = lineage.current_files(con, dbt_manifest.raw_sources(uid))
    files += [
        {
            "source": "dbt seed",
            "partition": None,
            "path": str(p.relative_to(settings.PROJECT_ROOT)),
            "bytes": p.stat().st_size,
            "sha256": lineage.file_sha256(p),
            "rows_read": None,
            "loaded_by_run": context.run.run_id,
        }
        for p in dbt_manifest.seed_files(uid)
    ]
    upstream = lineage.upstream_runs(
        context.instance, context.assets_def.asset_deps[key], context.run.run_id, built
    )
    (rows_out,) = con.execute(f"SELECT count(*) FROM {key.path[0]}.{key.path[1]}").fetchone()
    return lineage.LineageRow(
        run_id=context.run.run_id,
        asset_key=key.to_user_string(),
        partition=partition,
        kind=uid.split(".")[0].replace("model", "dbt model").replace("seed", "dbt seed"),
        started_at=started,
        input_files=files,
        upstream_assets=upstream,
        parameters_version=parameters_version,
        dbt_model=uid,
        model_sql_path=sql_path,
        model_sql_sha256=sql_hash,
        rows_out=rows_out,
    )


YEARLY = "tag:yearly"
SUMMARY = "tag:summary"
SURVEY = "tag:survey"
PERIOD = "tag:period"
TRANSLATOR = WarehouseTranslator()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=TRANSLATOR,
    name="warehouse_models",
    exclude=f"{YEARLY} {SUMMARY} {PERIOD} {SURVEY}",
)
def warehouse_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
    """Staging, intermediate and the dimension and fact marts (unpartitioned)."""
    ensure_all_tables(Path(warehouse.path))
    yield from build_with_lineage(context, dbt, warehouse, ["build"])


def partition_vars(variable: str, partition_key: str) -> list[str]:
    """dbt arguments passing a partition key to the models as a var."""
    value = int(partition_key) if partition_key.isdigit() else partition_key
    return ["--vars", json.dumps({variable: value})]


def partitioned_models(name: str, select: str, partitions_def, variable: str, doc: str):
    """A partitioned group of dbt models: each run builds them for its partition's key."""

    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        dagster_dbt_translator=TRANSLATOR,
        name=name,
        select=select,
        partitions_def=partitions_def,
    )
    def _models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
        command = ["build", *partition_vars(variable, context.partition_key)]
        yield from build_with_lineage(context, dbt, warehouse, command)

    _models.__doc__ = doc
    return _models


capacity_models = partitioned_models(
    "capacity_models",
    YEARLY,
    yearly_partitions,
    "capacity_year",
    "Perimeter, weights, rotation, capacity, sale share, DALO share and objectives of one year "
    "(ACD annex 3); each run replaces the rows of its year.",
)
fragility_models = partitioned_models(
    "fragility_models",
    SURVEY,
    yearly_partitions,
    "survey_year",
    "Households' fragility, residences and communes by level and criterion, priority "
    "residences and the first-quartile capacity of residences, for one OPS survey year.",
)
attainment_models = partitioned_models(
    "attainment_models",
    PERIOD,
    sne_period_partitions,
    "period",
    "Quota attainment, ACD indicators, refusals and demand pressure of one SNE period (a year, "
    "or a quarter year to date); each run replaces the rows of its period.",
)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=TRANSLATOR,
    name="summary_models",
    select=SUMMARY,
)
def summary_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse):
    """Marts across partitions: the published tables reconciled with the computed objectives,
    and the concentration of attributions in fragile residences."""
    yield from build_with_lineage(context, dbt, warehouse, ["build"])


MART_KEYS = [
    AssetKey(["marts", name])
    for name in (
        "dim_commune",
        "dim_territory",
        "dim_landlord",
        "dim_residence",
        "dim_qpv",
        "fct_dwelling_stock",
        "fct_demand",
        "fct_attribution",
        "fct_occupancy",
    )
]


@asset(
    key=AssetKey(["docs", "dbt_docs_site"]),
    deps=MART_KEYS,
    group_name="docs",
    kinds={"dbt"},
    description="The dbt docs site (every model, column and lineage) in warehouse/docs/dbt.",
)
def dbt_docs_site(dbt: DbtCliResource, warehouse: Warehouse) -> MaterializeResult:
    target = Path(warehouse.path).parent / "docs" / "dbt"
    settings.export_for_dbt(Path(warehouse.path))
    build = Path(warehouse.path).parent / ".dbt_docs_target"
    dbt.cli(
        ["--quiet", "docs", "generate", "--target-path", str(build)], raise_on_error=True
    ).wait()
    target.mkdir(parents=True, exist_ok=True)
    for name in ("index.html", "manifest.json", "catalog.json"):
        shutil.copyfile(build / name, target / name)
    return MaterializeResult(metadata={"path": str(target / "index.html")})
