"""Jobs over the raw layer, one per partitioning (a job holds one partitions definition)."""

from dagster import AssetSelection, define_asset_job

from assets.raw import raw_key
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

JOBS = [raw_reference_job, raw_yearly_job, raw_sne_job]
