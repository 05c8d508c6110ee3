"""Territory policies of the intercommunal attribution agreements (``raw/cia/<TERRITORY_ID>.csv``,
UTF-8, ``,``-separated): one file per intercommunality with a CIA."""

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
        "SOURCE": text("Article of the CIA the target comes from."),
    },
    unique=["QUOTA", "VALID_FROM"],
    name="cia_policies",
)

SOURCE = RawSource(
    name="cia_policies",
    title="CIA territory policies",
    schema=SCHEMA,
    folder="cia",
    pattern=r"(?P<territory>\d{9}|[A-Z0-9_]+)",
    file_columns={"territory": "_file_territory_id"},
    unique_per_file=True,
)
