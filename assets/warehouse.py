"""The dbt models of the warehouse (staging, intermediate, marts) as Dagster assets, their
tests as asset checks, and the dbt docs site."""

import json
import shutil
from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

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
    settings.export_for_dbt(Path(warehouse.path))
    yield from dbt.cli(["build"], context=context).stream()


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
        settings.export_for_dbt(Path(warehouse.path))
        command = ["build", *partition_vars(variable, context.partition_key)]
        yield from dbt.cli(command, context=context).stream()

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
    settings.export_for_dbt(Path(warehouse.path))
    yield from dbt.cli(["build"], context=context).stream()


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
