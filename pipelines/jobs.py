"""The jobs of the code location. ``attrib`` is the main one: every asset, from the raw files to
the publication, in the order of the asset graph, over one extract period or a range of them;
the others are parts of it, for re-running one stage."""

from dagster import AssetSelection, define_asset_job

from assets.publication import GX_CHECK, gx_mart_checks
from assets.raw import raw_key

# every job ends with published_warehouse: readers see a whole run or the previous one
PUBLISH = AssetSelection.groups("publish")
SCENARIO = AssetSelection.groups("scenario")  # only on a scenario's warehouse
EVERYTHING = (AssetSelection.all() - SCENARIO) | AssetSelection.checks(gx_mart_checks)
WAREHOUSE = AssetSelection.groups("staging", "intermediate", "marts", "reference", "docs") | PUBLISH
PUBLICATION = AssetSelection.groups("publication") | AssetSelection.checks(gx_mart_checks) | PUBLISH

attrib_job = define_asset_job(
    "attrib",
    selection=EVERYTHING,
    description="The whole build, one run: the agreement's reference tables and territory "
    "policies, the raw extracts of the run's periods (each key of the range that has files), "
    "then every dbt model with its tests (capacity of every year the plans cover, fragility of "
    "every survey, quotas and indicators of every SNE period, reconciliation, concentration), "
    "the docs site, and the publication (GX checks, Parquet exports, territorial sheets). A "
    "failed step skips what depends on it: nothing is published from incomplete data.",
)
raw_job = define_asset_job(
    "raw",
    selection=AssetSelection.groups("raw") | PUBLISH,
    description="Only the raw layer: validate and load the extracts of the run's periods.",
)
warehouse_job = define_asset_job(
    "warehouse",
    selection=WAREHOUSE,
    description="Only dbt: rebuild every model and the docs site from the loaded raw layer.",
)
publication_job = define_asset_job(
    "publication",
    selection=PUBLICATION,
    description="Only what leaves the warehouse: GX checks on the marts (and their Data Docs), "
    "the Parquet exports and the territorial sheets.",
)

# a quarter of SNE changes only what is downstream of the SNE: its raw tables, the demand and
# decision facts, the period marts (quotas, indicators, pressure), the summaries that read them,
# the docs and the publication
SNE_QUARTER = AssetSelection.assets(raw_key("sne_demandes"), raw_key("sne_attributions"))
quarterly_job = define_asset_job(
    "quarterly",
    selection=(SNE_QUARTER.downstream() - SCENARIO) | PUBLISH,
    description="One new quarter of the SNE on top of the warehouse: its demands and decisions, "
    "then only the models downstream of the SNE for that period (the capacity and fragility "
    "models are not rebuilt), their tests and GX suites, the docs and the publication. "
    "`attrib run --years 2026T3` and the quarterly schedule run it.",
)

# a scenario (attrib scenario run): on a copy of the baseline whose raw tables carry the
# changes, the dbt models downstream of the changed tables (the run selects them among these),
# the diff against the baseline and the publication of the scenario's warehouse
MODELS = AssetSelection.groups("staging", "intermediate", "marts", "reference")
scenario_job = define_asset_job(
    "scenario",
    # the dbt tests run with their models; the GX suites check what is published to readers,
    # which a scenario is not
    selection=(MODELS | SCENARIO | PUBLISH) - AssetSelection.checks(gx_mart_checks),
    description="A what-if scenario on its own warehouse (a copy of the baseline with the "
    "scenario's changes in its raw tables): the dbt models downstream of the changed tables, "
    "with their tests, then marts.scenario_diff and the publication of the scenario. `attrib "
    "scenario run NAME --changes FILE` runs it; it never touches the baseline.",
)

JOBS = [attrib_job, raw_job, warehouse_job, publication_job, quarterly_job, scenario_job]


def scenario_selection(defs, changed_sources) -> tuple[set, set]:
    """The assets a scenario run builds: the dbt models downstream of the raw tables its
    changes edited (the others keep the baseline's rows in the copy), the diff, the
    publication; and their checks, the dbt tests but not the GX suites of published results."""
    chosen = SCENARIO | PUBLISH  # an empty scenario: only its diff (all zero)
    if changed_sources:
        changed = AssetSelection.assets(*(raw_key(s) for s in changed_sources))
        chosen |= (changed.downstream() - changed) & MODELS
    graph = defs.resolve_asset_graph()
    assets = set(chosen.resolve(graph))
    checks = {
        check
        for check in graph.asset_check_keys
        if check.asset_key in assets and check.name != GX_CHECK
    }
    return assets, checks
