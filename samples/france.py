"""The ``france`` scale: about 5.4 million dwellings (RPLS 1 January 2024, one file per
département of the COG, overseas included), their OPS 2024 survey, 2.7 million demands and
450 000 decisions (SNE 2025) and a first quarter of 2026, the Haute-Garonne agreement's plans
and DALO counts: every source the annual and quarterly runs read, written chunk by chunk so
memory stays flat. Communes are the real ones of the COG (raw/cog/); outside Haute-Garonne,
landlords and QPV are synthetic and their names say so ("Bailleur synthétique 01-7"); the
synthetic QPV are not in the agreement's list (marts.dim_qpv flags them)."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from ingestion.landing_zone import write_list
from samples import occupancy, stock
from samples.csv_out import BadRowInjector, ExtractWriter, dates, decimals, ints
from samples.defects import DEFECTS
from samples.demand import applicants
from samples.extracts import GenerationReport, copy_reference, dalo_counts
from samples.sne_codes import OTHER_STRIKE_OFFS, RESERVATION_BY_CONTRESLOG
from samples.territory import COG_DIR, load_geography

DWELLINGS = 5_400_000
DEMANDS = 2_700_000
DECISIONS = 450_000
CHUNK = 250_000
YEAR = 2024
SNE_YEAR = 2025
QUARTER = "2026T1"
FIRST_CREATION = pd.Timestamp("2019-01-01")
COG = COG_DIR / "communes_2026.csv"


def _cog() -> pd.DataFrame:
    return pd.read_csv(COG, dtype=str)[["DEPCOM", "LIBCOM", "DEP"]]


DEPARTEMENTS = sorted(_cog().DEP.unique())


def _departement_sizes(rng: np.random.Generator) -> dict[str, int]:
    weights = rng.lognormal(0, 0.7, len(DEPARTEMENTS))
    weights[DEPARTEMENTS.index("31")] = weights.sum() * 100_000 / (DWELLINGS - 100_000)
    sizes = np.maximum(np.round(weights / weights.sum() * DWELLINGS).astype(int), 200)
    return dict(zip(DEPARTEMENTS, sizes, strict=True))


def _places(dep: str, geo, cog) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Communes (the COG's), landlords and QPV of a département (the agreement's for 31,
    synthetic elsewhere; no synthetic QPV in Corsica or overseas, whose codes differ)."""
    if dep == "31":
        communes = geo.communes[geo.communes.DEPCOM.str.startswith("31")][["DEPCOM", "LIBCOM"]]
        landlords = geo.landlords[geo.landlords.ROTATION_RATE.notna()][["SIRET", "NAME"]]
        qpv = geo.qpv[geo.qpv.DEPCOM.str.startswith("31")][["QPV_CODE", "DEPCOM"]]
        return communes, landlords, qpv
    communes = cog[cog.DEP == dep][["DEPCOM", "LIBCOM"]].reset_index(drop=True)
    digits = dep.zfill(3)[-3:] if dep.isdigit() else None
    landlords = pd.DataFrame(
        {
            # the last three digits name the département: register ids stay unique per country
            "SIRET": [f"9{i:010d}{digits or '020'}" for i in range(1, 9)],
            "NAME": [f"Bailleur synthétique {dep}-{i}" for i in range(1, 9)],
        }
    )
    with_qpv = communes.DEPCOM.iloc[:10] if digits and len(dep) == 2 else pd.Series([], dtype=str)
    qpv = pd.DataFrame(
        {
            "QPV_CODE": [f"QN0{dep}{900 + i}" for i in range(len(with_qpv))],
            "DEPCOM": with_qpv.to_numpy(),
        }
    )
    return communes, landlords, qpv


def _register_chunk(dep, n, places, offset, rng) -> pd.DataFrame:
    communes, landlords, qpv = places
    weights = rng.pareto(1.2, len(communes)) + 0.05
    pick = communes.iloc[rng.choice(len(communes), n, p=weights / weights.sum())]
    in_qpv = pick.DEPCOM.isin(qpv.DEPCOM).to_numpy() & (rng.random(n) < 0.3)
    codes = qpv.set_index("DEPCOM").groupby(level=0).QPV_CODE.first()
    lord = landlords.iloc[rng.integers(0, len(landlords), n)]
    d = pd.DataFrame(
        {
            "DEPCOM": pick.DEPCOM.to_numpy(),
            "LIBCOM": pick.LIBCOM.to_numpy(),
            "LANDLORD": lord.NAME.to_numpy(),
            "SIRET": lord.SIRET.to_numpy(),
            "QPV": np.where(in_qpv, 1, 2),
            "QPV_CODE": np.where(in_qpv, codes.reindex(pick.DEPCOM).to_numpy(), None),
        }
    )
    d = stock.identify(stock.dwelling_attributes(d, rng), offset)
    d["EXIT_YEAR"] = pd.array([pd.NA] * len(d), dtype="Int64")
    return stock.vintage(d, YEAR, rng)


