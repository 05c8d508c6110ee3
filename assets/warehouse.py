"""The dbt models of the warehouse (staging, intermediate, marts) as Dagster assets, their
tests as asset checks, and the dbt docs site.

One ``dbt build`` builds every model: the yearly (capacity), survey (fragility) and period
(attainment) models compute every key the raw layer holds, in one statement per model
(``dbt_project/macros/partition_keys.sql``), so a run starts one dbt process, not one per
partition. dbt runs with this warehouse's profile vars and one target folder per warehouse,
reused from run to run, and begun with the project's parse state (dbt's partial parsing then
skips the parse; core/dbt_process.py).
"""

import datetime as dt
import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    Config,
    Failure,
    MaterializeResult,
    Output,
    asset,
)
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from assets.publication import GX_OP
from audit import lineage
from audit.dbt_lineage import load_ahead, manifest, model_lineage_row
from core.connection import connect
from core.dbt_process import RUN_OPTION, SCOPE_OPTION
from core.dbt_project import (
    dbt_project,
    prepare_target,
    profile_vars,
    project_digest,
    unit_test_digest,
    vars_argument,
)
from core.resources import Warehouse
from ingestion.raw_validated import ensure_all_tables
from quality.gx_suites import warm_up


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


class BuildConfig(Config):
    """Which keys the yearly, survey and period models compute: every loaded one by default;
    ``years`` limits them to a backfill's years, ``periods`` names SNE periods (a quarter to
    date computed from a yearly extract, for instance)."""

    years: list[int] | None = None
    periods: list[str] | None = None

    def scope(self) -> dict:
        """What the build computes (dbt_project/macros/partition_keys.sql, scope): empty for a
        whole build."""
        values: dict = {}
        if self.years:
            values["years"] = sorted(self.years)
        if self.periods:
            values["period_keys"] = sorted(self.periods)
        return values

    def describe(self) -> str:
        """The scope in words, for the run's progress lines."""
        words = {
            "years": "years {} only",
            "period_keys": "periods {} and the later quarters "
            "of their year already loaded (year to date: they count them)",
        }
        scope = self.scope()
        if not scope:
            return "every loaded year, survey and period (a whole build: --full-refresh)"
        return "; ".join(words[k].format(", ".join(map(str, v))) for k, v in scope.items())

    def build_args(self, unit_tests: bool = True) -> list[str]:
        """``dbt build`` with its scope, or, for a whole build, ``--full-refresh``: the
        incremental models are created anew from every loaded key, without a delete+insert of
        every key over a copy of them. A restricted build leaves out the unit tests when
        ``unit_tests`` is false (a build passed them under the same unit-test digest); a whole
        build runs them all."""
        scope = self.scope()
        if not scope:
            return ["build", "--full-refresh"]
        args = ["build", SCOPE_OPTION, json.dumps(scope, sort_keys=True)]
        return args if unit_tests else [*args, "--exclude-resource-type", "unit_test"]


def run_dbt(dbt: DbtCliResource, warehouse: Warehouse, args: list[str], context=None):
    """One dbt invocation on this run's building copy: its profile vars, its own target
    folder."""
    warehouse.area  # noqa: B018 - begun before dbt opens it
    target = prepare_target(warehouse.layout, warehouse.limits)
    values = profile_vars(warehouse.layout, warehouse.limits)
    return dbt.cli([*args, *vars_argument(values)], context=context, target_path=target)


def build_with_lineage(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: Warehouse,
    args: list[str],
    project: str,
    scope: dict | None = None,
    unit_tests_digest: str | None = None,
) -> Iterator:
    """Run dbt, then record one ``audit.lineage`` row per model built and add the same facts to
    its materialisation. dbt holds the warehouse's single write lock while it runs, so the
    events are gathered first and the lineage written once dbt has exited. ``project``: the
    dbt project's digest, taken before dbt starts, as ``unit_tests_digest`` (when this build
    runs every unit test, what they ran under); both go to audit.dbt_builds."""
    started = dt.datetime.now()
    log = warehouse.layout.dbt_target / "dbt.log"
    log.unlink(missing_ok=True)  # dbt's own log of this build only (it appends otherwise)
    try:
        events = list(run_dbt(dbt, warehouse, [*args, RUN_OPTION], context).stream())
    except Exception as exc:  # dagster-dbt's message says only that the process failed
        errors = dbt_errors(warehouse.layout.dbt_target, warehouse.database)
        raise Failure(description=errors or str(exc)) from exc
    finally:
        keep_build_results(warehouse.layout.dbt_target)
    built = {
        context.asset_key_for_output(e.output_name): e for e in events if isinstance(e, Output)
    }
    with warehouse.connect() as con:
        version = lineage.parameters_version(con)  # one run reads one set of parameters
        upstream = {u for key in built for u in context.assets_def.asset_deps[key]} - set(built)
        latest = lineage.latest_runs(context.instance, upstream)
        rows = {
            key: _model_lineage(context, con, key, built, started, version, latest) for key in built
        }
        lineage.record(con, rows.values())
        lineage.record_build(con, context.run.run_id, project, scope, unit_tests_digest)
    for event in events:
        if isinstance(event, Output):
            row = rows[context.asset_key_for_output(event.output_name)]
            event = event.with_metadata({**event.metadata, **row.metadata()})
        yield event


