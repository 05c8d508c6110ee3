"""ACD: the departmental collective agreement's tables and the landlords' plans (``raw/acd/``,
UTF-8, ``,``-separated). Reference tables are committed; plans and DALO counts are extracts."""

import pandera.pandas as pa

from schemas.code_lists import codes
from schemas.columns import DEPCOM_PATTERN, SIRET_PATTERN, code, decimal, integer, row_check, text
from schemas.source import RawSource

YEAR = {"min_value": 2000, "max_value": 2100}
SIREN_PATTERN = r"^\d{9}$"

COMMUNE_TENSION = pa.DataFrameSchema(
    {
        "DEPCOM": text("INSEE code of the commune.", pattern=DEPCOM_PATTERN, unique=True),
        "LIBCOM": text("Name of the commune."),
        "ZONE": code(
            codes("acd.ZONE", integer=True),
            "Social-housing tension zone: 1 very tense, 2 tense, 3 moderately tense, 4 relaxed "
            "(ACD annex 4, CRHH 13 Dec 2022).",
            integer=True,
        ),
    },
    name="acd_commune_tension",
)

TERRITORIES = pa.DataFrameSchema(
    {
        "DEPCOM": text("INSEE code of the commune.", pattern=DEPCOM_PATTERN, unique=True),
        "LIBCOM": text("Name of the commune."),
        "TERRITORY_ID": text(
            "Territory of the agreement: SIREN of the intercommunality, or RESTE_31.",
            pattern=r"^(\d{9}|RESTE_31)$",
        ),
        "TERRITORY_NAME": text("Territory name as printed in the agreement's tables."),
        "EPCI_SIREN": text(
            "SIREN of the commune's intercommunality (EPCI).", pattern=SIREN_PATTERN
        ),
        "EPCI_NAME": text("Name of the intercommunality."),
    },
    name="acd_territories",
)

LANDLORDS = pa.DataFrameSchema(
    {
        "SIRET": text("Landlord's SIRET.", pattern=SIRET_PATTERN),
        "NAME": text("Landlord's name as normalised in the published tables."),
        "ALIASES": text("Names used in the published tables, '|'-separated."),
        "ROTATION_RATE": decimal(
            "Rotation rate of the landlord's class (ACD annex 3); empty when not party to the "
            "agreement.",
            min_value=0,
            max_value=1,
            nullable=True,
        ),
        "VALID_FROM": integer("Year the rate applies from (a revised class is a new row).", **YEAR),
        "SOURCE": text("Legal source of the rate."),
    },
    unique=["SIRET", "VALID_FROM"],
    name="acd_landlords",
)

PARAMETERS = pa.DataFrameSchema(
    {
        "NAME": text(
            "Parameter name (dotted: zone_rate.1, finan_class.13 ...).",
            pattern=r"^[a-z0-9_]+(\.[A-Za-z0-9_]+)*$",
        ),
        "VALUE": text("Value, as text (numbers with a dot; lists '|'-separated).", nullable=True),
        "VALID_FROM": integer("Year the value applies from.", **YEAR),
        "SOURCE": text("Legal source or the project assumption it records."),
    },
    unique=["NAME", "VALID_FROM"],
    name="acd_parameters",
)

PUBLISHED_OBJECTIVES = pa.DataFrameSchema(
    {
        "TABLE": code(
            ["acd_summary", "annex1", "annex2", "cia_sicoval"],
            "Published table: agreement summary (§2.5), annex 1 (per landlord), annex 2 (per "
            "territory), Sicoval CIA table.",
        ),
        "YEAR": integer("Year of the objective.", **YEAR),
        "LANDLORD": text("Landlord (normalised name) or TOTAL."),
        "TERRITORY": text("Territory name or TOTAL."),
        "MEASURE": code(["objective", "dalo"], "objective (rehousings) or dalo (sub-objective)."),
        "VALUE": integer("Value as printed.", min_value=0),
    },
    unique=["TABLE", "YEAR", "LANDLORD", "TERRITORY", "MEASURE"],
    name="acd_published_objectives",
)

QPV = pa.DataFrameSchema(
    {
        "QPV_CODE": text("QPV code.", pattern=r"^Q[PN]\d{6}$", unique=True),
        "QPV_NAME": text("QPV name."),
        "DEPCOM": text("Commune of the QPV.", pattern=DEPCOM_PATTERN),
        "LIBCOM": text("Name of the commune."),
        "SOURCE": text("Decree listing the QPV, or 'synthetic'."),
    },
    name="acd_qpv",
)

