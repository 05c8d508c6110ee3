"""OPS households in let dwellings of the register, and commercial vacancy per residence."""

from __future__ import annotations

import numpy as np
import pandas as pd

from samples.csv_out import decimals, ints


def households(register: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One row per let dwelling that answered the survey (about 90 %)."""
    let = register[(register.MODE == "1") & (rng.random(len(register)) < 0.9)]
    n = len(let)
    qpv = (let.QPV == "1").to_numpy()
    composition = rng.choice(["PS", "CSE", "CAE", "FM", "AUT"], n, p=[0.38, 0.14, 0.20, 0.22, 0.06])
    children = np.select(
        [np.isin(composition, ["PS", "CSE"]), composition == "AUT"],
        [0, rng.integers(0, 2, n)],
        rng.choice([1, 2, 3, 4, 5], n, p=[0.4, 0.3, 0.18, 0.08, 0.04]),
    )
    adults = np.select(
        [np.isin(composition, ["PS", "FM"]), composition == "AUT"], [1, rng.integers(1, 4, n)], 2
    )
    poor = rng.random(n) < np.where(qpv, 0.55, 0.35)
    bracket = np.where(
        poor,
        rng.choice([1, 2], n, p=[0.45, 0.55]),
        rng.choice([3, 4, 5, 9], n, p=[0.45, 0.40, 0.10, 0.05]),
    )
    activity = rng.choice(
        ["EMPLOI_STABLE", "EMPLOI_PRECAIRE", "CHOMAGE", "RETRAITE", "INACTIF", "ETUDIANT"],
        n,
        p=[0.38, 0.14, 0.14, 0.20, 0.12, 0.02],
    )
    working = np.isin(activity, ["EMPLOI_STABLE", "EMPLOI_PRECAIRE"])
    yes_no = np.array(["NON", "OUI"])
    return pd.DataFrame(
        {
            "IDENT_REP": let.IDENT_REP.to_numpy(),
            "NB_OCCUPANTS": ints(adults + children).to_numpy(),
            "NB_ENFANTS": ints(children).to_numpy(),
            "AGE_TITULAIRE": ints(np.clip(rng.normal(50, 16, n).astype(int), 18, 99)).to_numpy(),
            "COMPOSITION": composition,
            "RESSOURCES_PLAFOND": ints(bracket).to_numpy(),
            "APL": yes_no[(rng.random(n) < np.where(poor, 0.8, 0.3)).astype(int)],
            "ACTIVITE_TITULAIRE": activity,
            "MENAGE_EN_EMPLOI": yes_no[(working | (rng.random(n) < 0.15)).astype(int)],
            "IMPAYE_3_MOIS": yes_no[(rng.random(n) < np.where(poor, 0.09, 0.03)).astype(int)],
            "EMMENAGE_RECENT": yes_no[(rng.random(n) < 0.18).astype(int)],
        }
    )


def commercial_vacancy(register: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    residences = register.drop_duplicates(["SIRET", "RESIDENCE_ID"])
    qpv = (residences.QPV == "1").to_numpy()
    rate = rng.beta(np.where(qpv, 3, 1.5), 12, len(residences))
    return pd.DataFrame(
        {
            "SIRET": residences.SIRET.to_numpy(),
            "RESIDENCE_ID": residences.RESIDENCE_ID.to_numpy(),
            "TAUX_VACANCE_COMMERCIALE": decimals(rate, 3).to_numpy(),
        }
    )