BUILD_RESULTS = "build_results.json"


def keep_build_results(target: Path) -> None:
    """Keep the build's run results (each model's and test's status and seconds) as
    ``build_results.json``: the docs step's ``dbt docs generate`` writes its own
    ``run_results.json`` over them."""
    results = target / "run_results.json"
    if results.exists():
        shutil.copyfile(results, target / BUILD_RESULTS)


def failing_rows(database: Path, sql: str, most: int = 3) -> str:
    """The first rows a failed dbt test returns (what failed, not only how many)."""
    import duckdb

    try:
        con = connect(Path(database), read_only=True)
        try:
            frame = con.execute(f"SELECT * FROM ({sql}) LIMIT {most}").df()
        finally:
            con.close()
    except duckdb.Error:
        return ""
    return "; ".join(
        ", ".join(f"{k}={v}" for k, v in row.items()) for row in frame.to_dict("records")
    )


def dbt_errors(target: Path, database: Path | None = None, most: int = 6) -> str:
    """What dbt said went wrong, from its run results (with the first failing rows of a failed
    test), else from the error lines of its log."""
    results = target / "run_results.json"
    lines = []
    if results.exists():
        for result in json.loads(results.read_text()).get("results", []):
            if result.get("status") in ("error", "fail"):
                message = [m.strip() for m in (result.get("message") or "").splitlines()]
                cause = next((m for m in message if "Error:" in m), message[0] if message else "")
                if result.get("status") == "fail" and database and result.get("compiled_code"):
                    rows = failing_rows(database, result["compiled_code"])
                    cause += f" (e.g. {rows})" if rows else ""
                lines.append(f"{result['unique_id']}: {cause or 'failed'}")
    log = target / "dbt.log"
    if not lines and log.exists():
        for raw in log.read_text(errors="replace").splitlines()[-400:]:
            try:
                entry = json.loads(raw)
            except ValueError:
                continue
            if entry.get("info", {}).get("level") == "error":
                lines.append(entry["info"].get("msg", "").strip().splitlines()[0])
    return " | ".join(line for line in lines[:most] if line)


def _model_lineage(
    context, con, key: AssetKey, built: dict, started, parameters_version: str, latest: dict
) -> lineage.LineageRow:
    uid = manifest().model_id(*key.path)
    upstream = lineage.upstream_runs(
        context.instance, context.assets_def.asset_deps[key], context.run.run_id, built, latest
    )
    kind = uid.split(".")[0].replace("model", "dbt model").replace("seed", "dbt seed")
    return model_lineage_row(
        con, uid, context.run.run_id, kind, started, parameters_version, upstream
    )


