"""``attrib``: the command line of the platform (``USAGE`` is what ``attrib --help`` shows)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from core import settings
from core.layout import Layout
from core.process_exit import exit_now

USAGE = """The command line of the social-housing attribution platform.

attrib run [--raw DIR] [--warehouse FILE] [--years 2023-2025 | 2026T3]
attrib generate --scale tiny --seed 42 --out raw/ [--bad-rows 0.01]
attrib explain <mart> --key column=value ... [--limit N]
attrib explain objective --year Y --landlord L --territory T [--lines]
attrib report [--territory T] [--year Y]
attrib dbt [--warehouse FILE] -- build --select marts.quota_attainment
attrib scenario run NAME --changes scenarios/NAME.yml | diff NAME | sheet NAME --territory T

Documentation: README.md and docs/ in the repository.
"""


def year_range(text: str) -> range | str:
    """'2023-2025' or '2025' -> the years, inclusive; '2026T3' -> that quarter."""
    if len(text) == 6 and text[4] == "T" and text[:4].isdigit() and text[5] in "1234":
        return text
    first, _, last = text.partition("-")
    try:
        start, end = int(first), int(last or first)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected YEAR or FIRST-LAST, got {text!r}") from exc
    if end < start:
        raise argparse.ArgumentTypeError(f"{text!r}: the last year is before the first")
    return range(start, end + 1)


def _generate(args: argparse.Namespace) -> int:
    from samples.generator import generate

    out = Path(args.out)
    print(f"Generating the {args.scale} sample (seed {args.seed}) into {out}")
    report = generate(out, args.scale, args.seed, args.bad_rows)
    rows = sum(report.files.values())
    print(
        f"{len(report.files)} files, {rows:,} rows, {report.injected:,} bad rows injected, "
        f"{report.seconds:.1f} s"
    )
    return 0


def _run(args: argparse.Namespace) -> int:
    from core.settings import Settings
    from pipelines.build_plan import annual_plan, keys_loaded, period_plan
    from pipelines.runner import run
    from samples.generator import generate, has_extracts

    resolved = Settings.resolve(args.raw, args.warehouse)
    raw_dir = resolved.raw_dir
    if not has_extracts(raw_dir):
        if settings.raw_dir_is_explicit(args.raw):
            what = "does not exist" if not raw_dir.exists() else "holds no RPLS, OPS or SNE extract"
            print(
                f"error: {raw_dir} {what}. Check the path (--raw or ATTRIB_RAW_DIR); sample "
                "data is generated only into the default raw/ (or write it with attrib generate)"
            )
            return 2
        print(
            f"{raw_dir} holds no RPLS, OPS or SNE extract: generating the {args.sample_scale} "
            f"sample (seed {args.seed}) first"
        )
        started = time.perf_counter()
        report = generate(raw_dir, args.sample_scale, args.seed, progress=lambda m: None)
        print(
            f"  {len(report.files)} files, {sum(report.files.values()):,} rows in "
            f"{time.perf_counter() - started:.1f} s"
        )
    try:
        if isinstance(args.years, str):
            plan = period_plan(args.years)
        else:
            plan = annual_plan(raw_dir, args.years, loaded=keys_loaded(resolved.warehouse))
    except Exception as exc:  # a landing zone that cannot be listed (two formats of one file)
        print(f"error: {exc}")
        return 1
    return run(resolved, plan)


def _explain(args: argparse.Namespace) -> int:
    from audit import explain, explain_objective
    from audit.explain_objective import ExplainError

    warehouse = settings.warehouse_path(args.warehouse)
    try:
        if args.mart == "objective":
            missing = [o for o in ("year", "landlord", "territory") if getattr(args, o) is None]
            if missing:
                raise ExplainError(f"objective needs --{', --'.join(missing)}")
            tree = explain_objective.explain_objective(
                warehouse, args.year, args.landlord, args.territory
            )
            module = explain_objective
        else:
            tree = explain.explain_row(
                warehouse, args.mart, args.key, settings.raw_dir(args.raw), args.limit
            )
            module = explain
    except ExplainError as exc:
        print(f"error: {exc}")
        return 2
    if args.format == "json":
        print(module.to_json(tree))
    elif module is explain_objective:
        print(module.render_text(tree, every_line=args.lines))
    else:
        print(module.render_text(tree))
    return 0


def _report(args: argparse.Namespace) -> int:
    from publication.sheets import SheetError, write_sheets

    warehouse = settings.warehouse_path(args.warehouse)
    out = Path(args.out) if args.out else Layout(warehouse).reports
    try:
        sheets = write_sheets(
            warehouse, out, [args.territory] if args.territory else None, args.year, args.threshold
        )
    except SheetError as exc:
        print(f"error: {exc}")
        return 2
    if sheets and all(sheet.charts == 0 for sheet in sheets):
        for sheet in sheets:
            sheet.path.unlink(missing_ok=True)
        print(
            f"error: the warehouse holds no figure for {sheets[0].year} (no register, capacity, "
            "quota, demand or survey of that year): no sheet written"
        )
        return 2
    for sheet in sheets:
        print(
            f"{sheet.territory_name} {sheet.year}: {sheet.path} ({sheet.charts} charts) and "
            f"its workbook {sheet.path.with_suffix('.xlsx').name}"
        )
    return 0


def _dbt(args: argparse.Namespace) -> int:
    from core.settings import Settings
    from pipelines.dbt_alone import run_dbt_alone

    dbt_args = args.dbt_args[1:] if args.dbt_args[:1] == ["--"] else args.dbt_args
    if not dbt_args:
        print("error: give dbt's arguments, e.g. attrib dbt build --select marts.quota_attainment")
        return 2
    return run_dbt_alone(Settings.resolve(None, args.warehouse), dbt_args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="attrib", description=USAGE, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write a synthetic set of raw extracts")
    gen.add_argument("--scale", choices=["tiny", "dep31", "france"], default="tiny")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--out", default=str(settings.raw_dir()))
    gen.add_argument(
        "--bad-rows",
        type=float,
        default=0.0,
        help="fraction of rows of the registers made invalid (recorded in "
        "_generator/injected_bad_rows.csv)",
    )
    gen.set_defaults(func=_generate)
    run = sub.add_parser(
        "run", help="load raw/ into the warehouse (generating a sample when raw/ holds no extract)"
    )
    run.add_argument("--raw", help="landing zone (default $ATTRIB_RAW_DIR or raw/)")
    run.add_argument(
        "--warehouse", help="DuckDB file (default $ATTRIB_WAREHOUSE or warehouse/attrib.duckdb)"
    )
    run.add_argument(
        "--years",
        type=year_range,
        metavar="FIRST-LAST",
        help="only these years' extracts and figures, e.g. 2023-2025 (a backfill), or one "
        "quarter, e.g. 2026T3",
    )
    run.add_argument("--sample-scale", choices=["tiny", "dep31"], default="dep31")
    run.add_argument("--seed", type=int, default=42)
    run.set_defaults(func=_run)
    explain = sub.add_parser(
        "explain",
        help="how a figure of the warehouse was derived",
        description="attrib explain <mart> --key column=value ...: the row, the facts behind "
        "its counts (file and line of each, up to --limit), its dbt model and SQL, the run, "
        "parameters and code versions, upstream assets and input files. "
        "attrib explain objective --year Y --landlord L --territory T: the full derivation of an "
        "ACD objective (annex 3), down to register lines.",
    )
    explain.add_argument("mart", help="a mart (e.g. quota_attainment) or 'objective'")
    explain.add_argument(
        "--key", action="append", default=[], metavar="COLUMN=VALUE", help="repeat per column"
    )
    explain.add_argument("--year", type=int, help="objective: the year")
    explain.add_argument("--landlord", help="objective: name, alias or SIRET")
    explain.add_argument("--territory", help="objective: territory name or id")
    explain.add_argument(
        "--limit",
        type=int,
        default=20,
        help="a count of at most this many facts lists them (file, line); above, per file",
    )
    explain.add_argument(
        "--lines",
        action="store_true",
        help="objective: every register line, not the first ranges of each file",
    )
    explain.add_argument("--format", choices=["text", "json"], default="text")
    explain.add_argument("--warehouse", help="DuckDB file (default as for run)")
    explain.add_argument("--raw", help="landing zone to check file hashes against")
    explain.set_defaults(func=_explain)
    report = sub.add_parser(
        "report",
        help="territorial sheets (HTML with charts) from the warehouse",
        description="Write the territorial sheet of one territory (or of all) for a year into "
        "the warehouse's reports/ folder; counts of households are suppressed below the "
        "threshold of publication/policy.yml.",
    )
    report.add_argument("--territory", help="name or id (default: every territory)")
    report.add_argument("--year", type=int, help="default: the latest full SNE year loaded")
    report.add_argument("--threshold", type=int, help="suppress counts below this (default 5)")
    report.add_argument("--out", help="folder (default warehouse/reports beside the warehouse)")
    report.add_argument("--warehouse", help="DuckDB file (default as for run)")
    report.set_defaults(func=_report)
    dbt = sub.add_parser(
        "dbt",
        help="dbt alone on the warehouse, under the run lock, published when it succeeds",
        description="attrib dbt [--warehouse FILE] -- ARGS: run dbt ARGS (build, run, test, "
        "show, docs generate...) on a copy of the warehouse, with its profile and limits, "
        "holding the run lock; publish the copy and record lineage when dbt succeeds.",
    )
    dbt.add_argument("--warehouse", help="DuckDB file (default as for run)")
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER, help="dbt's own arguments")
    dbt.set_defaults(func=_dbt)
    from pipelines.scenario import add_parser as add_scenario

    add_scenario(sub)
    args = parser.parse_args(argv)
    return args.func(args)


def entry() -> None:
    """The installed ``attrib`` command: ``main``, then an exit without the interpreter's
    teardown (core/process_exit.py)."""
    try:
        code = main()
    except BrokenPipeError:  # `attrib scenario diff NAME | head`: the reader has had enough
        code = 0
    exit_now(code)


if __name__ == "__main__":
    entry()
