"""SNE code frequencies used by the generator (sample assumptions, not rules)."""

from schemas.sne import CIL, PDALHPD

RESERVATION_BY_CONTRESLOG = {
    "1": "PFONCT",
    "2": "PPRIOR",
    "3": "COLACT",
    "4": "COLTER",
    "5": "AUTRES",
    "6": "AUTRES",
    "7": "AUCUN",
}
PRIORITY_WEIGHTS = {
    **{f"PDALHPD_{c}": 1.0 for c in PDALHPD},
    "PDALHPD_HEBERGE": 4.0,
    "PDALHPD_SANS_LOGEMENT": 3.0,
    "PDALHPD_VIOLENCES": 2.0,
    "CSE": 2.0,
    "CSE_PLUS": 1.0,
    **{f"CIL_{c}": 0.5 for c in CIL},
}
CURRENT_HOUSING = {
    "HLM": 0.28,
    "LP": 0.30,
    "RS": 0.02,
    "RHVS": 0.01,
    "RE": 0.01,
    "SLHT": 0.01,
    "SH": 0.03,
    "CDEFCM": 0.01,
    "CPE": 0.01,
    "CP": 0.15,
    "LTG": 0.05,
    "FONC": 0.01,
    "POCC": 0.02,
    "CAMCAR": 0.01,
    "HOT": 0.03,
    "SD": 0.04,
    "SQUAT": 0.01,
}
# why a demand is struck off when no lease ends it: renewal missed, abandoned, unreachable, other
OTHER_STRIKE_OFFS = {"RADREN": 0.55, "RADABA": 0.30, "RADIRR": 0.05, "RADCON": 0.10}
