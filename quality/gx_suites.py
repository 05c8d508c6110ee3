"""Run the Great Expectations suites of ``expectations.yml`` on the marts and write the Data
Docs site. GX 1.x has no Dagster integration: the marts are read (read-only) into pandas and
validated in an ephemeral GX context; results come back as plain dicts for the asset checks."""

from __future__ import annotations

import contextlib
import importlib
import logging
import sys
import tempfile
import threading
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from html import escape
from pathlib import Path

import yaml

from core.connection import connect, read_frame

EXPECTATIONS_FILE = Path(__file__).with_name("expectations.yml")


@dataclass
class Outcome:
    notes: str
    expectation: str
    success: bool
    unexpected: int | None = None
    sample: list = field(default_factory=list)

    def plain(self) -> str:
        verdict = "holds" if self.success else "FAILS"
        detail = ""
        if not self.success and self.unexpected:
            detail = f" ({self.unexpected} rows, e.g. {self.sample[:3]})"
        elif not self.success and self.sample:
            detail = f" (observed {self.sample[0]})"
        return f"{verdict}: {self.notes.strip()}{detail}"


NOT_BUILT = "not evaluated: marts.{mart} has not been built yet (no extract of its sources loaded)"


@dataclass
class SuiteResult:
    mart: str
    outcomes: list[Outcome]
    skipped: str | None = None

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)


@cache
def suites(path: Path = EXPECTATIONS_FILE) -> dict[str, list[dict]]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["suites"]


_warm_up: threading.Thread | None = None


def warm_up() -> None:
    """Import GX and make a first context in a background thread: about 3 s once per process
    (GX's import and its first context), overlapped with what the run does meanwhile (the dbt
    build, in its own process), instead of added after it. ``run_suites`` waits for it."""
    global _warm_up
    if _warm_up is None:
        _warm_up = threading.Thread(target=_first_context, name="gx-warm-up", daemon=True)
        _warm_up.start()


def _first_context() -> None:
    try:
        with tempfile.TemporaryDirectory() as scratch:
            _context(Path(scratch))
    except Exception:  # noqa: BLE001 - run_suites makes its own context and reports errors
        logging.getLogger(__name__).debug("GX warm-up failed", exc_info=True)


class _Deferred(types.ModuleType):
    """Stands for a module until one of its attributes is read, then imports it."""

    def __getattr__(self, attribute: str):
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attribute)


DEFERRED = "scipy.stats"


@contextlib.contextmanager
def _deferred_while_gx_imports() -> Iterator[None]:
    """GX imports ``scipy.stats`` as it loads, for three expectations the suites do not use
    (a Kullback-Leibler divergence and two Kolmogorov-Smirnov tests): 1.0 s of the 2.6 s of
    GX's import, every run, on a core dbt's build was using (GX is imported beside it:
    ``warm_up``). A stand-in takes its place while GX imports, and loads it the first time one
    of those expectations reads it; the stand-in leaves ``sys.modules`` afterwards, so any
    other import of ``scipy.stats`` gets the module itself."""
    if DEFERRED in sys.modules:
        yield
        return
    stand_in = _Deferred(DEFERRED)
    sys.modules[DEFERRED] = stand_in
    try:
        yield
    finally:
        if sys.modules.get(DEFERRED) is stand_in:
            del sys.modules[DEFERRED]


def _context(docs_dir: Path):
    with _deferred_while_gx_imports():
        import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    config = DataContextConfig(  # no usage statistics: said in the config, not the environment
        analytics_enabled=False, store_backend_defaults=InMemoryStoreBackendDefaults()
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.add_data_docs_site(
        site_name="attrib",
        site_config={
            "class_name": "SiteBuilder",
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir.resolve()),
            },
        },
    )
    return gx, context


def _batches(mart: str, expectations: list[dict]) -> list[tuple[str, str, list[dict]]]:
    """(suite name, query, expectations): the mart's own rows in one suite named after it,
    and each comparison query in a suite of its own."""
    own = [e for e in expectations if "query" not in e]
    batches = [(mart, f"SELECT {_columns(own)} FROM marts.{mart}", own)] if own else []
    batches += [
        (f"{mart}__comparison_{i}", e["query"], [e])
        for i, e in enumerate(x for x in expectations if "query" in x)
    ]
    return batches


COLUMN_KEYS = ("column", "column_A", "column_B")  # the arguments that name a column


def _columns(expectations: list[dict]) -> str:
    """The columns the expectations read, else every column: GX copies the whole batch when it
    filters rows, and a national mart (400,000 quotas, 500,000 attributions) has 30 columns."""
    named = [e["kwargs"][key] for e in expectations for key in COLUMN_KEYS if key in e["kwargs"]]
    tables = any(not any(key in e["kwargs"] for key in COLUMN_KEYS) for e in expectations)
    if tables or not named:
        return "*"
    return ", ".join(f'"{c}"' for c in dict.fromkeys(named))