def generate_france(out, seed: int, bad_rows: float, progress=print):
    started = time.perf_counter()
    report = GenerationReport(out)
    copy_reference(out)
    injector = BadRowInjector(bad_rows, np.random.default_rng([seed, 99]))
    geo, cog = load_geography(), _cog()
    sizes = _departement_sizes(np.random.default_rng([seed, 200]))
    sample, seen = [], set()
    vacancy = ExtractWriter(out, f"ops/vacance_commerciale_{YEAR}.csv", ";", "utf-8")
    for i, dep in enumerate(DEPARTEMENTS):
        rng = np.random.default_rng([seed, 201, i])
        places = _places(dep, geo, cog)
        relative = f"rpls/rpls_{YEAR}_{dep}.csv"
        survey = f"ops/ops_{YEAR}_{dep}.csv"
        rows = surveyed = 0
        with (
            ExtractWriter(out, relative, ";", "latin-1", injector, DEFECTS["rpls"]) as w,
            ExtractWriter(out, survey, ";", "utf-8", injector, DEFECTS["ops"]) as ops,
        ):
            for offset in range(0, int(sizes[dep] / 0.925), CHUNK):
                n = min(CHUNK, int(sizes[dep] / 0.925) - offset)
                chunk = _register_chunk(dep, n, places, offset, rng)
                w.write(chunk)
                households = occupancy.households(chunk, rng)
                ops.write(households)
                rates = occupancy.commercial_vacancy(chunk, rng)
                residences = rates.SIRET + "|" + rates.RESIDENCE_ID
                # one rate per residence: looked up in the set (Series.isin copied the whole
                # set at each chunk, 4 s of the shrunk France sample of the tests)
                new = np.fromiter((r not in seen for r in residences), bool, len(residences))
                vacancy.write(rates[new])
                seen.update(residences)
                rows += len(chunk)
                surveyed += len(households)
                let = chunk[chunk.MODE.isin(["1", "2"])]  # the dwellings a decision can let
                sample.append(let[["IDENT_REP", "DEPCOM", "QPV", "SIRET", "CONTRESLOG"]].iloc[::5])
        report.files[relative], report.files[survey] = rows, surveyed
        progress(f"  wrote {relative}: {rows:,} rows, {survey}: {surveyed:,} households")
    vacancy.close()
    report.files[vacancy.relative] = len(seen)
    _write_plans(out, report, geo, seed)
    dwellings = pd.concat(sample, ignore_index=True)
    del sample
    communes = dwellings.DEPCOM.unique()
    for period in (str(SNE_YEAR), QUARTER):
        _write_sne(out, report, injector, dwellings, communes, seed, progress, period)
    injector.write_manifest(out)
    report.injected = len(injector.rows)
    write_list(out, report.files)  # marks the landing zone as a synthetic sample
    report.seconds = time.perf_counter() - started
    return report


def _decisions(demands: int, decisions: int, dwellings, start, end, rng) -> pd.DataFrame:
    """The period's decisions, drawn before its demands so that each answers one of them
    (``DEMAND``, a row index of the demand extract): the demand's first choice is the
    dwelling's commune, it was created 30 days to 4 years before its commission and, when the
    lease is signed, is struck off on the lease's date (RADATT). A let dwelling (RPLS MODE 1-2)
    has one decision a period at most."""
    home = dwellings.iloc[rng.choice(len(dwellings), decisions, replace=False)]
    home = home.reset_index(drop=True)
    caleol = pd.Series(
        start + pd.to_timedelta(rng.integers(0, (end - start).days - 30, decisions), unit="D")
    )
    signed = rng.random(decisions) < 0.8
    lease = (caleol + pd.to_timedelta(rng.integers(5, 30, decisions), unit="D")).where(signed)
    demand = rng.choice(demands, decisions, replace=False)
    created = (caleol - pd.to_timedelta(rng.integers(30, 4 * 365, decisions), unit="D")).clip(
        lower=FIRST_CREATION
    )
    return home.assign(DEMAND=demand, CALEOL=caleol, SIGNED=signed, LEASE=lease, CREATED=created)


def _leavers(created: pd.Series, start, end, rng) -> tuple[pd.Series, pd.Series]:
    """Demands struck off in the period for another reason than a lease (as in dep31: renewal
    missed, abandoned, unreachable, other), on a day of the period after their creation."""
    n = len(created)
    later = created + pd.to_timedelta(rng.integers(1, 400, n), unit="D")
    inside = start + pd.to_timedelta(rng.integers(0, (end - start).days + 1, n), unit="D")
    day = later.where(later >= start, np.maximum(inside, created + pd.Timedelta(days=1)))
    left = (rng.random(n) < 0.3) & (day <= end).to_numpy()
    motif = rng.choice(list(OTHER_STRIKE_OFFS), n, p=list(OTHER_STRIKE_OFFS.values()))
    return day.where(left), pd.Series(np.where(left, motif, None))


