"""French for the sheets and workbooks: numbers as their readers write them (``37,5 %``,
``1 234``) and labels for codes (``publication/labels_fr.yml`` and the French labels of the
registers' code lists, ``reference.code_labels``). A label keeps its code for the tooltip."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

import duckdb
import yaml

LABELS_FILE = Path(__file__).with_name("labels_fr.yml")
THIN = "\u202f"  # the narrow no-break space of French typography (thousands, before %)


def number(value: float | None, decimals: int = 0) -> str:
    """``1234.5`` -> ``1 234,5``, rounded half away from zero as readers do by hand
    (``-2.125`` -> ``-2,13``, as ``109,27 - 107,14`` reads), after dropping the last bits of
    binary arithmetic (a difference of ``-2.12499999999999`` is ``-2.125``)."""
    if value is None:
        return ""
    exact = Decimal(repr(round(float(value), 9)))
    rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never "-0,0"
    text = f"{rounded:,.{decimals}f}"
    return text.replace(",", THIN).replace(".", ",")


def percent(value: float | None, decimals: int = 1) -> str:
    """``0.375`` -> ``37,5 %``; a whole percentage loses its decimals (``25 %``)."""
    if value is None:
        return ""
    text = number(value * 100, decimals)
    return re.sub(r",0+$", "", text) + f"{THIN}%"


MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def date_time(moment: dt.datetime) -> str:
    """``2026-12-04 19:45`` -> ``4 décembre 2026 à 19:45`` (``1er août``), as a reader dates a
    document (the machine-readable timestamps stay ISO, in the exports' manifest)."""
    day = "1er" if moment.day == 1 else str(moment.day)
    return f"{day} {MONTHS[moment.month - 1]} {moment.year} à {moment:%H:%M}"


def slug(name: str) -> str:
    """A territory name as a file name: ``Toulouse Métropole`` -> ``toulouse_metropole``,
    ``Cœur et Coteaux`` -> ``coeur_et_coteaux`` (a ligature is two letters)."""
    plain = name.lower().replace("œ", "oe").replace("æ", "ae")
    plain = plain.translate(str.maketrans("àâäçéèêëîïôöùûüÿ", "aaaceeeeiioouuuy"))
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_") or "territoire"


@dataclass(frozen=True, order=True)  # sortable: tables are ordered by label
class Label:
    """What a reader sees and the code behind it (the tooltip)."""

    text: str
    code: str

    @property
    def tooltip(self) -> str:
        return self.text if self.text == self.code else f"{self.text} (code {self.code})"


@cache
def vocabulary() -> dict:
    return yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8"))


class Labels:
    """French labels: the platform's codes from labels_fr.yml, the registers' code lists from
    the warehouse's ``reference.code_labels``."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        try:
            rows = con.execute(
                "SELECT code_list, code, label_fr FROM reference.code_labels"
            ).fetchall()
        except duckdb.CatalogException:  # a warehouse without the seed: codes stay codes
            rows = []
        self.code_lists = {(cl, str(code)): fr for cl, code, fr in rows}

    def of(self, kind: str, code) -> Label:
        """``kind`` is a section of labels_fr.yml (quotas, statuses, finan_classes, bands)."""
        code = str(code)
        return Label(vocabulary().get(kind, {}).get(code, code), code)

    def in_list(self, code_list: str, code) -> Label:
        code = str(code)
        return Label(self.code_lists.get((code_list, code), code), code)

    def dimension_value(self, dimension: str, value) -> Label:
        spec = vocabulary()["dimensions"].get(dimension, {})
        if "code_list" in spec:
            return self.in_list(spec["code_list"], value)
        return self.of("bands", value)

    def reservation_holder(self, code) -> Label:
        return self.in_list("sne.RESERVATAIRE", code)
