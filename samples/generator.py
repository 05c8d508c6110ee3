"""``attrib generate``: a complete, internally consistent set of raw extracts.

Same seed, same bytes: every random draw comes from a generator seeded by (seed, stream), and
nothing depends on the clock or on dictionary order.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingestion.landing_zone import write_list
from samples import demand, occupancy, stock
from samples.csv_out import BadRowInjector, write_frame
from samples.defects import DEFECTS
from samples.extracts import GenerationReport, copy_reference, dalo_counts
from samples.france import generate_france
from samples.territory import load_geography

VINTAGES = (2024, 2025, 2026)
OPS_YEAR = 2024


@dataclass(frozen=True)
class Scale:
    dwellings: int
    leases_per_year: int
    idle_demands: int


SCALES = {
    "tiny": Scale(dwellings=400, leases_per_year=40, idle_demands=150),
    "dep31": Scale(dwellings=105_000, leases_per_year=9_000, idle_demands=220_000),
}


def has_extracts(raw_dir: Path) -> bool:
    """True when the landing zone already holds an RPLS, OPS or SNE extract."""
    return any(
        p.suffix in (".csv", ".parquet")
        for folder in ("rpls", "ops", "sne")
        if (raw_dir / folder).is_dir()
        for p in (raw_dir / folder).iterdir()
    )


def generate(
    out: Path, scale: str = "tiny", seed: int = 42, bad_rows: float = 0.0, progress=print
) -> GenerationReport:
    if scale == "france":
        return generate_france(out, seed, bad_rows, progress)
    started = time.perf_counter()
    size = SCALES[scale]
    out.mkdir(parents=True, exist_ok=True)
    report = GenerationReport(out)
    injector = BadRowInjector(bad_rows, np.random.default_rng([seed, 99]))
    copy_reference(out)

    def rng(stream: int) -> np.random.Generator:
        return np.random.default_rng([seed, stream])

    def emit(relative, frame, source=None, delimiter=";", encoding="utf-8"):
        defects = DEFECTS.get(source) if source else None
        write_frame(
            out, relative, frame, delimiter, encoding, injector if defects else None, defects
        )
        report.files[relative] = len(frame)
        progress(f"  wrote {relative}: {len(frame):,} rows")

    geo = load_geography()
    universe = stock.plan_exits(stock.draw_universe(geo, size.dwellings, rng(1)), rng(2))
    registers = {}
    for i, year in enumerate(VINTAGES):
        registers[year] = stock.vintage(universe, year, rng(10 + i))
        for dep, rows in registers[year].groupby(registers[year].DEPCOM.str[:2]):
            emit(f"rpls/rpls_{year}_{dep}.csv", rows, "rpls", encoding="latin-1")
    plan = stock.plans(universe, geo, rng(3))
    emit("acd/plans_2025.csv", plan, delimiter=",")
    emit("acd/plans_2025_r1.csv", stock.revise(plan, rng(4)), delimiter=",")
    factor = min(1.0, size.dwellings / 105_000)
    emit("acd/dalo.csv", dalo_counts(factor), delimiter=",")
    base = registers[OPS_YEAR]
    for dep, rows in base.groupby(base.DEPCOM.str[:2]):
        emit(f"ops/ops_{OPS_YEAR}_{dep}.csv", occupancy.households(rows, rng(20)), "ops")
    emit(f"ops/vacance_commerciale_{OPS_YEAR}.csv", occupancy.commercial_vacancy(base, rng(21)))
    dec = demand.decisions(registers, universe, size.leases_per_year, rng(30))
    dem = demand.demands(dec, universe.DEPCOM.to_numpy(), size.idle_demands, rng(31))
    for period in demand.periods():
        emit(f"sne/demandes_{period.key}.csv", demand.demand_extract(dem, period), "sne_demandes")
        emit(
            f"sne/attributions_{period.key}.csv",
            demand.decision_extract(dec, dem.NUM_UNIQUE, period),
            "sne_attributions",
        )
    injector.write_manifest(out)
    report.injected = len(injector.rows)
    write_list(out, report.files)  # marks the landing zone as a synthetic sample
    report.seconds = time.perf_counter() - started
    return report
