"""The dwelling universe of the sample, its RPLS vintages and the landlords' plans.

Every dwelling is drawn once with the year it was first let and, for demolitions and sales,
the year it leaves the register; a vintage (1 January V) is then the dwellings let before V
that have not left yet, so vintages, deliveries and plans agree with each other.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from samples.csv_out import decimals, ints
from samples.territory import MONTAUBAN_LANDLORDS, QPV_SHARE, Geography

BASE_VINTAGE = 2024
DELIVERY_YEARS = (2024, 2025, 2026)
PLAN_YEARS = (2024, 2025, 2026, 2027)
ZONE_DENSITY = {1: 1.6, 2: 1.0, 3: 0.6, 4: 0.35}
ZONE_RATE = {1: 0.425, 2: 0.375, 3: 0.325, 4: 0.275}
RESIDENCE_NAMES = [
    "Les Érables",
    "Le Château d'Eau",
    "Les Mûriers",
    "La Prairie",
    "Les Cèdres",
    "Bellevue",
    "Le Moulin",
    "Les Tilleuls",
    "La Garonne",
    "Les Pléiades",
    "Saint-Exupéry",
    "Les Peupliers",
    "Le Canal",
    "Les Jardins d'Occitanie",
    "La Fontaine",
    "Les Coteaux",
    "Le Parc",
    "L'Orée",
]
FINAN_CLASS = {
    10: "PLAI",
    11: "PLAI",
    12: "PLUS",
    13: "PLUS",
    14: "PLS",
    15: "OUT",
    16: "OUT",
    17: "OUT",
    49: "OUT",
    50: "PLUS",
    51: "PLUS",
    52: "PLUS",
    53: "OUT",
    54: "OUT",
    55: "OUT",
    99: "OUT",
}
RECENT_FINAN = (
    [10, 11, 12, 13, 14, 15, 16, 17, 49],
    [0.17, 0.03, 0.10, 0.48, 0.15, 0.01, 0.03, 0.01, 0.02],
)
OLD_FINAN = ([50, 51, 52, 53, 54, 55, 99], [0.10, 0.05, 0.70, 0.05, 0.04, 0.03, 0.03])


def commune_stock(geo: Geography, total: int, rng: np.random.Generator) -> pd.Series:
    """Dwellings per commune: territory totals follow the published objectives, communes within
    a territory follow population x tension; Grand Montauban follows its 2018 stock."""
    c = geo.communes
    weight = c.POPULATION.astype(float) ** 1.15 * c.ZONE.map(ZONE_DENSITY).fillna(1.0)
    weight[c.POPULATION.astype(float) < 400] *= 0.2
    published = geo.objectives.groupby("TERRITORY").VALUE.sum()
    stock = pd.Series(0.0, index=c.index)
    for name, rows in c.groupby("TERRITORY_NAME").groups.items():
        w = weight[rows] / weight[rows].sum()
        if name == "Grand Montauban":
            stock[rows] = c.SOCIAL_STOCK_HINT[rows].astype(float)
            continue
        mean_rate = float((w * c.ZONE[rows].map(ZONE_RATE)).sum())
        stock[rows] = w * published[name] / (0.078 * mean_rate)
    stock *= total / stock.sum()
    return pd.Series(rng.multinomial(total, (stock / stock.sum()).to_numpy()), index=c.DEPCOM)


def landlord_shares(geo: Geography) -> dict[str, pd.Series]:
    """Share of each landlord's stock in each territory, from objective / rotation rate."""
    rates = geo.landlords.set_index("NAME").ROTATION_RATE
    shares = {}
    for territory, rows in geo.objectives.groupby("TERRITORY"):
        s = rows.set_index("LANDLORD").VALUE / rates.reindex(rows.LANDLORD).to_numpy()
        s = s + s.sum() * 0.002
        shares[territory] = s / s.sum()
    mont = pd.Series(MONTAUBAN_LANDLORDS, dtype=float)
    shares["Grand Montauban"] = mont / mont.sum()
    return shares


