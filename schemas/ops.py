"""OPS: the occupancy survey of social tenants (one row per occupied dwelling / household),
and the commercial-vacancy table that goes with it. ``;``-separated, UTF-8."""

import pandera.pandas as pa

from schemas.code_lists import codes
from schemas.columns import OUI_NON, SIRET_PATTERN, code, decimal, integer, row_check, text
from schemas.source import RawSource

SCHEMA = pa.DataFrameSchema(
    {
        "IDENT_REP": text(
            "Dwelling id in the register (joins RPLS).",
            pattern=r"^[A-Za-z0-9_-]{1,30}$",
            unique=True,
        ),
        "NB_OCCUPANTS": integer("Number of occupants.", min_value=1, max_value=20),
        "NB_ENFANTS": integer("Number of children under 18.", min_value=0, max_value=19),
        "AGE_TITULAIRE": integer("Age of the tenant of record.", min_value=16, max_value=115),
        "COMPOSITION": code(
            codes("ops.COMPOSITION"),
            "Household: PS single person, CSE couple without child, CAE couple with children, "
            "FM single-parent family, AUT other.",
        ),
        "RESSOURCES_PLAFOND": code(
            codes("ops.RESSOURCES_PLAFOND", integer=True),
            "Income as % of PLUS ceilings: 1 <20 %, 2 20-40 %, 3 40-60 %, 4 60-100 %, "
            "5 >100 %, 9 unknown.",
            integer=True,
        ),
        "APL": code(OUI_NON, "Household receives a housing allowance (APL/AL)."),
        "ACTIVITE_TITULAIRE": code(
            codes("ops.ACTIVITE_TITULAIRE"),
            "Activity of the tenant of record.",
        ),
        "MENAGE_EN_EMPLOI": code(OUI_NON, "Someone in the household has a job."),
        "IMPAYE_3_MOIS": code(OUI_NON, "Rent arrears over three months."),
        "EMMENAGE_RECENT": code(OUI_NON, "Moved in within the last two years."),
    },
    checks=[
        row_check(
            "children_fewer_than_occupants",
            '"NB_ENFANTS" < "NB_OCCUPANTS"',
            ["NB_ENFANTS", "NB_OCCUPANTS"],
            "A household has at least one adult occupant.",
        ),
    ],
    name="ops",
    description=__doc__,
)

SOURCE = RawSource(
    name="ops",
    title="OPS occupancy survey",
    schema=SCHEMA,
    folder="ops",
    pattern=r"ops_(?P<partition>\d{4})_(?P<dep>\d{2,3}|2A|2B)",
    partitioning="year",
    delimiter=";",
    file_columns={"dep": "_file_dep"},
)

VACANCY_SCHEMA = pa.DataFrameSchema(
    {
        "SIRET": text("Landlord's SIRET.", pattern=SIRET_PATTERN),
        "RESIDENCE_ID": text("The landlord's residence (joins RPLS RESIDENCE_ID)."),
        "TAUX_VACANCE_COMMERCIALE": decimal(
            "Share of empty shops around the residence (0-1).", min_value=0, max_value=1
        ),
    },
    unique=["SIRET", "RESIDENCE_ID"],
    name="vacance_commerciale",
    description="Commercial vacancy around each residence, from the OPS survey year.",
)

VACANCY_SOURCE = RawSource(
    name="vacance_commerciale",
    title="Commercial vacancy by residence",
    schema=VACANCY_SCHEMA,
    folder="ops",
    pattern=r"vacance_commerciale_(?P<partition>\d{4})",
    partitioning="year",
    delimiter=";",
)