def _write_sne(out, report, injector, dwellings, communes, seed, progress, period=str(SNE_YEAR)):
    """One SNE extract, yearly (``2025``) or year to date (``2026T1``: a quarter of the year's
    demands and decisions, dated in the quarter); every decision answers one of its demands."""
    year, quarter = int(period[:4]), int(period[5:] or 4)
    start = pd.Timestamp(f"{year}-01-01")
    end = (start + pd.offsets.QuarterEnd(quarter)).normalize()
    share = quarter / 4
    demands, decisions = int(DEMANDS * share), int(DECISIONS * share)
    yearly = period == str(SNE_YEAR)
    stream = 0 if yearly else 1000
    numbering = 0 if yearly else DEMANDS  # no number in both extracts
    decided = _decisions(
        demands, decisions, dwellings, start, end, np.random.default_rng([seed, 350 + stream])
    )
    numbers = np.empty(decisions, dtype=object)
    relative = f"sne/demandes_{period}.csv"
    with ExtractWriter(out, relative, ";", "utf-8", injector, DEFECTS["sne_demandes"]) as w:
        for k, first in enumerate(range(0, demands, CHUNK)):
            rng = np.random.default_rng([seed, 300 + stream, k])
            n = min(CHUNK, demands - first)
            choice = rng.choice(communes, n)
            hit = np.flatnonzero((decided.DEMAND >= first) & (decided.DEMAND < first + n))
            here = decided.iloc[hit]
            rows = here.DEMAND.to_numpy() - first
            choice[rows] = here.DEPCOM.to_numpy()
            examined = np.zeros(n, bool)
            examined[rows] = True  # reached a commission: more often priority or DALO
            people = applicants(choice, communes, examined, rng)
            created = pd.Series(
                FIRST_CREATION
                + pd.to_timedelta(rng.integers(0, (end - FIRST_CREATION).days, n), unit="D")
            )
            created.iloc[rows] = here.CREATED.to_numpy()
            radiation, motif = _leavers(created, start, end, rng)
            radiation.iloc[rows] = here.LEASE.to_numpy()
            motif.iloc[rows] = np.where(here.SIGNED, "RADATT", None)
            number = [
                f"0{c[:2]}{d.year}{numbering + first + i:010d}B"
                for i, (c, d) in enumerate(zip(choice, created, strict=True))
            ]
            numbers[hit] = np.asarray(number, dtype=object)[rows]
            frame = pd.concat(
                [
                    pd.DataFrame(
                        {
                            "NUM_UNIQUE": number,
                            "DATE_CREATION": dates(created).to_numpy(),
                            "DATE_RENOUVELLEMENT": pd.NA,
                            "DATE_RADIATION": dates(radiation).to_numpy(),
                            "MOTIF_RADIATION": motif.to_numpy(),
                        }
                    ),
                    people,
                ],
                axis=1,
            )
            for col in ("AGE", "NB_PERSONNES", "NB_14_ANS_ET_PLUS", "NB_MOINS_14_ANS"):
                frame[col] = ints(frame[col]).to_numpy()
            frame["REVENU_MENSUEL"] = decimals(frame.REVENU_MENSUEL, 0).to_numpy()
            w.write(frame)
    report.files[relative] = demands
    progress(f"  wrote {relative}: {demands:,} rows")
    relative = f"sne/attributions_{period}.csv"
    with ExtractWriter(out, relative, ";", "utf-8", injector, DEFECTS["sne_attributions"]) as w:
        for first in range(0, decisions, CHUNK):
            mine = decided.iloc[first : first + CHUNK]
            w.write(
                pd.DataFrame(
                    {
                        "NUM_UNIQUE": numbers[first : first + CHUNK],
                        "IDENT_REP": mine.IDENT_REP.to_numpy(),
                        "DEPCOM": mine.DEPCOM.to_numpy(),
                        "QPV": mine.QPV.to_numpy(),
                        "SIRET": mine.SIRET.to_numpy(),
                        "DATE_CALEOL": dates(mine.CALEOL).to_numpy(),
                        "RANG": "1",
                        "RESERVATAIRE": mine.CONTRESLOG.map(RESERVATION_BY_CONTRESLOG).to_numpy(),
                        "DECISION": "ATTRIBUEE",
                        "ISSUE": np.where(mine.SIGNED, "BAIL_SIGNE", "REFUS_DEMANDEUR"),
                        "DATE_BAIL": dates(mine.LEASE).to_numpy(),
                        "MOTIF_REFUS": np.where(mine.SIGNED, None, "Localisation"),
                    }
                )
            )
    report.files[relative] = decisions
    progress(f"  wrote {relative}: {decisions:,} rows")


def _write_plans(out, report, geo, seed: int) -> None:
    """The Haute-Garonne agreement's plans and DALO counts, drawn as for the dep31 sample."""
    rng = np.random.default_rng([seed, 500])
    universe = stock.plan_exits(stock.draw_universe(geo, 100_000, rng), rng)
    for relative, frame in (
        ("acd/plans_2025.csv", stock.plans(universe, geo, rng)),
        ("acd/dalo.csv", dalo_counts(1.0)),
    ):
        frame.to_csv(out / relative, index=False)
        report.files[relative] = len(frame)
