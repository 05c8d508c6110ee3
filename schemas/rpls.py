"""RPLS: the register of social dwellings (one row per dwelling on 1 January of the vintage).

Restricted ("full") layout, which carries the landlord. Files are ``;``-separated, ISO-8859-1,
with a French decimal comma in SURFHAB and LOYERPRINC, as the real ones.
"""

import pandera.pandas as pa

from schemas.code_lists import codes
from schemas.columns import DEPCOM_PATTERN, SIRET_PATTERN, code, decimal, integer, row_check, text
from schemas.source import RawSource

SCHEMA = pa.DataFrameSchema(
    {
        "IDENT_REP": text(
            "Dwelling id in the register, unique within a vintage.",
            pattern=r"^[A-Za-z0-9_-]{1,30}$",
            unique=True,
        ),
        "SIRET": text("Landlord's SIRET (14 digits).", pattern=SIRET_PATTERN),
        "RS": text("Landlord's raison sociale, as written in the register."),
        "DEPCOM": text("INSEE code of the commune (5 characters).", pattern=DEPCOM_PATTERN),
        "LIBCOM": text("Name of the commune."),
        "QPV": code([1, 2], "1 in a QPV (priority urban district), 2 outside.", integer=True),
        "QPV_CODE": text(
            "Code of the QPV (2015 generation QP0dd..., 2024 generation QN0dd...), empty outside. "
            "Any QPV of France: a code outside the agreement's reference list (acd_qpv) is kept "
            "and flagged in marts.dim_qpv.",
            pattern=r"^Q[PN]\d{6}$",
            nullable=True,
        ),
        "RESIDENCE_ID": text("The landlord's residence (ensemble) the dwelling belongs to."),
        "RESIDENCE_NOM": text("Name of the residence.", nullable=True),
        "TYPECONST": code(
            codes("rpls.TYPECONST"), "Building type: C collective, I individual, E student."
        ),
        "NBPIECE": integer("Number of main rooms (1-9).", min_value=1, max_value=9),
        "SURFHAB": decimal(
            "Floor area in m² (decimal comma in the file).",
            min_value=5,
            max_value=500,
            decimal_comma=True,
        ),
        "CONSTRUCT": integer("Year built.", min_value=1800, max_value=2100),
        "LOCAT": integer("Year first let.", min_value=1800, max_value=2100),
        "ORIGINE": code(
            codes("rpls.ORIGINE", integer=True),
            "1 built by the landlord, 2 acquired with works, 3 acquired without works, 4 VEFA.",
            integer=True,
        ),
        "FINAN": code(
            codes("rpls.FINAN", integer=True),
            "Financing: 10 PLAI, 11 PLA-LM/TS/insertion, 12 PLA ordinaire, 13 PLUS, 14 PLS/PPLS/"
            "PCLS, 15 PAP locatif, 16 PLI, 17 PCL, 49 other; before 1977: 50 HBM, 51 PLR/PSR, "
            "52 HLM/O, 53 ILM, 54 ILN, 55 CFF special, 99 other.",
            integer=True,
        ),
        "CONV": code(
            codes("rpls.CONV", integer=True), "1 under APL convention, 2 not.", integer=True
        ),
        "MODE": code(
            codes("rpls.MODE", integer=True),
            "Occupancy on 1 January: 1 let, 2 vacant offered, 3 empty (works, demolition, sale), "
            "4 lent to an association, 5 other occupation, 9 n/a.",
            integer=True,
        ),
        "CONTRESLOG": code(
            codes("rpls.CONTRESLOG", integer=True),
            "Reservation: 1 State civil servants, 2 State priority, 3 Action Logement, 4 local "
            "authorities, 5 State conventional, 6 other holders, 7 not reserved.",
            integer=True,
        ),
        "LOYERPRINC": decimal(
            "Monthly main rent in EUR (decimal comma); 9999 = not applicable.",
            min_value=0,
            max_value=9999,
            decimal_comma=True,
        ),
        "DPEENERGIE": code(
            list("ABCDEFG"), "Energy performance class A-G, empty if none.", nullable=True
        ),
    },
    checks=[
        row_check(
            "locat_not_before_construct",
            '"LOCAT" >= "CONSTRUCT"',
            ["LOCAT", "CONSTRUCT"],
            "A dwelling cannot be first let before it was built.",
        ),
        row_check(
            "qpv_code_iff_in_qpv",
            '("QPV" = 1) = ("QPV_CODE" IS NOT NULL)',
            ["QPV", "QPV_CODE"],
            "QPV_CODE is given exactly when QPV = 1.",
        ),
    ],
    name="rpls",
    description=__doc__,
)

SOURCE = RawSource(
    name="rpls",
    title="RPLS dwelling register",
    schema=SCHEMA,
    folder="rpls",
    pattern=r"rpls_(?P<partition>\d{4})_(?P<dep>\d{2,3}|2A|2B)",
    partitioning="year",
    delimiter=";",
    encoding="latin-1",
    file_columns={"dep": "_file_dep"},
)
