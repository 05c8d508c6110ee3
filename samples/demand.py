"""SNE demands and attribution decisions consistent with the register: every decision is about
a real dwelling of the vintage (or a new one delivered that year), every candidate is a demand,
and a signed lease strikes its demand off (RADATT) on the lease date."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from samples.csv_out import dates, decimals, ints
from samples.sne_codes import (
    CURRENT_HOUSING,
    OTHER_STRIKE_OFFS,
    PRIORITY_WEIGHTS,
    RESERVATION_BY_CONTRESLOG,
)

LAST_DAY = pd.Timestamp("2026-09-30")
FIRST_CREATION = pd.Timestamp("2019-01-01")
REFUSAL_REASONS = [
    "Localisation",
    "Typologie",
    "Loyer trop élevé",
    "Environnement",
    "Étage",
    "Sans réponse",
]


@dataclass(frozen=True)
class Period:
    key: str
    start: pd.Timestamp
    end: pd.Timestamp
    extracted: pd.Timestamp


def periods() -> list[Period]:
    """Yearly extracts for closed years, quarterly ones for the current year."""
    out = [
        Period(
            str(y),
            pd.Timestamp(f"{y}-01-01"),
            pd.Timestamp(f"{y}-12-31"),
            pd.Timestamp(f"{y + 1}-03-31"),
        )
        for y in (2024, 2025)
    ]
    for q in (1, 2, 3):
        start = pd.Timestamp(f"2026-{3 * q - 2:02d}-01")
        end = start + pd.offsets.QuarterEnd(0)
        out.append(Period(f"2026T{q}", start, end, end + pd.Timedelta(days=15)))
    return out


def _days(rng, low: pd.Timestamp, high: pd.Timestamp, n: int) -> pd.Series:
    span = (high - low).days
    return pd.Series(low + pd.to_timedelta(rng.integers(0, span + 1, n), unit="D"))


def decisions(
    vintages: dict[int, pd.DataFrame], universe: pd.DataFrame, leases: int, rng: np.random.Generator
) -> pd.DataFrame:
    """One row per candidate examined; lease outcomes as they finally turn out."""
    events = []
    for year in (2024, 2025, 2026):
        n = int(leases * (0.75 if year == 2026 else 1.0))
        stock = vintages[year]
        stock = stock[stock.MODE.isin(["1", "2"])]
        new = universe[universe.LOCAT == year]
        from_new = (rng.random(n) < 0.05) & (len(new) > 0)
        pick = stock.iloc[rng.integers(0, len(stock), n)].reset_index(drop=True)
        if from_new.any():
            fresh = new.iloc[rng.integers(0, len(new), int(from_new.sum()))]
            for col in ("IDENT_REP", "DEPCOM", "SIRET"):
                pick.loc[from_new, col] = fresh[col].to_numpy()
            pick.loc[from_new, "QPV"] = fresh.QPV.astype(str).to_numpy()
            pick.loc[from_new, "CONTRESLOG"] = fresh.CONTRESLOG.astype(str).to_numpy()
        end = min(pd.Timestamp(f"{year}-12-31"), LAST_DAY - pd.Timedelta(days=15))
        pick["DATE_CALEOL"] = _days(rng, pd.Timestamp(f"{year}-01-01"), end, n)
        events.append(pick)
    ev = pd.concat(events, ignore_index=True)
    n = len(ev)
    ev["EVENT"] = np.arange(n)
    scenario = rng.choice(5, n, p=[0.75, 0.12, 0.08, 0.03, 0.02])
    rows = []
    lease = ev.DATE_CALEOL + pd.to_timedelta(rng.integers(5, 45, n), unit="D")

    def cand(mask, rank, decision, issue):
        part = ev[mask].copy()
        part["RANG"], part["DECISION"], part["ISSUE"] = rank, decision, issue
        part["LEASE"] = lease[mask] if issue == "BAIL_SIGNE" else pd.NaT
        rows.append(part)

    cand(scenario == 0, 1, "ATTRIBUEE", "BAIL_SIGNE")
    cand(scenario == 1, 1, "ATTRIBUEE", "REFUS_DEMANDEUR")
    cand(scenario == 1, 2, "ATTRIBUEE", "BAIL_SIGNE")
    cand(scenario == 2, 1, "ATTRIBUEE", "BAIL_SIGNE")
    cand(scenario == 2, 2, "NON_ATTRIBUEE", None)
    cand(scenario == 2, 3, "NON_ATTRIBUEE", None)
    cand(scenario == 3, 1, "ATTRIBUEE_SOUS_CONDITION", "BAIL_SIGNE")
    cand(scenario == 4, 1, "IRRECEVABLE", None)
    cand(scenario == 4, 2, "ATTRIBUEE", "BAIL_SIGNE")
    dec = pd.concat(rows, ignore_index=True).sort_values(["EVENT", "RANG"], ignore_index=True)
    dec["RESERVATAIRE"] = dec.CONTRESLOG.astype(str).map(RESERVATION_BY_CONTRESLOG)
    dec["MOTIF_REFUS"] = np.where(
        dec.ISSUE == "REFUS_DEMANDEUR", rng.choice(REFUSAL_REASONS, len(dec)), None
    )
    return dec


def demands(
    dec: pd.DataFrame, communes: np.ndarray, fillers: int, rng: np.random.Generator
) -> pd.DataFrame:
    """The candidates' demands plus demands that were never examined."""
    m = len(dec)
    n = m + fillers
    signed = np.zeros(n, bool)
    signed[:m] = (dec.ISSUE == "BAIL_SIGNE").to_numpy()
    examined = np.zeros(n, bool)
    examined[:m] = True
    seniority = pd.to_timedelta(30 + rng.exponential(520, n).astype(int), unit="D")
    created = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    created[:m] = (dec.DATE_CALEOL - seniority[:m]).clip(lower=FIRST_CREATION).to_numpy()
    created[m:] = _days(rng, FIRST_CREATION, LAST_DAY, fillers).to_numpy()
    exit_date = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")
    motif = np.full(n, None, dtype=object)
    exit_date[:m] = dec.LEASE.to_numpy()
    motif[:m] = np.where(signed[:m], "RADATT", None)
    others = ~signed
    later = created + pd.to_timedelta(rng.exponential(700, n).astype(int) + 1, unit="D")
    base = np.where(examined, dec.DATE_CALEOL.reindex(range(n)).to_numpy(), created.to_numpy())
    later = np.maximum(later.to_numpy(), pd.to_datetime(base) + pd.Timedelta(days=1))
    leaves = others & (later <= LAST_DAY.to_datetime64())
    exit_date[leaves] = later[leaves]
    motif[leaves] = rng.choice(
        list(OTHER_STRIKE_OFFS), int(leaves.sum()), p=list(OTHER_STRIKE_OFFS.values())
    )
    first_choice = rng.choice(communes, n)
    near = examined & (rng.random(n) < 0.85)
    first_choice[:m] = np.where(near[:m], dec.DEPCOM.to_numpy(), first_choice[:m])
    number = [
        f"0{c[:2]}{d.year}{s:010d}A"
        for c, d, s in zip(first_choice, created, range(n), strict=True)
    ]
    dated = pd.DataFrame(
        {
            "NUM_UNIQUE": number,
            "DATE_CREATION": created,
            "DATE_RADIATION": exit_date,
            "MOTIF_RADIATION": motif,
        }
    )
    return pd.concat([dated, applicants(first_choice, communes, examined, rng)], axis=1)


