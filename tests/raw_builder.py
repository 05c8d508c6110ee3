"""Hand-built landing zones for tests: a few register rows and plan rows written in the real
formats, beside the committed reference tables."""

from __future__ import annotations

import csv
from pathlib import Path

from samples.extracts import copy_reference
from schemas import SOURCES

LANDLORDS = {"Promologis": "31000001100011", "3F": "31000000100011"}
QPV_CODES = {"31069": "QP031004", "31555": "QP031007"}


def rpls_row(
    ident: str,
    landlord: str,
    depcom: str,
    finan: int,
    *,
    qpv: bool = False,
    typeconst: str = "C",
    locat: int = 1990,
    mode: int = 1,
) -> dict:
    return {
        "IDENT_REP": ident,
        "SIRET": LANDLORDS[landlord],
        "RS": landlord,
        "DEPCOM": depcom,
        "LIBCOM": "Commune",
        "QPV": "1" if qpv else "2",
        "QPV_CODE": QPV_CODES[depcom] if qpv else "",
        "RESIDENCE_ID": f"R-{depcom}",
        "RESIDENCE_NOM": "Résidence",
        "TYPECONST": typeconst,
        "NBPIECE": "3",
        "SURFHAB": "60,5",
        "CONSTRUCT": str(min(locat, 1990)),
        "LOCAT": str(locat),
        "ORIGINE": "1",
        "FINAN": str(finan),
        "CONV": "1",
        "MODE": str(mode),
        "CONTRESLOG": "7",
        "LOYERPRINC": "400,5",
        "DPEENERGIE": "C",
    }


def plan_row(
    landlord: str,
    year: int,
    kind: str,
    *,
    depcom: str = "",
    qpv: bool | None = None,
    finan_class: str = "",
    housing: str = "",
    dwellings: int | None = None,
    share: float | None = None,
    ident: str = "",
) -> dict:
    return {
        "SIRET": LANDLORDS[landlord],
        "DEPCOM": depcom,
        "QPV": "" if qpv is None else ("1" if qpv else "2"),
        "YEAR": str(year),
        "KIND": kind,
        "FINAN_CLASS": finan_class,
        "HOUSING": housing,
        "DWELLINGS": "" if dwellings is None else str(dwellings),
        "SHARE": "" if share is None else str(share),
        "IDENT_REP": ident,
    }


def demand_row(
    number: str,
    commune: str,
    *,
    monthly_income: int,
    struck_off: str = "",
    priority: str | None = None,
    created: str = "2024-01-10",
    contract: str = "CDI",
    current_housing: str = "LP",
    essential_worker: bool = False,
    urban_renewal: bool = False,
) -> dict:
    """One SNE demand of a single adult (one consumption unit: a monthly income of 500 EUR is
    6 000 EUR a year per unit), struck off by an attribution on ``struck_off`` if given."""
    yes = {True: "OUI", False: "NON"}
    return {
        "NUM_UNIQUE": number,
        "DATE_CREATION": created,
        "DATE_RENOUVELLEMENT": "",
        "DATE_RADIATION": struck_off,
        "MOTIF_RADIATION": "RADATT" if struck_off else "",
        "DEPCOM_SOUHAITE_1": commune,
        "DEPCOM_SOUHAITE_2": "",
        "DEPCOM_SOUHAITE_3": "",
        "DEPCOM_ACTUEL": commune,
        "AGE": "30",
        "SITUATION_FAMILIALE": "C",
        "NB_PERSONNES": "1",
        "NB_14_ANS_ET_PLUS": "1",
        "NB_MOINS_14_ANS": "0",
        "TYPE_CONTRAT": contract,
        "REVENU_MENSUEL": str(monthly_income),
        "PLAFOND_RESSOURCES": "PLAI",
        "MODELE_LOGEMENT_ACTUEL": current_housing,
        "MOTIF": "01",
        "TYPE_LOGEMENT": "T2",
        "STATUT_DALO": "ACTIF" if priority == "DALO" else "NON",
        "PRIORITE": priority or "",
        "TRAVAILLEUR_ESSENTIEL": yes[essential_worker],
        "RELOGEMENT_RU": yes[urban_renewal],
    }


def write(raw: Path, relative: str, rows: list[dict], source: str) -> Path:
    spec = SOURCES[source]
    path = raw / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding=spec.encoding) as handle:
        writer = csv.DictWriter(
            handle, fieldnames=spec.columns, delimiter=spec.delimiter, lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)
    return path


def landing_zone(raw: Path) -> Path:
    copy_reference(raw)
    return raw
