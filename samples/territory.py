"""The real geography the sample is drawn on: communes, zones, territories, landlords, QPV,
read from the committed reference tables (``raw/acd/``) and ``samples/data/``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
REFERENCE_DIR = REPO / "raw" / "acd"
CIA_DIR = REPO / "raw" / "cia"
COG_DIR = REPO / "raw" / "cog"
DATA_DIR = Path(__file__).resolve().parent / "data"

# Share of a QPV commune's social stock located in its QPV(s): sample assumption.
QPV_SHARE = {
    "31555": 0.22,
    "31149": 0.30,
    "31069": 0.25,
    "31157": 0.20,
    "31395": 0.30,
    "31483": 0.30,
    "82121": 0.30,
}
# Stock of Grand Montauban's two main landlords (seed 002: 1 969 and 1 644 dwellings).
MONTAUBAN_LANDLORDS = {"Tarn-et-Garonne Habitat": 1969, "Promologis": 1644}


@dataclass(frozen=True)
class Geography:
    communes: pd.DataFrame  # DEPCOM, LIBCOM, TERRITORY_ID, TERRITORY_NAME, ZONE, POPULATION ...
    landlords: pd.DataFrame  # SIRET, NAME, ROTATION_RATE
    qpv: pd.DataFrame  # QPV_CODE, QPV_NAME, DEPCOM
    objectives: pd.DataFrame  # published 2025 objectives per landlord x territory


def load_geography() -> Geography:
    territories = pd.read_csv(REFERENCE_DIR / "territories.csv", dtype=str)
    zones = pd.read_csv(REFERENCE_DIR / "commune_tension.csv", dtype={"DEPCOM": str})
    population = pd.read_csv(DATA_DIR / "commune_population.csv", dtype={"DEPCOM": str})
    communes = (
        territories.merge(zones[["DEPCOM", "ZONE"]], on="DEPCOM", how="left")
        .merge(population[["DEPCOM", "POPULATION", "SOCIAL_STOCK_HINT"]], on="DEPCOM")
        .sort_values("DEPCOM", ignore_index=True)
    )
    landlords = pd.read_csv(REFERENCE_DIR / "landlords.csv", dtype={"SIRET": str})
    landlords = landlords.sort_values(["SIRET", "VALID_FROM"]).drop_duplicates("SIRET")
    qpv = pd.read_csv(REFERENCE_DIR / "qpv.csv", dtype=str)
    published = pd.read_csv(REFERENCE_DIR / "published_objectives.csv")
    objectives = published[
        (published.TABLE == "acd_summary")
        & (published.YEAR == 2025)
        & (published.MEASURE == "objective")
        & (published.LANDLORD != "TOTAL")
        & (published.TERRITORY != "TOTAL")
    ][["LANDLORD", "TERRITORY", "VALUE"]]
    return Geography(communes, landlords.reset_index(drop=True), qpv, objectives)
