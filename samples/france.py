"""The ``france`` scale: about 5.4 million dwellings (RPLS 1 January 2024, one file per
département), 2.7 million demands and 450 000 decisions (SNE 2025), written chunk by chunk so
memory stays flat. Outside Haute-Garonne and Grand Montauban, communes, landlords and QPV are
synthetic and their names say so ("Commune synthétique 01-007", "Bailleur synthétique ...")."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from samples import stock
from samples.csv_out import BadRowInjector, ExtractWriter, dates, decimals, ints
from samples.defects import DEFECTS
from samples.demand import applicants
from samples.extracts import GenerationReport, copy_reference
from samples.sne_codes import RESERVATION_BY_CONTRESLOG
from samples.territory import load_geography

DWELLINGS = 5_400_000
DEMANDS = 2_700_000
DECISIONS = 450_000
CHUNK = 250_000
DEPARTEMENTS = [f"{d:02d}" for d in range(1, 96) if d != 20]
YEAR = 2024
SNE_YEAR = 2025


def _departement_sizes(rng: np.random.Generator) -> dict[str, int]:
    weights = rng.lognormal(0, 0.7, len(DEPARTEMENTS))
    weights[DEPARTEMENTS.index("31")] = weights.sum() * 100_000 / (DWELLINGS - 100_000)
    sizes = np.round(weights / weights.sum() * DWELLINGS).astype(int)
    return dict(zip(DEPARTEMENTS, sizes, strict=True))


def _places(dep: str, geo, rng) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Communes, landlords and QPV of a département (real for 31, synthetic elsewhere)."""
    if dep == "31":
        communes = geo.communes[geo.communes.DEPCOM.str.startswith("31")][["DEPCOM", "LIBCOM"]]
        landlords = geo.landlords[geo.landlords.ROTATION_RATE.notna()][["SIRET", "NAME"]]
        qpv = geo.qpv[geo.qpv.DEPCOM.str.startswith("31")][["QPV_CODE", "DEPCOM"]]
        return communes, landlords, qpv
    k = np.arange(1, 301)
    communes = pd.DataFrame(
        {
            "DEPCOM": [f"{dep}{i:03d}" for i in k],
            "LIBCOM": [f"Commune synthétique {dep}-{i:03d}" for i in k],
        }
    )
    landlords = pd.DataFrame(
        {
            "SIRET": [f"9{dep}{i:011d}" for i in range(1, 9)],
            "NAME": [f"Bailleur synthétique {dep}-{i}" for i in range(1, 9)],
        }
    )
    qpv = pd.DataFrame(
        {
            "QPV_CODE": [f"QP0{dep}{800 + i}" for i in range(1, 11)],
            "DEPCOM": [f"{dep}{i:03d}" for i in range(1, 11)],
        }
    )
    return communes, landlords, qpv


def synthetic_qpv() -> pd.DataFrame:
    rows = [
        (
            f"QP0{dep}{800 + i}",
            f"QPV synthétique {dep}-{i}",
            f"{dep}{i:03d}",
            f"Commune synthétique {dep}-{i:03d}",
            "synthetic (france sample)",
        )
        for dep in DEPARTEMENTS
        if dep != "31"
        for i in range(1, 11)
    ]
    return pd.DataFrame(rows, columns=["QPV_CODE", "QPV_NAME", "DEPCOM", "LIBCOM", "SOURCE"])


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
    synthetic_qpv().to_csv(out / "acd" / "qpv_synthetic.csv", index=False)
    injector = BadRowInjector(bad_rows, np.random.default_rng([seed, 99]))
    geo = load_geography()
    sizes = _departement_sizes(np.random.default_rng([seed, 200]))
    sample = []
    for i, dep in enumerate(DEPARTEMENTS):
        rng = np.random.default_rng([seed, 201, i])
        places = _places(dep, geo, rng)
        relative = f"rpls/rpls_{YEAR}_{dep}.csv"
        rows = 0
        with ExtractWriter(out, relative, ";", "latin-1", injector, DEFECTS["rpls"]) as w:
            for offset in range(0, int(sizes[dep] / 0.925), CHUNK):
                n = min(CHUNK, int(sizes[dep] / 0.925) - offset)
                chunk = _register_chunk(dep, n, places, offset, rng)
                w.write(chunk)
                rows += len(chunk)
                sample.append(
                    chunk[["IDENT_REP", "DEPCOM", "QPV", "SIRET", "CONTRESLOG"]].iloc[::10]
                )
        report.files[relative] = rows
        progress(f"  wrote {relative}: {rows:,} rows")
    dwellings = pd.concat(sample, ignore_index=True)
    del sample
    communes = dwellings.DEPCOM.unique()
    _write_sne(out, report, injector, dwellings, communes, seed, progress)
    injector.write_manifest(out)
    report.injected = len(injector.rows)
    report.seconds = time.perf_counter() - started
    return report


