"""SNE: the national register of social-housing demands, and the attribution commissions'
decisions. ``;``-separated, UTF-8, ISO dates. A yearly extract (``..._2025``) supersedes the
quarterly ones of that year (``..._2025T1`` ...), each of which covers its own quarter."""

import pandera.pandas as pa

from schemas.code_lists import codes
from schemas.columns import (
    DEPCOM_PATTERN,
    OUI_NON,
    SIRET_PATTERN,
    code,
    date,
    decimal,
    integer,
    row_check,
    text,
)
from schemas.source import RawSource

PDALHPD = [
    "HANDICAP",
    "SORTIE_ACT",
    "MAL_LOGE",
    "HEBERGE",
    "REPRISE_ACTIVITE",
    "HABITAT_INDIGNE",
    "VIOLENCES",
    "AGRESSION",
    "PROSTITUTION",
    "TRAITE",
    "MINEURS_SUROCCUPATION",
    "SANS_LOGEMENT",
    "EXPULSION",
    "SORTIE_ASE",
]
CIL = ["ANRU_DEMOLITION", "QPV_DEMOLITION", "COPRO_DEGRADEE"]
PRIORITY_CODES = (
    ["DALO", "CSE", "CSE_PLUS"] + [f"PDALHPD_{c}" for c in PDALHPD] + [f"CIL_{c}" for c in CIL]
)
DEMAND_NUMBER = r"^[A-Z0-9]{18}$"
SNE_PARTITION = r"(?P<partition>\d{4}(T[1-4])?)"

DEMANDS_SCHEMA = pa.DataFrameSchema(
    {
        "NUM_UNIQUE": text(
            "Demand number (18 characters): personal data. Checked in clear, then stored as "
            "its keyed hash (HMAC-SHA256, 64 hex digits): the number never enters the "
            "warehouse.",
            pattern=DEMAND_NUMBER,
            unique=True,
            pseudonymised=True,
        ),
        "DATE_CREATION": date("Date the demand was registered."),
        "DATE_RENOUVELLEMENT": date("Date of the last renewal.", nullable=True),
        "DATE_RADIATION": date("Date the demand was struck off, empty if active.", nullable=True),
        "MOTIF_RADIATION": code(
            codes("sne.MOTIF_RADIATION"),
            "Why it was struck off: RADATT attribution, RADABA abandon, RADIRR inadmissible, "
            "RADCON unreachable, RADREN not renewed.",
            nullable=True,
        ),
        "DEPCOM_SOUHAITE_1": text(
            "First-choice commune (INSEE code): the demand's territory.", pattern=DEPCOM_PATTERN
        ),
        "DEPCOM_SOUHAITE_2": text("Second-choice commune.", pattern=DEPCOM_PATTERN, nullable=True),
        "DEPCOM_SOUHAITE_3": text("Third-choice commune.", pattern=DEPCOM_PATTERN, nullable=True),
        "DEPCOM_ACTUEL": text("Commune of current housing.", pattern=DEPCOM_PATTERN, nullable=True),
        "AGE": integer("Age of the applicant.", min_value=16, max_value=120),
        "SITUATION_FAMILIALE": code(
            codes("sne.SITUATION_FAMILIALE"),
            "C single, M married, D divorced, S separated, P civil partnership, U cohabiting, "
            "V widowed.",
        ),
        "NB_PERSONNES": integer("Persons in the household.", min_value=1, max_value=20),
        "NB_14_ANS_ET_PLUS": integer("Persons aged 14 or more.", min_value=1, max_value=20),
        "NB_MOINS_14_ANS": integer("Children under 14.", min_value=0, max_value=19),
        "TYPE_CONTRAT": code(
            codes("sne.TYPE_CONTRAT"),
            "Applicant's situation: CDI permanent, CDD fixed-term, ART self-employed, CHO "
            "unemployed, APP apprentice, ETU student, RET retired, AUT other.",
        ),
        "REVENU_MENSUEL": decimal(
            "Monthly resources of the household in EUR (all resources).",
            min_value=0,
            max_value=1_000_000,
        ),
        "PLAFOND_RESSOURCES": code(codes("sne.PLAFOND_RESSOURCES"), "SNE income-ceiling band."),
        "MODELE_LOGEMENT_ACTUEL": code(
            codes("sne.MODELE_LOGEMENT_ACTUEL"), "Current housing (HLM = already a social tenant)."
        ),
        "MOTIF": code(codes("sne.MOTIF"), "Main reason of the demand (01-23)."),
        "TYPE_LOGEMENT": code(codes("sne.TYPE_LOGEMENT"), "Requested size (C = studio)."),
        "STATUT_DALO": code(
            codes("sne.STATUT_DALO"),
            "DALO status: NON none, ACTIF recognised and to rehouse, CADUC lapsed, ACTREL "
            "rehoused.",
        ),
        "PRIORITE": code(
            PRIORITY_CODES,
            "Priority label: DALO, PDALHPD_<criterion>, CSE, CSE_PLUS, CIL_<criterion>; "
            "empty if none.",
            nullable=True,
        ),
        "TRAVAILLEUR_ESSENTIEL": code(
            ["OUI", "NON", "NONDOC"], "Worker of an essential sector (NONDOC = not documented)."
        ),
        "RELOGEMENT_RU": code(OUI_NON, "Household to rehouse by urban renewal."),
    },
    checks=[
        row_check(
            "household_size_adds_up",
            '"NB_PERSONNES" = "NB_14_ANS_ET_PLUS" + "NB_MOINS_14_ANS"',
            ["NB_PERSONNES", "NB_14_ANS_ET_PLUS", "NB_MOINS_14_ANS"],
            "NB_PERSONNES = NB_14_ANS_ET_PLUS + NB_MOINS_14_ANS.",
        ),
        row_check(
            "radiation_after_creation",
            '"DATE_RADIATION" >= "DATE_CREATION"',
            ["DATE_RADIATION", "DATE_CREATION"],
            "A demand is struck off after it was created.",
        ),
        row_check(
            "radiation_reason_iff_date",
            '("DATE_RADIATION" IS NULL) = ("MOTIF_RADIATION" IS NULL)',
            ["DATE_RADIATION", "MOTIF_RADIATION"],
            "MOTIF_RADIATION is given exactly when DATE_RADIATION is.",
        ),
    ],
    name="sne_demandes",
    description=__doc__,
)

