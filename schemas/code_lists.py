"""The code lists of the raw sources and their labels, in English and French: the one place
they are written. The pandera schemas take their allowed values from here, and the dbt seed
``dbt_project/seeds/code_labels.csv`` is generated from here (``python3 -m
schemas.code_lists``), so the two cannot drift (``tests/test_code_lists.py``).
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

SEED = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "code_labels.csv"

RPLS = "RPLS, restricted layout of the social dwelling register (SDES)"
SNE = "SNE, demand and attribution register extracts (infocentre)"
OPS = "OPS, occupancy survey of the social stock"
ACD = "ACD 31 2025-2027, annex 4 (CRHH of 13 December 2022)"

# list -> (source, {code: (English label, French label)})
CODE_LISTS: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "rpls.TYPECONST": (
        RPLS,
        {
            "C": ("collective", "collectif"),
            "I": ("individual", "individuel"),
            "E": ("student", "étudiant"),
        },
    ),
    "rpls.ORIGINE": (
        RPLS,
        {
            "1": ("built by the landlord", "construit par le bailleur"),
            "2": ("acquired with works", "acquis avec travaux"),
            "3": ("acquired without works", "acquis sans travaux"),
            "4": ("VEFA (bought off-plan)", "VEFA (vente en l'état futur d'achèvement)"),
        },
    ),
    "rpls.FINAN": (
        RPLS,
        {
            "10": ("PLAI", "PLAI"),
            "11": ("PLA-LM/TS/insertion", "PLA-LM/TS/insertion"),
            "12": ("PLA ordinaire", "PLA ordinaire"),
            "13": ("PLUS", "PLUS"),
            "14": ("PLS/PPLS/PCLS", "PLS/PPLS/PCLS"),
            "15": ("PAP locatif", "PAP locatif"),
            "16": ("PLI", "PLI"),
            "17": ("PCL", "PCL"),
            "49": ("other", "autre"),
            "50": ("HBM (before 1977)", "HBM (avant 1977)"),
            "51": ("PLR/PSR (before 1977)", "PLR/PSR (avant 1977)"),
            "52": ("HLM/O (before 1977)", "HLM/O (avant 1977)"),
            "53": ("ILM (before 1977)", "ILM (avant 1977)"),
            "54": ("ILN (before 1977)", "ILN (avant 1977)"),
            "55": ("CFF special (before 1977)", "prêt spécial CFF (avant 1977)"),
            "99": ("other (before 1977)", "autre (avant 1977)"),
        },
    ),
    "rpls.CONV": (
        RPLS,
        {
            "1": ("under APL convention", "conventionné APL"),
            "2": ("not conventioned", "non conventionné"),
        },
    ),
    "rpls.MODE": (
        RPLS,
        {
            "1": ("let", "loué"),
            "2": ("vacant, offered for letting", "vacant, proposé à la location"),
            "3": ("empty (works, demolition, sale)", "vide (travaux, démolition, vente)"),
            "4": ("lent to an association", "mis à disposition d'une association"),
            "5": ("other occupation", "autre occupation"),
            "9": ("not applicable", "sans objet"),
        },
    ),
    "rpls.CONTRESLOG": (
        RPLS,
        {
            "1": ("State civil servants", "fonctionnaires de l'État"),
            "2": ("State priority", "contingent prioritaire de l'État"),
            "3": ("Action Logement", "Action Logement"),
            "4": ("local authorities", "collectivités territoriales"),
            "5": ("State conventional", "réservation conventionnelle de l'État"),
            "6": ("other holders", "autres réservataires"),
            "7": ("not reserved", "non réservé"),
        },
    ),
    "acd.ZONE": (
        ACD,
        {
            "1": ("very tense", "très tendue"),
            "2": ("tense", "tendue"),
            "3": ("moderately tense", "peu tendue"),
            "4": ("relaxed", "détendue"),
        },
    ),
    "sne.MOTIF_RADIATION": (
        SNE,
        {
            "RADATT": ("attribution", "attribution"),
            "RADABA": ("abandon", "abandon"),
            "RADIRR": ("inadmissible", "irrecevabilité"),
            "RADCON": ("unreachable", "injoignable"),
            "RADREN": ("not renewed", "non renouvelée"),
        },
    ),
    "sne.SITUATION_FAMILIALE": (
        SNE,
        {
            "C": ("single", "célibataire"),
            "M": ("married", "marié(e)"),
            "D": ("divorced", "divorcé(e)"),
            "S": ("separated", "séparé(e)"),
            "P": ("civil partnership (PACS)", "pacsé(e)"),
            "U": ("cohabiting", "en concubinage"),
            "V": ("widowed", "veuf ou veuve"),
        },
    ),
    "sne.TYPE_CONTRAT": (
        SNE,
        {
            "CDI": ("permanent contract", "CDI"),
            "CDD": ("fixed-term contract", "CDD, intérim"),
            "ART": ("self-employed", "artisan, commerçant, indépendant"),
            "CHO": ("unemployed", "chômage"),
            "APP": ("apprentice", "apprenti"),
            "ETU": ("student", "étudiant"),
            "RET": ("retired", "retraité"),
            "AUT": ("other", "autre"),
        },
    ),
    "sne.PLAFOND_RESSOURCES": (
        SNE,
        {
            "PLAI": ("under the PLAI ceiling", "sous le plafond PLAI"),
            "PLUS": ("under the PLUS ceiling", "sous le plafond PLUS"),
            "PLS": ("under the PLS ceiling", "sous le plafond PLS"),
            "SUP_PLS": ("above the PLS ceiling", "au-dessus du plafond PLS"),
            "NON_SAISI": ("not entered", "non renseigné"),
        },
    ),
    "sne.MODELE_LOGEMENT_ACTUEL": (
        SNE,
        {
            "HLM": ("social housing tenant", "locataire HLM"),
            "LP": ("private tenant", "locataire du parc privé"),
            "RS": ("social residence", "résidence sociale"),
            "RHVS": ("hotel-type social residence", "résidence hôtelière à vocation sociale"),
            "RE": ("student residence", "résidence étudiante"),
            "SLHT": ("sub-let or hotel", "sous-location ou hébergement temporaire"),
            "SH": ("shelter", "structure d'hébergement"),
            "CDEFCM": ("child welfare / maternity centre", "centre de l'enfance, foyer maternel"),
            "CPE": ("staff housing", "logement de fonction"),
            "CP": ("with parents", "chez les parents"),
            "LTG": ("housed by a third party", "hébergé chez un tiers"),
            "FONC": ("service housing", "logement de service"),
            "POCC": ("occupant without title", "occupant sans titre"),
            "CAMCAR": ("camping / caravan", "camping, caravane"),
            "HOT": ("hotel", "hôtel"),
            "SD": ("homeless", "sans domicile"),
            "SQUAT": ("squat", "squat"),
        },
    ),
    "sne.TYPE_LOGEMENT": (
        SNE,
        {
            "C": ("studio", "chambre"),
            "T1": ("1 room", "T1"),
            "T2": ("2 rooms", "T2"),
            "T3": ("3 rooms", "T3"),
            "T4": ("4 rooms", "T4"),
            "T5": ("5 rooms", "T5"),
            "T6P": ("6 rooms or more", "T6 et plus"),
        },
    ),
    "sne.STATUT_DALO": (
        SNE,
        {
            "NON": ("no DALO recognition", "pas de reconnaissance DALO"),
            "ACTIF": ("recognised, to rehouse", "reconnu, à reloger"),
            "CADUC": ("lapsed", "caduc"),
            "ACTREL": ("recognised, rehoused", "reconnu, relogé"),
        },
    ),
    "sne.RESERVATAIRE": (
        SNE,
        {
            "COLTER": ("local authorities", "collectivités territoriales"),
            "COLACT": ("Action Logement", "Action Logement"),
            "PPRIOR": ("State priority contingent", "contingent prioritaire de l'État"),
            "PFONCT": ("State civil servants", "fonctionnaires de l'État"),
            "AUTRES": ("other holders", "autres réservataires"),
            "AUCUN": ("landlord's non-reserved stock", "patrimoine non réservé du bailleur"),
        },
    ),
    "sne.DECISION": (
        SNE,
        {
            "ATTRIBUEE": ("attributed", "attribué"),
            "ATTRIBUEE_SOUS_CONDITION": ("attributed under condition", "attribué sous condition"),
            "NON_ATTRIBUEE": ("not attributed", "non attribué"),
            "IRRECEVABLE": ("inadmissible", "irrecevable"),
        },
    ),
    "sne.ISSUE": (
        SNE,
        {
            "BAIL_SIGNE": ("lease signed", "bail signé"),
            "REFUS_DEMANDEUR": ("refused by the applicant", "refus du demandeur"),
            "EN_ATTENTE": ("pending", "en attente"),
        },
    ),
    "sne.MOTIF": (
        SNE,
        {
            "01": ("without own housing", "sans logement propre"),
            "02": ("demolition", "démolition"),
            "03": ("indecent or unhealthy housing", "logement indigne ou insalubre"),
            "04": ("housing taken back or sold", "logement repris ou mis en vente"),
            "05": ("eviction procedure", "procédure d'expulsion"),
            "06": ("domestic violence", "violences familiales"),
            "07": ("disability", "handicap"),
            "08": ("health", "raisons de santé"),
            "09": ("housing too expensive", "logement trop cher"),
            "10": ("housing too large", "logement trop grand"),
            "11": ("divorce or separation", "divorce, séparation"),
            "12": ("leaving parents (decohabitation)", "décohabitation"),
            "13": ("future couple", "futur couple"),
            "14": ("family reunification", "regroupement familial"),
            "15": ("childminder", "assistante maternelle"),
            "16": ("neighbourhood problems", "problèmes de voisinage"),
            "17": ("closer to work", "rapprochement du lieu de travail"),
            "18": ("closer to services", "rapprochement des services"),
            "19": ("closer to family", "rapprochement familial"),
            "20": ("home owner in difficulty", "propriétaire en difficulté"),
            "21": ("housing too small", "logement trop petit"),
            "22": ("other reason", "autre motif"),
            "23": ("professional transfer", "mutation professionnelle"),
        },
    ),
    "ops.COMPOSITION": (
        OPS,
        {
            "PS": ("single person", "personne seule"),
            "CSE": ("couple without child", "couple sans enfant"),
            "CAE": ("couple with children", "couple avec enfants"),
            "FM": ("single-parent family", "famille monoparentale"),
            "AUT": ("other", "autre"),
        },
    ),
    "ops.RESSOURCES_PLAFOND": (
        OPS,
        {
            "1": ("under 20 % of PLUS ceilings", "moins de 20 % des plafonds PLUS"),
            "2": ("20-40 %", "20 à 40 %"),
            "3": ("40-60 %", "40 à 60 %"),
            "4": ("60-100 %", "60 à 100 %"),
            "5": ("over 100 %", "plus de 100 %"),
            "9": ("unknown", "inconnu"),
        },
    ),
    "ops.ACTIVITE_TITULAIRE": (
        OPS,
        {
            "EMPLOI_STABLE": ("stable job", "emploi stable"),
            "EMPLOI_PRECAIRE": ("precarious job", "emploi précaire"),
            "CHOMAGE": ("unemployed", "chômage"),
            "RETRAITE": ("retired", "retraité"),
            "INACTIF": ("inactive", "inactif"),
            "ETUDIANT": ("student", "étudiant"),
        },
    ),
}


def codes(code_list: str, *, integer: bool = False) -> list:
    """The codes of a list, as the schema's allowed values."""
    values = list(CODE_LISTS[code_list][1])
    return [int(v) for v in values] if integer else values


def code_labels_csv() -> str:
    """The dbt seed of code labels, as generated from the lists above."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code_list", "code", "label", "label_fr", "source"])
    for name, (source, labels) in CODE_LISTS.items():
        for code, (english, french) in labels.items():
            writer.writerow([name, code, english, french, source])
    return out.getvalue()


if __name__ == "__main__":
    SEED.write_text(code_labels_csv(), encoding="utf-8")
    print(f"wrote {SEED} ({sum(len(v[1]) for v in CODE_LISTS.values())} codes)", file=sys.stderr)
