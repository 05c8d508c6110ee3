"""Attribution policies (``raw/cia/<POLICY>.csv``, UTF-8, ``,``-separated): ``LAW.csv`` (the
legal quotas, every territory), ``ACD_<département>.csv`` (a departmental agreement's targets,
the territories of that département) and ``<SIREN>.csv`` (one intercommunality's CIA). Which
one applies where is resolved in ``int_cia__policies`` (docs/rules.md)."""

import pandera.pandas as pa

from schemas.columns import code, decimal, integer, text
from schemas.source import RawSource

QUOTAS = [
    "Q1_OUTSIDE_QPV",
    "Q1_OUTSIDE_QPV_EXCL_STUDENTS",
    "Q234_IN_QPV",
    "PRIORITY",
    "TRANSFER",
    "ESSENTIAL_WORKER",
]
BASES = [
    "LEASES",
    "LEASES_OUTSIDE_QPV",
    "LEASES_OUTSIDE_QPV_EXCL_STUDENTS",
    "LEASES_IN_QPV",
    "LEASES_BY_RESERVATION_HOLDER",
]

SCHEMA = pa.DataFrameSchema(
    {
        "QUOTA": code(QUOTAS, "Quota the target applies to."),
        "TARGET": decimal("Target share (0-1).", min_value=0, max_value=1),
        "BASE": code(BASES, "Attributions the share is measured on."),
        "VALID_FROM": integer("Year the target applies from.", min_value=2000, max_value=2100),
        "SOURCE": text(
            "The legal text the target comes from (law article, agreement or CIA article)."
        ),
    },
    unique=["QUOTA", "VALID_FROM"],
    name="cia_policies",
)

SOURCE = RawSource(
    name="cia_policies",
    title="CIA territory policies",
    schema=SCHEMA,
    folder="cia",
    pattern=r"(?P<territory>LAW|ACD_\d{2,3}|\d{9})",
    file_columns={"territory": "_file_territory_id"},
    unique_per_file=True,
)
