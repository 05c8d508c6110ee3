"""The scenario's own asset: ``marts.scenario_diff``, the scenario's figures beside the
baseline's. Only the ``scenario`` job builds it, on a scenario's warehouse (``attrib scenario
run``), after the dbt models downstream of the changed raw tables."""

import datetime as dt

from dagster import AssetExecutionContext, AssetKey, Failure, MaterializeResult, asset

from audit import lineage
from core.resources import Warehouse
from whatif import diff
from whatif.changes import CHANGES_TABLE

SCENARIO_DIFF = AssetKey(["marts", "scenario_diff"])


@asset(
    key=SCENARIO_DIFF,
    deps=[AssetKey(["marts", mart]) for mart in diff.BASELINE_MARTS],
    group_name="scenario",
    kinds={"duckdb"},
    description="A scenario beside its baseline: objective, capacity and perimeter per landlord "
    "x territory x year, DALO sub-objective per landlord x year, quota target and gap per "
    "territory x period, with the difference and the changes that bear on it.",
)
def scenario_diff(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
    started = dt.datetime.now()
    with warehouse.connect() as con:
        (found,) = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'scenario' "
            "AND table_name = 'changes'"
        ).fetchone()
        if not found:
            raise Failure(
                description=f"{warehouse.layout.database} is not a scenario's warehouse (no "
                f"{CHANGES_TABLE}): run `attrib scenario run NAME --changes FILE`"
            )
        differ = diff.build(con)
        (name, base, sources) = con.execute(
            f"SELECT any_value(scenario), any_value(base), list(DISTINCT source) "
            f"FROM {CHANGES_TABLE}"
        ).fetchone()
        row = lineage.LineageRow(
            run_id=context.run.run_id,
            asset_key=SCENARIO_DIFF.to_user_string(),
            partition=None,
            kind="scenario diff",
            started_at=started,
            # one line per change: scenario:<changes file>#C<n>, with the file's sha256
            input_files=lineage.current_files(con, sources or [], "scenario"),
            upstream_assets=[{"asset_key": "baseline warehouse", "run_id": base}],
            parameters_version=lineage.parameters_version(con),
        )
        lineage.record(con, [row])
    return MaterializeResult(
        metadata={"scenario": name, "rows_that_differ": differ, **row.metadata()}
    )


SCENARIO_ASSETS = [scenario_diff]