def _write_sne(out, report, injector, dwellings, communes, seed, progress):
    start, end = pd.Timestamp(f"{SNE_YEAR}-01-01"), pd.Timestamp(f"{SNE_YEAR}-12-31")
    relative = f"sne/demandes_{SNE_YEAR}.csv"
    with ExtractWriter(out, relative, ";", "utf-8", injector, DEFECTS["sne_demandes"]) as w:
        for k, first in enumerate(range(0, DEMANDS, CHUNK)):
            rng = np.random.default_rng([seed, 300, k])
            n = min(CHUNK, DEMANDS - first)
            choice = rng.choice(communes, n)
            people = applicants(choice, communes, np.zeros(n, bool), rng)
            created = pd.Series(
                pd.Timestamp("2019-01-01")
                + pd.to_timedelta(
                    rng.integers(0, (end - pd.Timestamp("2019-01-01")).days, n), unit="D"
                )
            )
            left = rng.random(n) < 0.3
            radiation = (
                (created + pd.to_timedelta(rng.integers(1, 400, n), unit="D"))
                .clip(lower=start, upper=end)
                .where(left)
            )
            motif = np.where(left, rng.choice(["RADATT", "RADABA", "RADREN"], n), None)
            number = [
                f"0{c[:2]}{d.year}{first + i:010d}B"
                for i, (c, d) in enumerate(zip(choice, created, strict=True))
            ]
            frame = pd.concat(
                [
                    pd.DataFrame(
                        {
                            "NUM_UNIQUE": number,
                            "DATE_CREATION": dates(created).to_numpy(),
                            "DATE_RENOUVELLEMENT": pd.NA,
                            "DATE_RADIATION": dates(radiation).to_numpy(),
                            "MOTIF_RADIATION": motif,
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
    report.files[relative] = DEMANDS
    progress(f"  wrote {relative}: {DEMANDS:,} rows")
    relative = f"sne/attributions_{SNE_YEAR}.csv"
    with ExtractWriter(out, relative, ";", "utf-8", injector, DEFECTS["sne_attributions"]) as w:
        for k, first in enumerate(range(0, DECISIONS, CHUNK)):
            rng = np.random.default_rng([seed, 400, k])
            n = min(CHUNK, DECISIONS - first)
            home = dwellings.iloc[rng.integers(0, len(dwellings), n)]
            caleol = pd.Series(start + pd.to_timedelta(rng.integers(0, 330, n), unit="D"))
            signed = rng.random(n) < 0.8
            lease = (caleol + pd.to_timedelta(rng.integers(5, 30, n), unit="D")).where(signed)
            w.write(
                pd.DataFrame(
                    {
                        "NUM_UNIQUE": [
                            f"0{c[:2]}2024{first + i:010d}C" for i, c in enumerate(home.DEPCOM)
                        ],
                        "IDENT_REP": home.IDENT_REP.to_numpy(),
                        "DEPCOM": home.DEPCOM.to_numpy(),
                        "QPV": home.QPV.to_numpy(),
                        "SIRET": home.SIRET.to_numpy(),
                        "DATE_CALEOL": dates(caleol).to_numpy(),
                        "RANG": "1",
                        "RESERVATAIRE": home.CONTRESLOG.map(RESERVATION_BY_CONTRESLOG).to_numpy(),
                        "DECISION": "ATTRIBUEE",
                        "ISSUE": np.where(signed, "BAIL_SIGNE", "REFUS_DEMANDEUR"),
                        "DATE_BAIL": dates(lease).to_numpy(),
                        "MOTIF_REFUS": np.where(signed, None, "Localisation"),
                    }
                )
            )
    report.files[relative] = DECISIONS
    progress(f"  wrote {relative}: {DECISIONS:,} rows")