def _outcome(result) -> Outcome:
    detail = result.result or {}
    sample = list(detail.get("partial_unexpected_list") or [])
    if not sample and "observed_value" in detail:
        sample = [detail["observed_value"]]
    config = result.expectation_config
    return Outcome(
        notes=(config.meta or {}).get("notes", config.type),
        expectation=config.type,
        success=bool(result.success),
        unexpected=detail.get("unexpected_count"),
        sample=sample,
    )


def run_suites(
    warehouse: Path, docs_dir: Path, only: set[str] | None = None, run_name: str | None = None
) -> list[SuiteResult]:
    """Validate every suite (or those of the marts in ``only``); write the Data Docs site
    into ``docs_dir``."""
    if _warm_up is not None:
        _warm_up.join()
    gx, context = _context(docs_dir)
    from great_expectations.core.run_identifier import RunIdentifier

    source = context.data_sources.add_pandas("warehouse")
    con = connect(Path(warehouse), read_only=True)
    results: list[SuiteResult] = []
    built = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'"
        ).fetchall()
    }
    try:
        for mart, expectations in suites().items():
            if only is not None and mart not in only:
                continue
            if mart not in built:
                results.append(SuiteResult(mart, [], skipped=NOT_BUILT.format(mart=mart)))
                continue
            outcomes = []
            for name, query, specs in _batches(mart, expectations):
                frame = read_frame(con, query)
                suite = context.suites.add(gx.ExpectationSuite(name=name))
                for spec in specs:
                    expectation_class = getattr(gx.expectations, spec["expect"])
                    suite.add_expectation(
                        expectation_class(**spec["kwargs"], meta={"notes": spec["notes"].strip()})
                    )
                batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("all")
                definition = context.validation_definitions.add(
                    gx.ValidationDefinition(name=name, data=batch, suite=suite)
                )
                checkpoint = context.checkpoints.add(
                    gx.Checkpoint(name=name, validation_definitions=[definition])
                )
                run = checkpoint.run(
                    batch_parameters={"dataframe": frame},
                    run_id=RunIdentifier(run_name=run_name or "attrib"),
                )
                for validation in run.run_results.values():
                    outcomes += [_outcome(r) for r in validation.results]
            results.append(SuiteResult(mart, outcomes))
    finally:
        con.close()
    docs_dir.mkdir(parents=True, exist_ok=True)
    context.build_data_docs(site_names=["attrib"])
    write_report(results, docs_dir, run_name)
    return results


def write_report(results: list[SuiteResult], docs_dir: Path, run_name: str | None) -> Path:
    """``report.html``: every expectation in plain words, self-contained (the GX site loads its
    styles and its index table from CDNs, which a machine off the network cannot reach)."""
    rows = []
    for result in results:
        latest = [
            max((docs_dir / "validations" / name).glob("**/*.html"), default=None)
            for name in _batch_names(result.mart)
        ]
        links = " ".join(
            f'<a href="{p.relative_to(docs_dir)}">{escape(name)}</a>'
            for name, p in zip(_batch_names(result.mart), latest, strict=True)
            if p is not None and not result.skipped
        )
        lines = [result.skipped] if result.skipped else [o.plain() for o in result.outcomes]
        verdict = "skipped" if result.skipped else ("holds" if result.success else "FAILS")
        items = "".join(
            f'<li class="{"bad" if line.startswith("FAILS") else ""}">{escape(line)}</li>'
            for line in lines
        )
        rows.append(
            f'<h2>marts.{escape(result.mart)} <span class="{verdict}">{verdict}</span></h2>'
            f'<ul>{items}</ul><p class="gx">GX validation pages: {links or "none"}</p>'
        )
    failed = sum(1 for r in results if not r.success and not r.skipped)
    skipped = sum(1 for r in results if r.skipped)
    page = REPORT.format(
        run=escape(run_name or "not recorded"),
        summary=f"{len(results) - failed - skipped} suites hold, {failed} fail, "
        f"{skipped} not evaluated",
        body="".join(rows),
    )
    path = docs_dir / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def _batch_names(mart: str) -> list[str]:
    return [name for name, _, _ in _batches(mart, suites()[mart])]


REPORT = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Data quality report</title><style>
body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#222}}
h2{{font-size:1.1rem;margin-top:1.5rem}} .holds{{color:#2d7d46}} .FAILS,.bad{{color:#b3261e}}
.skipped{{color:#777}} .gx{{font-size:.85rem;color:#555}}
</style></head><body><h1>Data quality report: the published results</h1>
<p>Great Expectations suites on the marts (quality/expectations.yml), run {run}:
{summary}. pandera gates the raw input and dbt tests hold the model contracts; these suites
check what is published. The full GX Data Docs site is <a href="index.html">index.html</a>.</p>
{body}</body></html>
"""
