"""The last step of every job: publish what the run built (core/publishing.py).

``published_warehouse`` depends on every other asset, so it runs after all of them and is
skipped when any of them failed (or a blocking check failed): readers keep the previous
complete run, byte for byte, and the run says what it did not publish.
"""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from assets.publication import PUBLICATION_ASSETS
from assets.raw import RAW_ASSETS
from assets.scenario import SCENARIO_ASSETS
from assets.warehouse import dbt_docs_site, warehouse_models
from core import publishing
from core.resources import Warehouse

BUILT = [*RAW_ASSETS, warehouse_models, dbt_docs_site, *PUBLICATION_ASSETS, *SCENARIO_ASSETS]
PUBLISHED_KEY = AssetKey(["published_warehouse"])


@asset(
    key=PUBLISHED_KEY,
    deps=[key for assets_def in BUILT for key in assets_def.keys],
    group_name="publish",
    kinds={"duckdb"},
    description="Publishes the run's build as one: the DuckDB file analysts open (checkpointed, "
    "renamed over the published one), then the exports, sheets and docs the run rebuilt. Runs "
    "only when every step before it succeeded; until then readers see the previous run.",
)
def published_warehouse(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    context.log.info(
        f"publishing run {context.run.run_id} into {warehouse.layout.home}",
        extra={"progress": True},
    )
    warehouse.area  # noqa: B018 - a job that wrote nothing still publishes a copy of the last
    paths = publishing.publish(warehouse.layout, context.run.run_id)
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(warehouse.layout.database)),
            "published": MetadataValue.md("\n".join(f"- `{p}`" for p in paths)),
        }
    )
