"""The bad rows the generator can inject (``--bad-rows``), per source: the column each defect
breaks and how. Every defect must be rejected by the source's pandera schema, row by row."""

DEFECTS = {
    "rpls": {
        "TYPECONST_not_listed": ("TYPECONST", lambda f: "Z"),
        "NBPIECE_not_integer": ("NBPIECE", lambda f: "x"),
        "SURFHAB_not_number": ("SURFHAB", lambda f: "n/a"),
        "FINAN_not_listed": ("FINAN", lambda f: "18"),
        "LOCAT_before_CONSTRUCT": (
            "LOCAT",
            lambda f: (f.CONSTRUCT.astype(int) - 3).astype(str).to_numpy(),
        ),
        "MODE_not_listed": ("MODE", lambda f: "7"),
        "DPEENERGIE_not_listed": ("DPEENERGIE", lambda f: "H"),
        "DEPCOM_malformed": ("DEPCOM", lambda f: "3155"),
    },
    "ops": {
        "COMPOSITION_not_listed": ("COMPOSITION", lambda f: "XX"),
        "APL_not_listed": ("APL", lambda f: "PEUT-ETRE"),
        "AGE_TITULAIRE_out_of_range": ("AGE_TITULAIRE", lambda f: "150"),
    },
    "sne_demandes": {
        "AGE_not_integer": ("AGE", lambda f: "abc"),
        "household_does_not_add_up": (
            "NB_PERSONNES",
            lambda f: (f.NB_PERSONNES.astype(int) + 1).astype(str).to_numpy(),
        ),
        "DATE_CREATION_invalid": ("DATE_CREATION", lambda f: "2024-13-45"),
        "STATUT_DALO_not_listed": ("STATUT_DALO", lambda f: "OUI"),
        "TYPE_LOGEMENT_not_listed": ("TYPE_LOGEMENT", lambda f: "T9"),
    },
    "sne_attributions": {
        "RANG_out_of_range": ("RANG", lambda f: "4"),
        "RESERVATAIRE_not_listed": ("RESERVATAIRE", lambda f: "ETAT"),
        "DATE_CALEOL_invalid": ("DATE_CALEOL", lambda f: "31/02/2025"),
    },
}
