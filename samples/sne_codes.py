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