DEMANDS_SOURCE = RawSource(
    name="sne_demandes",
    title="SNE demands",
    schema=DEMANDS_SCHEMA,
    folder="sne",
    pattern=rf"demandes_{SNE_PARTITION}",
    partitioning="sne_period",
    delimiter=";",
)

DECISIONS_SCHEMA = pa.DataFrameSchema(
    {
        "NUM_UNIQUE": text(
            "Demand number of the candidate (joins the demands); stored as its keyed hash "
            "(HMAC-SHA256), like the demands'.",
            pattern=DEMAND_NUMBER,
            pseudonymised=True,
        ),
        "IDENT_REP": text(
            "The dwelling (joins RPLS when it was in the last vintage).",
            pattern=r"^[A-Za-z0-9_-]{1,30}$",
        ),
        "DEPCOM": text("Commune of the dwelling.", pattern=DEPCOM_PATTERN),
        "QPV": code([1, 2], "Dwelling in a QPV (1) or not (2).", integer=True),
        "SIRET": text("Landlord's SIRET.", pattern=SIRET_PATTERN),
        "DATE_CALEOL": date("Date of the attribution commission (CALEOL)."),
        "RANG": integer("Rank of the candidate for the dwelling (1-3).", min_value=1, max_value=3),
        "RESERVATAIRE": code(
            codes("sne.RESERVATAIRE"),
            "Reservation holder of the dwelling: COLTER local authorities, COLACT Action "
            "Logement, PPRIOR State priority contingent, PFONCT State civil servants, AUTRES "
            "others, AUCUN landlord's non-reserved stock.",
        ),
        "DECISION": code(
            codes("sne.DECISION"),
            "Commission decision.",
        ),
        "ISSUE": code(
            codes("sne.ISSUE"),
            "Outcome of an attribution: lease signed, refused by the applicant, pending; empty "
            "when not attributed.",
            nullable=True,
        ),
        "DATE_BAIL": date("Date the lease was signed.", nullable=True),
        "MOTIF_REFUS": text("Applicant's reason for refusing.", nullable=True),
    },
    checks=[
        row_check(
            "lease_date_iff_signed",
            "(coalesce(\"ISSUE\", '') = 'BAIL_SIGNE') = (\"DATE_BAIL\" IS NOT NULL)",
            ["ISSUE", "DATE_BAIL"],
            "DATE_BAIL is given exactly when the lease was signed.",
        ),
        row_check(
            "lease_after_commission",
            '"DATE_BAIL" >= "DATE_CALEOL"',
            ["DATE_BAIL", "DATE_CALEOL"],
            "A lease is signed after the commission.",
        ),
        row_check(
            "outcome_only_when_attributed",
            "\"ISSUE\" IS NULL OR \"DECISION\" IN ('ATTRIBUEE', 'ATTRIBUEE_SOUS_CONDITION')",
            ["ISSUE", "DECISION"],
            "Only an attributed dwelling has an outcome.",
        ),
    ],
    unique=["NUM_UNIQUE", "IDENT_REP", "DATE_CALEOL"],
    name="sne_attributions",
    description=__doc__,
)

DECISIONS_SOURCE = RawSource(
    name="sne_attributions",
    title="SNE attribution decisions",
    schema=DECISIONS_SCHEMA,
    folder="sne",
    pattern=rf"attributions_{SNE_PARTITION}",
    partitioning="sne_period",
    delimiter=";",
)