def applicants(
    first_choice: np.ndarray, communes: np.ndarray, examined: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """Who the applicants are: household, income, current housing, priority labels.

    ``examined`` marks demands that reached a commission (more often priority or DALO)."""
    n = len(first_choice)
    adults = rng.choice([1, 2, 3, 4], n, p=[0.55, 0.35, 0.08, 0.02])
    children = rng.choice([0, 1, 2, 3, 4], n, p=[0.55, 0.20, 0.15, 0.07, 0.03])
    age = np.clip(rng.normal(40, 14, n).astype(int), 18, 95)
    contract = rng.choice(
        ["CDI", "CDD", "ART", "CHO", "APP", "ETU", "RET", "AUT"],
        n,
        p=[0.35, 0.15, 0.05, 0.15, 0.02, 0.08, 0.10, 0.10],
    )
    contract = np.where(
        age >= 65, "RET", np.where((age > 30) & (contract == "ETU"), "CDD", contract)
    )
    income = rng.lognormal(7.05, 0.55, n) * (1 + 0.45 * (adults - 1))
    income = np.where(contract == "ETU", income * 0.45, income)
    income = np.where(rng.random(n) < 0.03, 0, np.round(income))
    units = 1 + 0.5 * (adults - 1) + 0.3 * children
    per_unit = 12 * income / units
    ceiling = np.select(
        [per_unit < 11000, per_unit < 20000, per_unit < 26000], ["PLAI", "PLUS", "PLS"], "SUP_PLS"
    )
    ceiling = np.where(rng.random(n) < 0.03, "NON_SAISI", ceiling)
    persons = adults + children
    size = np.select(
        [persons == 1, persons == 2, persons == 3, persons == 4],
        [
            rng.choice(["C", "T1", "T2"], n, p=[0.1, 0.3, 0.6]),
            rng.choice(["T2", "T3"], n),
            "T3",
            "T4",
        ],
        rng.choice(["T5", "T6P"], n, p=[0.8, 0.2]),
    )
    situation = np.where(
        adults >= 2,
        rng.choice(list("MPU"), n),
        rng.choice(list("CDSV"), n, p=[0.6, 0.2, 0.15, 0.05]),
    )
    dalo_share = np.where(examined, 0.08, 0.03)
    draw = rng.random(n)
    dalo = np.select(
        [draw < dalo_share, draw < dalo_share + 0.01, draw < dalo_share + 0.02],
        ["ACTIF", "CADUC", "ACTREL"],
        "NON",
    )
    labels, weights = zip(*PRIORITY_WEIGHTS.items(), strict=True)
    weights = np.array(weights) / sum(weights)
    labelled = rng.random(n) < np.where(examined, 0.32, 0.14)
    priority = np.where(labelled, rng.choice(labels, n, p=weights), None)
    priority = np.where(dalo == "ACTIF", "DALO", priority)
    housing = rng.choice(list(CURRENT_HOUSING), n, p=list(CURRENT_HOUSING.values()))
    current = np.where(rng.random(n) < 0.6, first_choice, rng.choice(communes, n))
    current = np.where(rng.random(n) < 0.05, None, current)
    worker = np.where(
        np.isin(contract, ["CDI", "CDD", "ART", "APP"]),
        rng.choice(["OUI", "NON", "NONDOC"], n, p=[0.15, 0.65, 0.20]),
        "NON",
    )
    second = np.where(rng.random(n) < 0.6, rng.choice(communes, n), None)
    third = np.where((second != None) & (rng.random(n) < 0.5), rng.choice(communes, n), None)  # noqa: E711
    return pd.DataFrame(
        {
            "DEPCOM_SOUHAITE_1": first_choice,
            "DEPCOM_SOUHAITE_2": second,
            "DEPCOM_SOUHAITE_3": third,
            "DEPCOM_ACTUEL": current,
            "AGE": age,
            "SITUATION_FAMILIALE": situation,
            "NB_PERSONNES": persons,
            "NB_14_ANS_ET_PLUS": adults,
            "NB_MOINS_14_ANS": children,
            "TYPE_CONTRAT": contract,
            "REVENU_MENSUEL": income,
            "PLAFOND_RESSOURCES": ceiling,
            "MODELE_LOGEMENT_ACTUEL": housing,
            "MOTIF": np.char.zfill(rng.integers(1, 24, n).astype(str), 2),
            "TYPE_LOGEMENT": size,
            "STATUT_DALO": dalo,
            "PRIORITE": priority,
            "TRAVAILLEUR_ESSENTIEL": worker,
            "RELOGEMENT_RU": np.where(rng.random(n) < 0.015, "OUI", "NON"),
        }
    )


def demand_extract(dem: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Demands active at some time in the period, as known on the extraction date."""
    active = (dem.DATE_CREATION <= period.end) & (
        dem.DATE_RADIATION.isna() | (dem.DATE_RADIATION >= period.start)
    )
    e = dem[active].copy()
    known = e.DATE_RADIATION <= period.extracted
    e.loc[~known, ["DATE_RADIATION", "MOTIF_RADIATION"]] = [pd.NaT, None]
    until = e.DATE_RADIATION.fillna(period.extracted)
    years = ((until - e.DATE_CREATION).dt.days // 365).clip(lower=0)
    renewal = e.DATE_CREATION + pd.to_timedelta(years * 365, unit="D")
    e["DATE_RENOUVELLEMENT"] = renewal.where(years >= 1)
    out = e.assign(
        DATE_CREATION=dates(e.DATE_CREATION).to_numpy(),
        DATE_RENOUVELLEMENT=dates(e.DATE_RENOUVELLEMENT).to_numpy(),
        DATE_RADIATION=dates(e.DATE_RADIATION).to_numpy(),
        AGE=ints(e.AGE).to_numpy(),
        NB_PERSONNES=ints(e.NB_PERSONNES).to_numpy(),
        NB_14_ANS_ET_PLUS=ints(e.NB_14_ANS_ET_PLUS).to_numpy(),
        NB_MOINS_14_ANS=ints(e.NB_MOINS_14_ANS).to_numpy(),
        REVENU_MENSUEL=decimals(e.REVENU_MENSUEL, 0).to_numpy(),
    )
    columns = [
        "NUM_UNIQUE",
        "DATE_CREATION",
        "DATE_RENOUVELLEMENT",
        "DATE_RADIATION",
        "MOTIF_RADIATION",
        "DEPCOM_SOUHAITE_1",
        "DEPCOM_SOUHAITE_2",
        "DEPCOM_SOUHAITE_3",
        "DEPCOM_ACTUEL",
        "AGE",
        "SITUATION_FAMILIALE",
        "NB_PERSONNES",
        "NB_14_ANS_ET_PLUS",
        "NB_MOINS_14_ANS",
        "TYPE_CONTRAT",
        "REVENU_MENSUEL",
        "PLAFOND_RESSOURCES",
        "MODELE_LOGEMENT_ACTUEL",
        "MOTIF",
        "TYPE_LOGEMENT",
        "STATUT_DALO",
        "PRIORITE",
        "TRAVAILLEUR_ESSENTIEL",
        "RELOGEMENT_RU",
    ]
    return out[columns].reset_index(drop=True)


def decision_extract(dec: pd.DataFrame, numbers: pd.Series, period: Period) -> pd.DataFrame:
    """Decisions of the period's commissions, outcomes as known on the extraction date."""
    inside = (dec.DATE_CALEOL >= period.start) & (dec.DATE_CALEOL <= period.end)
    e = dec[inside].copy()
    pending = (e.ISSUE == "BAIL_SIGNE") & (e.LEASE > period.extracted)
    e.loc[pending, "ISSUE"] = "EN_ATTENTE"
    lease = e.LEASE.where(e.ISSUE == "BAIL_SIGNE")
    return pd.DataFrame(
        {
            "NUM_UNIQUE": numbers[e.index].to_numpy(),
            "IDENT_REP": e.IDENT_REP.to_numpy(),
            "DEPCOM": e.DEPCOM.to_numpy(),
            "QPV": e.QPV.astype(str).to_numpy(),
            "SIRET": e.SIRET.to_numpy(),
            "DATE_CALEOL": dates(e.DATE_CALEOL).to_numpy(),
            "RANG": ints(e.RANG).to_numpy(),
            "RESERVATAIRE": e.RESERVATAIRE.to_numpy(),
            "DECISION": e.DECISION.to_numpy(),
            "ISSUE": e.ISSUE.to_numpy(),
            "DATE_BAIL": dates(lease).to_numpy(),
            "MOTIF_REFUS": e.MOTIF_REFUS.to_numpy(),
        }
    )