PLAN_KINDS = ["DELIVERY", "DEMOLITION", "SALE_UNITS", "THEMATIC", "SALE_SHARE"]
PLANS = pa.DataFrameSchema(
    {
        "SIRET": text("Landlord's SIRET.", pattern=SIRET_PATTERN),
        "DEPCOM": text("Commune (empty for SALE_SHARE).", pattern=DEPCOM_PATTERN, nullable=True),
        "QPV": code([1, 2], "1 in a QPV, 2 outside (DELIVERY).", integer=True, nullable=True),
        "YEAR": integer("Year the event happens.", **YEAR),
        "KIND": code(
            PLAN_KINDS,
            "DELIVERY new units; DEMOLITION, SALE_UNITS, THEMATIC one register dwelling each; "
            "SALE_SHARE share of the landlord's stock frozen for sale.",
        ),
        "FINAN_CLASS": code(
            ["PLAI", "PLUS", "PLS", "OUT"], "ACD financing class (DELIVERY).", nullable=True
        ),
        "HOUSING": code(
            ["FAMILY", "STUDENT", "THEMATIC"], "Housing kind (DELIVERY).", nullable=True
        ),
        "DWELLINGS": integer("Number of new units (DELIVERY).", min_value=0, nullable=True),
        "SHARE": decimal(
            "Share frozen for sale (SALE_SHARE).", min_value=0, max_value=1, nullable=True
        ),
        "IDENT_REP": text(
            "Register dwelling (DEMOLITION, SALE_UNITS, THEMATIC).",
            pattern=r"^[A-Za-z0-9_-]{1,30}$",
            nullable=True,
        ),
    },
    checks=[
        row_check(
            "delivery_fields",
            '"KIND" <> \'DELIVERY\' OR ("DEPCOM" IS NOT NULL AND "QPV" IS NOT NULL AND '
            '"FINAN_CLASS" IS NOT NULL AND "HOUSING" IS NOT NULL AND "DWELLINGS" IS NOT NULL)',
            ["KIND", "DEPCOM", "QPV", "FINAN_CLASS", "HOUSING", "DWELLINGS"],
            "A DELIVERY row gives DEPCOM, QPV, FINAN_CLASS, HOUSING and DWELLINGS.",
        ),
        row_check(
            "dwelling_event_fields",
            "\"KIND\" NOT IN ('DEMOLITION', 'SALE_UNITS', 'THEMATIC') OR \"IDENT_REP\" IS NOT NULL",
            ["KIND", "IDENT_REP"],
            "A DEMOLITION, SALE_UNITS or THEMATIC row names the register dwelling (IDENT_REP).",
        ),
        row_check(
            "sale_share_fields",
            '"KIND" <> \'SALE_SHARE\' OR ("SHARE" IS NOT NULL AND "DEPCOM" IS NULL)',
            ["KIND", "SHARE", "DEPCOM"],
            "A SALE_SHARE row gives SHARE and no DEPCOM (it applies to the landlord's stock).",
        ),
    ],
    name="acd_plans",
)

DALO = pa.DataFrameSchema(
    {
        "YEAR": integer("Year of the DALO objective.", unique=True, **YEAR),
        "DALO_ACTIVE_PREV_DEC31": integer(
            "DALO households still to rehouse on 31 December of the previous year.", min_value=0
        ),
        "DALO_NEW_EXPECTED": integer(
            "DALO households expected to be recognised during the year.", min_value=0
        ),
    },
    name="acd_dalo",
)

Q1_THRESHOLDS = pa.DataFrameSchema(
    {
        "EPCI_SIREN": text("SIREN of the intercommunality.", pattern=SIREN_PATTERN),
        "YEAR": integer("Year the threshold applies to.", **YEAR),
        "THRESHOLD_EUR": decimal(
            "First-quartile threshold: yearly income per consumption unit, EUR.",
            min_value=0.01,
            max_value=100_000,
        ),
        "SOURCE": text("Arrêté or document setting the threshold."),
    },
    unique=["EPCI_SIREN", "YEAR"],
    name="acd_q1_thresholds",
)


def _reference(name: str, title: str, schema: pa.DataFrameSchema, stem: str) -> RawSource:
    return RawSource(name=name, title=title, schema=schema, folder="acd", pattern=stem)


SOURCES = [
    _reference(
        "acd_commune_tension", "ACD commune tension zones", COMMUNE_TENSION, "commune_tension"
    ),
    _reference("acd_territories", "ACD territories", TERRITORIES, "territories"),
    _reference("acd_landlords", "ACD landlords and rotation rates", LANDLORDS, "landlords"),
    _reference("acd_parameters", "ACD parameters", PARAMETERS, "parameters"),
    _reference(
        "acd_published_objectives",
        "ACD published objectives",
        PUBLISHED_OBJECTIVES,
        "published_objectives",
    ),
    _reference("acd_qpv", "QPV list", QPV, r"qpv(_[a-z0-9]+)?"),
    _reference("acd_dalo", "ACD DALO counts", DALO, "dalo"),
    _reference("acd_q1_thresholds", "First-quartile thresholds", Q1_THRESHOLDS, "q1_thresholds"),
    RawSource(
        name="acd_plans",
        title="Landlords' plans",
        schema=PLANS,
        folder="acd",
        pattern=r"plans_(?P<partition>\d{4})(_r(?P<revision>\d+))?",
        partitioning="year",
        file_columns={"revision": "_file_revision"},
    ),
]