TRANSLATOR = WarehouseTranslator()
FINGERPRINT = "project.sha256"  # the dbt project files the site was generated from
# sites already generated for a version of the project (dbt's own target folder, not committed)
DOCS_CACHE = dbt_project.project_dir / "target" / "docs_sites"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=TRANSLATOR,
    name="warehouse_models",
)
def warehouse_models(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: Warehouse, config: BuildConfig
):
    """Every dbt model and seed, with its tests: staging, intermediate, the dimensions and
    facts, then capacity and objectives of every year the plans cover, fragility of every
    survey, quotas and indicators of every SNE period, the reconciliation and concentration."""
    # once, before dbt starts: the project it builds with and what its unit tests run under
    project = project_digest()
    digest = unit_test_digest(project)
    with warehouse.connect() as con:
        ensure_all_tables(con)
        # a restricted build (a quarterly run) leaves out the unit tests a build of this
        # warehouse passed under the same project, raw schemas and engines: they run the
        # models' SQL on rows they give, whatever rows the warehouse holds (France quarterly:
        # 1.5 s before its first demand model)
        proven = lineage.unit_tests_passed(con, digest) if config.scope() else None
    load_ahead()  # the manifest the lineage reads, parsed while dbt builds
    if runs_gx(context):
        warm_up()  # GX's start-up overlaps the dbt build
    # the scope is not in dbt's own log (core/dbt_process.py takes it off the command line)
    tests = ""
    if proven:
        tests = f"; unit tests left out: run {proven[:8]} passed them (same project and engines)"
    elif config.scope():
        tests = "; with the unit tests (no earlier build ran them under this project and engines)"
    context.log.info(f"dbt computes {config.describe()}{tests}", extra={"progress": True})
    yield from build_with_lineage(
        context,
        dbt,
        warehouse,
        config.build_args(unit_tests=proven is None),
        project,
        config.scope(),
        unit_tests_digest=digest if proven is None and not context.is_subset else None,
    )


def runs_gx(context: AssetExecutionContext) -> bool:
    """Whether this run's plan holds the GX suites' step (attrib, quarterly; not a scenario)."""
    steps = context.run.step_keys_to_execute
    return context.job_def.has_node_named(GX_OP) and (steps is None or GX_OP in steps)


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
        "acd_reconciliation",
        "attribution_concentration",
    )
]


@asset(
    key=AssetKey(["docs", "dbt_docs_site"]),
    deps=MART_KEYS,
    group_name="docs",
    kinds={"dbt"},
    description="The dbt docs site (every model, column and lineage) in the warehouse's "
    "docs/dbt folder.",
)
def dbt_docs_site(dbt: DbtCliResource, warehouse: Warehouse) -> MaterializeResult:
    site = warehouse.area.docs / "dbt"
    published = warehouse.layout.docs / "dbt"
    fingerprint = project_digest()
    # the site describes the project (models, columns, descriptions) and the relations it
    # builds, named after the warehouse file's catalog; the data does not change it (the
    # catalog of dbt-duckdb holds no statistics). So a site generated for the same project and
    # catalog name, by this warehouse or another one, is carried over
    cached = DOCS_CACHE / f"{fingerprint[:20]}-{warehouse.layout.database.stem}"
    for earlier in (published, cached):
        if (earlier / FINGERPRINT).is_file() and (
            (earlier / FINGERPRINT).read_text() == fingerprint
        ):
            shutil.copytree(earlier, site, dirs_exist_ok=True)
            return MaterializeResult(
                metadata={"path": str(site / "index.html"), "carried_over": str(earlier)}
            )
    # --static: one self-contained page that opens from the file (a browser blocks the JSON
    # files the default site fetches when opened from disk: it stays on "loading")
    run_dbt(dbt, warehouse, ["--quiet", "docs", "generate", "--static"]).wait()
    site.mkdir(parents=True, exist_ok=True)
    built = warehouse.layout.dbt_target
    shutil.copyfile(built / "static_index.html", site / "index.html")
    for name in ("manifest.json", "catalog.json"):
        shutil.copyfile(built / name, site / name)
    (site / FINGERPRINT).write_text(fingerprint)
    keep_site(site, cached)
    return MaterializeResult(metadata={"path": str(site / "index.html"), "carried_over": "no"})


def keep_site(site: Path, cached: Path) -> None:
    """Keep a generated site for other runs as ``cached``: copied beside it, then renamed, so
    that the run of another warehouse at the same time (or the test suite's other process)
    never carries over a half-copied site. When another run kept the same site first, its copy
    stays. A cache that cannot be written (a user who cannot write the project's folder) is
    not kept: the run's own site is whole all the same."""
    partial = cached.with_name(f".{cached.name}-{uuid.uuid4().hex}")
    try:
        partial.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(site, partial)
    except OSError:
        shutil.rmtree(partial, ignore_errors=True)
        return
    if cached.is_dir() and not (cached / FINGERPRINT).is_file():
        shutil.rmtree(cached, ignore_errors=True)  # half copied by an earlier version
    try:
        partial.rename(cached)
    except OSError:  # kept by another run meanwhile: the same project, the same site
        shutil.rmtree(partial, ignore_errors=True)
