"""``attrib scenario run NAME --changes FILE`` and ``attrib scenario diff NAME``: a what-if
scenario on its own warehouse beside the baseline, built by the code location's ``scenario``
job, and its differences from the baseline, largest first (docs/scenarios.md)."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from core import settings
from core.connection import connect
from core.layout import Layout
from core.settings import DuckDBLimits, Settings


def _settings(base: Path, name: str) -> Settings:
    return Settings(
        raw_dir=settings.raw_dir(),
        layout=Layout(Layout(base).scenario(name)),
        limits=DuckDBLimits.from_environment(),
    )


def run_scenario(args: argparse.Namespace) -> int:
    from whatif import changes
    from whatif.prepare import prepare

    started = time.perf_counter()
    base = settings.warehouse_path(args.base)
    try:
        scenario = changes.load(Path(args.changes), args.name)
        target = prepare(base, scenario)
    except (changes.ChangeError, OSError) as exc:
        print(f"error: {exc}\nNothing was written.")
        return 2
    sources = tuple(sorted({c.source for c in scenario.changes}))
    print(
        f"Scenario {scenario.name}: {len(scenario.changes)} change(s) of {args.changes} "
        f"(sha256 {scenario.sha256}) on {base}, into {target}"
    )
    from pipelines.build_plan import RunPlan
    from pipelines.runner import run  # Dagster: imported for a run only

    plan = RunPlan("scenario", "all", "all", changed_sources=sources)
    code = run(_settings(base, scenario.name), plan)
    if code != 0:
        print(f"The scenario {scenario.name} failed: its warehouse {target} is not usable.")
        return code
    print(f"\nScenario {scenario.name} computed in {time.perf_counter() - started:.1f} s.")
    return show_diff(base, scenario.name, args.top)


def fit(text: str, width: int) -> str:
    """A name cut to a column's width says it is cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def show_diff(base: Path, name: str, most: int) -> int:
    from whatif import diff
    from whatif.changes import pairs

    database = Layout(base).scenario(name)
    if not database.is_file():
        print(f"error: no scenario {name!r} beside {base} (attrib scenario run {name} ...)")
        return 2
    con = connect(database, read_only=True)
    try:
        rows = diff.largest(con, most)
        (differ,) = con.execute(
            "SELECT count(*) FROM marts.scenario_diff WHERE abs(difference) > 1e-9"
        ).fetchone()
        listed = con.execute(
            "SELECT change_id, action, source, key, current, new, reason FROM scenario.changes "
            "ORDER BY change_id"
        ).fetchall()
    finally:
        con.close()
    print(f"Scenario {name} ({database}): {differ} figure(s) differ from the baseline.")
    for change_id, action, source, key, current, new, reason in listed:
        print(f"  {change_id} {action} {source} {pairs(json.loads(key))}")
        if action == "set":
            was = {**json.loads(key), **json.loads(current)}
            moved = [f"{c} {was.get(c, '?')} -> {v}" for c, v in json.loads(new).items()]
            print(f"     {', '.join(moved)}")
        print(f"     reason: {reason}")
    if rows:
        print(f"\nLargest differences (of {differ}; marts.scenario_diff holds them all):")
        print(
            f"  {'measure':<20} {'year/period':<11} {'landlord':<26} {'territory':<24} "
            f"{'baseline':>10} {'scenario':>10} {'diff':>9}  changes"
        )
    for r in rows:
        when = r["period"] or str(r["year"])
        who = r["landlord_name"] or (
            f"{r['quota']} {r['reservation_holder']}" if r["quota"] else ""
        )

        def number(value) -> str:
            return "-" if value is None else f"{value:,.3f}".rstrip("0").rstrip(".")

        where = fit(r["territory_name"] or "", 24)
        print(
            f"  {r['measure']:<20} {when:<11} {fit(who, 26):<26} {where:<24} "
            f"{number(r['baseline']):>10} {number(r['scenario']):>10} "
            f"{number(r['difference']):>9}  {', '.join(r['changes'] or [])}"
        )
    return 0


def sheet_command(args: argparse.Namespace) -> int:
    from publication.scenario_sheet import write_scenario_sheet

    base = settings.warehouse_path(args.base)
    database = Layout(base).scenario(args.name)
    if not database.is_file():
        print(f"error: no scenario {args.name!r} beside {base} (attrib scenario run ...)")
        return 2
    try:
        path = write_scenario_sheet(database, args.territory, args.year, Layout(database).reports)
    except ValueError as exc:
        print(f"error: {exc}")
        return 2
    print(f"{path} and its workbook {path.with_suffix('.xlsx').name}")
    return 0


def diff_command(args: argparse.Namespace) -> int:
    return show_diff(settings.warehouse_path(args.base), args.name, args.top)


def add_parser(sub) -> None:
    scenario = sub.add_parser(
        "scenario",
        help="what-if scenarios of the agreement's revision clauses, beside the baseline",
        description="attrib scenario run NAME --changes FILE: apply the changes (YAML, see "
        "scenarios/) to a copy of the baseline warehouse and rebuild what depends on them; "
        "attrib scenario diff NAME: the differences from the baseline, largest first; "
        "attrib scenario sheet NAME --territory T: its territorial sheet, side by side.",
    )
    verbs = scenario.add_subparsers(dest="verb", required=True)
    run_verb = verbs.add_parser("run", help="compute a scenario")
    run_verb.add_argument("name", help="the scenario's name (its warehouse's file name)")
    run_verb.add_argument("--changes", required=True, help="the changes file (YAML)")
    diff_verb = verbs.add_parser("diff", help="a computed scenario's differences")
    diff_verb.add_argument("name")
    for verb in (run_verb, diff_verb):
        verb.add_argument("--base", help="baseline warehouse (default as for attrib run)")
        verb.add_argument("--top", type=int, default=20, help="differences listed (default 20)")
    sheet_verb = verbs.add_parser(
        "sheet", help="the territorial sheet of a scenario: baseline and scenario side by side"
    )
    sheet_verb.add_argument("name")
    sheet_verb.add_argument("--territory", required=True, help="name or id")
    sheet_verb.add_argument("--year", type=int, help="default: the first year that differs")
    sheet_verb.add_argument("--base", help="baseline warehouse (default as for attrib run)")
    run_verb.set_defaults(func=run_scenario)
    diff_verb.set_defaults(func=diff_command)
    sheet_verb.set_defaults(func=sheet_command)
