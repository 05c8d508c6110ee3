"""Jobs: the raw layer by partitioning (a job holds one partitions definition), and the
end-to-end yearly (capacity) and period (attainment) jobs the schedules and sensor launch."""

from dagster import AssetSelection, define_asset_job

from assets.publication import gx_mart_checks
from assets.raw import raw_key
from assets.warehouse import attainment_models, capacity_models, warehouse_models
from schemas import SOURCES


def _selection(partitioning):
    return AssetSelection.assets(
        *[raw_key(s.name) for s in SOURCES.values() if s.partitioning == partitioning]
    )


raw_reference_job = define_asset_job(
    "raw_reference",
    selection=_selection(None),
    description="Load the agreement's reference tables and territory policies.",
)
raw_yearly_job = define_asset_job(
    "raw_yearly",
    selection=_selection("year"),
    description="Load one year's RPLS vintage, OPS survey and landlords' plans.",
)
raw_sne_job = define_asset_job(
    "raw_sne",
    selection=_selection("sne_period"),
    description="Load one SNE extract period (a year, or a quarter 2025T1...).",
)
attainment_job = define_asset_job(
    "attainment",
    selection=_selection("sne_period")
    | AssetSelection.assets(*warehouse_models.keys)
    | AssetSelection.assets(*attainment_models.keys),
    description="An SNE period end to end: its extracts, the warehouse, then quotas, ACD "
    "indicators, refusals and demand pressure of the period (year, or quarter to date).",
)
capacity_job = define_asset_job(
    "capacity",
    selection=_selection("year")
    | AssetSelection.assets(*warehouse_models.keys)
    | AssetSelection.assets(*capacity_models.keys),
    description="A year end to end: its register vintage and plans, the warehouse, then the "
    "perimeter, capacity and objectives of the year.",
)

publication_job = define_asset_job(
    "publication",
    selection=AssetSelection.groups("publication") | AssetSelection.checks(gx_mart_checks),
    description="What leaves the warehouse: GX checks on the marts (and their Data Docs), the "
    "Parquet exports and the territorial sheets, after the yearly or quarterly run.",
)

JOBS = [
    raw_reference_job,
    raw_yearly_job,
    raw_sne_job,
    attainment_job,
    capacity_job,
    publication_job,
]
