"""The code location loaded by ``dagster dev`` (workspace.yaml) and by ``attrib run``."""

from dagster import Definitions, in_process_executor

from assets.publication import PUBLICATION_ASSETS, gx_mart_checks
from assets.raw import RAW_ASSETS
from assets.warehouse import (
    attainment_models,
    capacity_models,
    dbt_docs_site,
    fragility_models,
    summary_models,
    warehouse_models,
)
from pipelines.jobs import JOBS
from pipelines.resources import build_resources
from pipelines.schedules import SCHEDULES
from pipelines.sensors import SENSORS


def build_definitions(raw_dir=None, warehouse=None) -> Definitions:
    # in process: DuckDB allows one writer per file, so steps must not run in parallel
    return Definitions(
        assets=[
            *RAW_ASSETS,
            warehouse_models,
            capacity_models,
            summary_models,
            attainment_models,
            fragility_models,
            dbt_docs_site,
            *PUBLICATION_ASSETS,
        ],
        asset_checks=[gx_mart_checks],
        jobs=JOBS,
        schedules=SCHEDULES,
        sensors=SENSORS,
        resources=build_resources(raw_dir, warehouse),
        executor=in_process_executor,
    )


defs = build_definitions()
