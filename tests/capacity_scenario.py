"""The hand-built capacity scenario shared by the capacity and reconciliation tests.

Landlord A (Promologis, rotation 8 %) holds annex 3's own "tableau de données type";
landlord B (3F, rotation 9 %) carries exclusions, deliveries, chaining, a sale share and a
revision. Weights: zone 1 42.5 % (21.25 % in QPV), zone 4 27.5 %."""

from __future__ import annotations

from tests.conftest import attrib_run
from tests.raw_builder import plan_row, rpls_row, write

A, B = "Promologis", "3F"


def register(vintage: int, edit_first_a_plus: bool = False) -> list[dict]:
    rows, n = [], iter(range(1, 10_000))

    def add(count, landlord, depcom, finan, **kw):
        for _ in range(count):
            rows.append(rpls_row(f"D{next(n):05d}", landlord, depcom, finan, **kw))

    # annex 3's data table: 31068 zone 4 out (10 PLS, 120 PLAI/PLUS), 31069 zone 1 in QPV
    # (50), 31069 out (30 PLS, 23), 31070 zone 4 out (48 PLS, 7)
    add(10, A, "31068", 14)
    add(1, A, "31068", 14 if edit_first_a_plus else 13)
    add(119, A, "31068", 13)
    add(50, A, "31069", 13, qpv=True)
    add(30, A, "31069", 14)
    add(23, A, "31069", 13)
    add(48, A, "31070", 14)
    add(7, A, "31070", 13)
    # B in Toulouse out of QPV: 10 PLUS + 4 PLS count (10.4); 2 student, 1 PLI (FINAN 16 OUT),
    # 1 thematic, 1 planned demolition and 1 planned sale are excluded
    add(10, B, "31555", 13)
    add(4, B, "31555", 14)
    add(2, B, "31555", 13, typeconst="E")
    add(1, B, "31555", 16)
    rows += [
        rpls_row("B-THEM", B, "31555", 13),
        rpls_row("B-DEMO", B, "31555", 13),
        rpls_row("B-SALE", B, "31555", 12),
    ]
    add(6, B, "31555", 10, qpv=True)  # 6 PLAI in QPV
    add(5, B, "31070", 52)  # pre-1977 HLM/O counted PLUS
    if vintage >= 2026:  # actually delivered in 2025: 8 PLS (10 planned)
        add(8, B, "31070", 14, locat=2025)
    return rows


def plans(first_revision: bool) -> list[dict]:
    later = 4 if first_revision else 99  # revision 1 replaces the 2026 delivery figure
    return [
        plan_row(
            B,
            2024,
            "DELIVERY",
            depcom="31555",
            qpv=False,
            finan_class="PLUS",
            housing="FAMILY",
            dwellings=3,
        ),
        plan_row(
            B,
            2024,
            "DELIVERY",
            depcom="31555",
            qpv=False,
            finan_class="PLUS",
            housing="STUDENT",
            dwellings=5,
        ),
        plan_row(
            B,
            2025,
            "DELIVERY",
            depcom="31070",
            qpv=False,
            finan_class="PLS",
            housing="FAMILY",
            dwellings=10,
        ),
        plan_row(
            B,
            2025,
            "DELIVERY",
            depcom="31555",
            qpv=True,
            finan_class="PLAI",
            housing="FAMILY",
            dwellings=2,
        ),
        plan_row(
            B,
            2026,
            "DELIVERY",
            depcom="31070",
            qpv=False,
            finan_class="PLUS",
            housing="FAMILY",
            dwellings=later,
        ),
        plan_row(
            B,
            2026,
            "DELIVERY",
            depcom="31070",
            qpv=False,
            finan_class="PLUS",
            housing="THEMATIC",
            dwellings=3,
        ),
        plan_row(B, 2025, "SALE_SHARE", share=0.1),
        plan_row(B, 2025, "THEMATIC", depcom="31555", qpv=False, ident="B-THEM"),
        plan_row(B, 2026, "DEMOLITION", depcom="31555", qpv=False, ident="B-DEMO"),
        plan_row(B, 2027, "SALE_UNITS", depcom="31555", qpv=False, ident="B-SALE"),
    ]


def build(raw, warehouse, edit=False):
    write(raw, "rpls/rpls_2024_31.csv", register(2024, edit), "rpls")
    write(raw, "rpls/rpls_2026_31.csv", register(2026, edit), "rpls")
    write(raw, "acd/plans_2025.csv", plans(False), "acd_plans")
    write(raw, "acd/plans_2025_r1.csv", plans(True), "acd_plans")
    write(
        raw,
        "acd/dalo.csv",
        [
            {"YEAR": "2025", "DALO_ACTIVE_PREV_DEC31": "1", "DALO_NEW_EXPECTED": "1"},
            {"YEAR": "2026", "DALO_ACTIVE_PREV_DEC31": "2", "DALO_NEW_EXPECTED": "0"},
        ],
        "acd_dalo",
    )
    attrib_run(raw, warehouse)