def draw_universe(geo: Geography, total: int, rng: np.random.Generator) -> pd.DataFrame:
    """Every dwelling that exists in any vintage or delivery year of the sample."""
    per_commune = commune_stock(geo, total, rng)
    shares = landlord_shares(geo)
    siret = geo.landlords.set_index("NAME").SIRET
    communes = geo.communes.set_index("DEPCOM")
    parts = []
    for depcom, n in per_commune.items():
        if n == 0:
            continue
        info = communes.loc[depcom]
        share = shares[info.TERRITORY_NAME]
        counts = rng.multinomial(n, share.to_numpy())
        landlord = np.repeat(share.index.to_numpy(), counts)
        qpv_codes = geo.qpv[geo.qpv.DEPCOM == depcom].QPV_CODE.to_numpy()
        in_qpv = (rng.random(n) < QPV_SHARE.get(depcom, 0.0)) & (len(qpv_codes) > 0)
        parts.append(
            pd.DataFrame(
                {
                    "DEPCOM": depcom,
                    "LIBCOM": info.LIBCOM,
                    "LANDLORD": landlord,
                    "QPV": np.where(in_qpv, 1, 2),
                    "QPV_CODE": np.where(
                        in_qpv, rng.choice(qpv_codes, n) if len(qpv_codes) else None, None
                    ),
                }
            )
        )
    d = pd.concat(parts, ignore_index=True)
    n = len(d)
    d["SIRET"] = siret.reindex(d.LANDLORD).to_numpy()
    return identify(dwelling_attributes(d, rng))


