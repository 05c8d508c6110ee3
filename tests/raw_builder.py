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