def dwelling_attributes(d: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Build, financing, size and rent of placed dwellings (commune, landlord, QPV known)."""
    n = len(d)
    old = rng.random(n) < np.where(d.QPV == 1, 0.75, 0.30)
    d["CONSTRUCT"] = np.where(old, rng.integers(1950, 1977, n), rng.integers(1977, 2024, n))
    origine = rng.choice([1, 2, 3, 4], n, p=[0.62, 0.10, 0.08, 0.20])
    delay = np.where(np.isin(origine, [2, 3]), rng.integers(1, 30, n), rng.integers(0, 2, n))
    d["ORIGINE"] = origine
    d["LOCAT"] = np.minimum(d.CONSTRUCT + delay, BASE_VINTAGE - 1)
    # deliveries of 2024-2026: about 2.5 % of the stock a year, new and first let that year
    new = rng.random(n) < 0.075
    d.loc[new, "LOCAT"] = rng.choice(DELIVERY_YEARS, int(new.sum()))
    d.loc[new, "CONSTRUCT"] = d.loc[new, "LOCAT"] - rng.integers(0, 2, int(new.sum()))
    d.loc[new, "ORIGINE"] = rng.choice([1, 4], int(new.sum()), p=[0.4, 0.6])
    d.loc[new & (d.QPV == 1), ["QPV", "QPV_CODE"]] = [2, None]
    recent = d.CONSTRUCT >= 1977
    d["FINAN"] = np.where(
        recent,
        rng.choice(RECENT_FINAN[0], n, p=RECENT_FINAN[1]),
        rng.choice(OLD_FINAN[0], n, p=OLD_FINAN[1]),
    )
    d["HOUSING"] = np.where(
        new, rng.choice(["FAMILY", "STUDENT", "THEMATIC"], n, p=[0.92, 0.05, 0.03]), "FAMILY"
    )
    campus = d.DEPCOM.isin(["31555", "31446", "31588"]).to_numpy()
    student = (d.HOUSING == "STUDENT").to_numpy() | (~new & campus & (rng.random(n) < 0.02))
    d["TYPECONST"] = np.where(student, "E", np.where(rng.random(n) < 0.17, "I", "C"))
    d.loc[student, "HOUSING"] = "STUDENT"
    d["NBPIECE"] = np.where(
        student, 1, rng.choice([1, 2, 3, 4, 5, 6], n, p=[0.08, 0.22, 0.35, 0.25, 0.08, 0.02])
    )
    d["SURFHAB"] = np.round(12 + 17 * d.NBPIECE + rng.normal(0, 5, n).clip(-8, 15), 1)
    d["CONV"] = np.where(rng.random(n) < 0.93, 1, 2)
    d["CONTRESLOG"] = rng.choice(
        [1, 2, 3, 4, 5, 6, 7], n, p=[0.03, 0.22, 0.25, 0.20, 0.03, 0.02, 0.25]
    )
    per_m2 = d.FINAN.map(FINAN_CLASS).map({"PLAI": 5.6, "PLUS": 6.4, "PLS": 9.1, "OUT": 10.2})
    d["LOYERPRINC"] = np.round(d.SURFHAB * per_m2 * rng.uniform(0.85, 1.15, n), 2)
    d["DPEENERGIE"] = np.where(
        rng.random(n) < 0.08,
        None,
        rng.choice(list("ABCDEFG"), n, p=[0.03, 0.12, 0.30, 0.30, 0.15, 0.07, 0.03]),
    )
    d["SHELTER_DRAW"] = rng.random(n)
    d["EXIT_YEAR"] = pd.array([pd.NA] * n, dtype="Int64")
    d["EXIT_KIND"] = None
    return d


def identify(d: pd.DataFrame, offset: int = 0) -> pd.DataFrame:
    """Register ids and residences, stable across vintages (``offset`` for later chunks)."""
    d = d.sort_values(["SIRET", "DEPCOM", "QPV", "LOCAT"], kind="stable", ignore_index=True)
    d["IDENT_REP"] = [
        f"{dc[:2]}{s[-3:]}{i:07d}"
        for i, (dc, s) in enumerate(zip(d.DEPCOM, d.SIRET, strict=True), offset)
    ]
    group = d.groupby(["SIRET", "DEPCOM", "QPV"], sort=False).cumcount() // 30
    d["RESIDENCE_ID"] = (
        d.SIRET.str[-4:] + "-" + d.DEPCOM + "-" + d.QPV.astype(str) + group.map("{:03d}".format)
    )
    names = np.array(RESIDENCE_NAMES)
    code = pd.factorize(d.RESIDENCE_ID)[0]
    d["RESIDENCE_NOM"] = "Résidence " + names[code % len(names)]
    return d


def plan_exits(d: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Demolitions (old QPV stock), unit sales (mostly houses) and thematic units."""
    base = (d.LOCAT < BASE_VINTAGE) & (d.HOUSING == "FAMILY")
    n = len(d)
    demolish = base & (d.QPV == 1) & (d.CONSTRUCT < 1980) & (rng.random(n) < 0.02)
    sell = base & ~demolish & (rng.random(n) < np.where(d.TYPECONST == "I", 0.02, 0.002))
    thematic = base & ~demolish & ~sell & (rng.random(n) < 0.005)
    d = d.copy()
    d.loc[demolish, "EXIT_KIND"] = "DEMOLITION"
    d.loc[sell, "EXIT_KIND"] = "SALE_UNITS"
    d.loc[demolish | sell, "EXIT_YEAR"] = rng.choice(
        [2025, 2026, 2027], int((demolish | sell).sum())
    )
    d.loc[thematic, "HOUSING"] = "THEMATIC"
    return d


def vintage(d: pd.DataFrame, year: int, rng: np.random.Generator) -> pd.DataFrame:
    """The register on 1 January ``year``, in the RPLS column order and text formats."""
    v = d[(d.LOCAT < year) & (d.EXIT_YEAR.isna() | (d.EXIT_YEAR >= year))].copy()
    n = len(v)
    mode = rng.choice([1, 2, 3, 5, 9], n, p=[0.955, 0.025, 0.008, 0.007, 0.005])
    mode = np.where(v.SHELTER_DRAW < 0.015 + 0.003 * (year - BASE_VINTAGE), 4, mode)
    mode = np.where(v.EXIT_YEAR.fillna(0).to_numpy() == year, 3, mode)
    rent = np.where(mode == 9, 9999.0, v.LOYERPRINC)
    return pd.DataFrame(
        {
            "IDENT_REP": v.IDENT_REP,
            "SIRET": v.SIRET,
            "RS": v.LANDLORD,
            "DEPCOM": v.DEPCOM,
            "LIBCOM": v.LIBCOM,
            "QPV": ints(v.QPV).to_numpy(),
            "QPV_CODE": v.QPV_CODE,
            "RESIDENCE_ID": v.RESIDENCE_ID,
            "RESIDENCE_NOM": v.RESIDENCE_NOM,
            "TYPECONST": v.TYPECONST,
            "NBPIECE": ints(v.NBPIECE).to_numpy(),
            "SURFHAB": decimals(v.SURFHAB, 1, comma=True).to_numpy(),
            "CONSTRUCT": ints(v.CONSTRUCT).to_numpy(),
            "LOCAT": ints(v.LOCAT).to_numpy(),
            "ORIGINE": ints(v.ORIGINE).to_numpy(),
            "FINAN": ints(v.FINAN).to_numpy(),
            "CONV": ints(v.CONV).to_numpy(),
            "MODE": ints(mode).to_numpy(),
            "CONTRESLOG": ints(v.CONTRESLOG).to_numpy(),
            "LOYERPRINC": decimals(rent, 2, comma=True).to_numpy(),
            "DPEENERGIE": v.DPEENERGIE,
        }
    ).reset_index(drop=True)


def plans(d: pd.DataFrame, geo: Geography, rng: np.random.Generator) -> pd.DataFrame:
    """The landlords' plans for the agreement starting in 2025 (text columns)."""
    delivered = d[d.LOCAT >= BASE_VINTAGE].assign(FINAN_CLASS=d.FINAN.map(FINAN_CLASS))
    keys = ["SIRET", "DEPCOM", "QPV", "FINAN_CLASS", "HOUSING"]
    rows = []
    for year in PLAN_YEARS:
        source = delivered[delivered.LOCAT == min(year, 2026)]
        counts = source.groupby(keys).size().rename("DWELLINGS").reset_index()
        if year >= 2025:  # plans are forecasts: actual deliveries differ from them
            factor = (
                rng.uniform(0.8, 1.2, len(counts))
                if year > 2025
                else rng.uniform(0.9, 1.1, len(counts))
            )
            counts["DWELLINGS"] = np.maximum(0, np.round(counts.DWELLINGS * factor)).astype(int)
        counts["YEAR"], counts["KIND"] = year, "DELIVERY"
        rows.append(counts[counts.DWELLINGS > 0])
    exits = d[d.EXIT_KIND.notna()]
    rows.append(
        pd.DataFrame(
            {
                "SIRET": exits.SIRET,
                "DEPCOM": exits.DEPCOM,
                "QPV": exits.QPV,
                "YEAR": exits.EXIT_YEAR.astype(int),
                "KIND": exits.EXIT_KIND,
                "IDENT_REP": exits.IDENT_REP,
            }
        )
    )
    thematic = d[(d.HOUSING == "THEMATIC") & (d.LOCAT < BASE_VINTAGE)]
    rows.append(
        pd.DataFrame(
            {
                "SIRET": thematic.SIRET,
                "DEPCOM": thematic.DEPCOM,
                "QPV": thematic.QPV,
                "YEAR": 2025,
                "KIND": "THEMATIC",
                "IDENT_REP": thematic.IDENT_REP,
            }
        )
    )
    siret = geo.landlords.set_index("NAME").SIRET
    for name, share in (("Les Chalets", 0.01), ("Alteal", 0.005)):
        rows.append(
            pd.DataFrame(
                {
                    "SIRET": siret[name],
                    "YEAR": list(PLAN_YEARS[1:]),
                    "KIND": "SALE_SHARE",
                    "SHARE": share,
                }
            )
        )
    p = pd.concat(rows, ignore_index=True)
    return pd.DataFrame(
        {
            "SIRET": p.SIRET,
            "DEPCOM": p.DEPCOM,
            "QPV": ints(p.QPV).to_numpy(),
            "YEAR": ints(p.YEAR).to_numpy(),
            "KIND": p.KIND,
            "FINAN_CLASS": p.FINAN_CLASS,
            "HOUSING": p.HOUSING,
            "DWELLINGS": ints(p.DWELLINGS).to_numpy(),
            "SHARE": decimals(p.SHARE, 4).to_numpy(),
            "IDENT_REP": p.IDENT_REP,
        }
    )


def revise(plan: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Revision 1 of the plans: some 2026-2027 deliveries rescheduled (the highest wins)."""
    revised = plan.copy()
    later = revised.index[(revised.KIND == "DELIVERY") & (revised.YEAR.isin(["2026", "2027"]))]
    changed = later[rng.random(len(later)) < 0.2]
    old = revised.loc[changed, "DWELLINGS"].astype(int)
    revised.loc[changed, "DWELLINGS"] = (
        (old + rng.integers(-2, 4, len(changed))).clip(0).astype(str)
    )
    return revised
