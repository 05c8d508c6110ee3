"""Small-count suppression (publication/policy.yml), numbers worked by hand, and a proof by
linear algebra that no hidden cell can be recomputed from the published totals."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pandas as pd

from publication.suppression import MartPolicy, policy, suppress, suppression_mask

COUNTS = MartPolicy(counts=("n",), derived={"rate": ("n",)})


def table(cells: dict[tuple[str, str], int]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"t": t, "l": landlord, "n": n, "rate": n / 100} for (t, landlord), n in cells.items()]
    )


def recomputable(frame: pd.DataFrame, hidden: pd.Series, grain: list[str]) -> list[int]:
    """Hidden cells that the published line totals (every total of every line: rows equal on
    all grain columns but one) determine exactly: x_i is determined iff the unit vector e_i
    lies in the row space of the constraints restricted to the hidden cells."""
    unknown = list(frame.index[hidden])
    if not unknown:
        return []
    rows = []
    for varying in grain:
        others = [g for g in grain if g != varying]
        for _, line in frame.groupby(others, dropna=False):
            rows.append([1.0 if i in line.index else 0.0 for i in unknown])
    a = np.array(rows)
    rank = np.linalg.matrix_rank(a)
    found = []
    for j, index in enumerate(unknown):
        unit = np.zeros(len(unknown))
        unit[j] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            found.append(index)
    return found


def test_hand_worked_two_by_three():
    #        L1  L2  L3
    #   T1    3  10  12     3 < 5: hidden; T1 then holds one hidden cell: its smallest other,
    #   T2    8   7  20     10, is hidden; column L1 holds one: 8 is hidden; column L2 then
    #                       holds one (10): 7 is hidden. L3 stays published.
    frame = table(
        {
            ("T1", "L1"): 3,
            ("T1", "L2"): 10,
            ("T1", "L3"): 12,
            ("T2", "L1"): 8,
            ("T2", "L2"): 7,
            ("T2", "L3"): 20,
        }
    )
    before = frame.copy()
    out = suppress(frame, ["t", "l"], COUNTS, threshold=5)
    hidden = out.n.isna()
    assert list(hidden) == [True, True, False, True, True, False]
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is left as it was
    assert out.loc[2, "n"] == 12 and out.loc[5, "n"] == 20
    # the derived rate goes with its count, and the row says what was withheld
    assert out.rate.isna().tolist() == hidden.tolist()
    assert out.suppressed_columns[0] == ["n", "rate"] and out.suppressed_columns[2] == []
    # row totals 25 and 35, column totals 11, 17, 32 are public: the four hidden cells keep
    # one degree of freedom (a + b = 13, c + d = 15, a + c = 11, b + d = 17)
    assert recomputable(frame, hidden, ["t", "l"]) == []


def test_without_secondary_the_hidden_cell_would_be_recomputed():
    frame = table({("T1", "L1"): 3, ("T1", "L2"): 10, ("T2", "L1"): 8, ("T2", "L2"): 7})
    primary_only = frame.n.between(1, 4)
    assert recomputable(frame, primary_only, ["t", "l"]) == [0]  # 3 = 13 - 10
    out = suppress(frame, ["t", "l"], COUNTS, threshold=5)
    assert out.n.isna().all()  # a 2x2 with one small cell: all four must go
    assert recomputable(frame, out.n.isna(), ["t", "l"]) == []


def test_zero_and_threshold_are_published():
    frame = table({("T1", "L1"): 0, ("T1", "L2"): 5, ("T2", "L1"): 6, ("T2", "L2"): 9})
    out = suppress(frame, ["t", "l"], COUNTS, threshold=5)
    assert out.n.tolist() == [0, 5, 6, 9]


def test_random_tables_never_leave_a_recomputable_cell():
    rng = random.Random(20261124)
    for _ in range(40):
        territories, landlords = rng.randint(2, 5), rng.randint(2, 5)
        cells = {
            (f"T{t}", f"L{landlord}"): rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40])
            for t, landlord in itertools.product(range(territories), range(landlords))
        }
        frame = table(cells)
        out = suppress(frame, ["t", "l"], COUNTS, threshold=5)
        hidden = out.n.isna()
        assert not out.n.dropna().between(1, 4).any()
        assert recomputable(frame, hidden, ["t", "l"]) == [], cells
        for key in ("t", "l"):  # never exactly one hidden cell in a line
            assert not (hidden.groupby(frame[key]).sum() == 1).any(), cells


def test_columns_that_add_up_within_a_row():
    # households = none + low + high; low = 2 is hidden; the smallest other part (high = 3,
    # itself small) is hidden too, and the shares computed from them go with them
    spec = MartPolicy(
        counts=("households", "none", "low", "high"),
        derived={"share_low": ("low", "households"), "share_none": ("none", "households")},
        column_sums=(("none", "low", "high"),),
    )
    frame = pd.DataFrame([{"c": "A", "households": 30, "none": 25, "low": 2, "high": 3}]).assign(
        share_low=lambda f: f.low / f.households, share_none=lambda f: f.none / f.households
    )
    mask = suppression_mask(frame, ["c"], spec, 5)
    assert mask.loc[0].to_dict() == {"households": False, "none": False, "low": True, "high": True}
    out = suppress(frame, ["c"], spec, 5)
    assert pd.isna(out.share_low[0]) and out.share_none[0] == 25 / 30
    frame.loc[0, ["none", "high"]] = [15, 13]  # low alone is small: the next smallest goes
    assert suppression_mask(frame, ["c"], spec, 5).loc[0, "high"]


def test_policy_is_data_with_its_source():
    rules = policy()
    assert rules.threshold == 5
    assert "fct_attribution" not in rules.marts and "fragility_household" not in rules.marts
    quota = rules.marts["quota_attainment"]
    assert quota.derived["rate"] == ("numerator", "denominator")


def test_lines_run_only_along_additive_columns():
    # two quotas of one territory: quotas are not parts of a whole, so hiding Q1's 3 leases
    # does not hide Q2's 40; landlords are, so L2's 8 goes with L1's 3
    frame = pd.DataFrame(
        [
            {"quota": "Q1", "l": "L1", "n": 3},
            {"quota": "Q1", "l": "L2", "n": 8},
            {"quota": "Q2", "l": "L1", "n": 40},
            {"quota": "Q2", "l": "L2", "n": 50},
        ]
    )
    spec = MartPolicy(counts=("n",), additive=("l",))
    assert suppression_mask(frame, ["quota", "l"], spec, 5).n.tolist() == [True, True, False, False]
    everywhere = MartPolicy(counts=("n",))  # unsaid: every grain column, the cautious default
    assert suppression_mask(frame, ["quota", "l"], everywhere, 5).n.tolist() == [True] * 4


def refusals(cells: dict[tuple[str, str, str], int]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"period": p, "year": int(p[:4]), "siret": s, "priority_category": c, "refusals": n}
            for (p, s, c), n in cells.items()
        ]
    )


REFUSALS_GRAIN = ["period", "siret", "priority_category"]


def test_a_new_quarter_never_changes_what_an_earlier_year_hides():
    # acd_refusals as policy.yml publishes it (apart by year). 2025:
    #            DALO  other        4 < 5: hidden; line (2025, DALO) then holds one: 9 goes;
    #   L1         4     12         line (2025, L1) holds one: 12 goes; line (2025, L2): 20
    #   L2         9     20         goes. Every 2025 cell is hidden, whatever 2026 holds.
    # 2026T1: L1 DALO 6, L1 other 30, L2 DALO 7, L2 other 40: nothing below 5, nothing hidden.
    # With lines across years (period additive, no apart), L1 DALO's 6 went with 2025's 4,
    # and a 2025 release and a 2026T1 release hid different cells.
    spec = policy().marts["acd_refusals"]
    assert spec.apart == ("year",)
    year_2025 = {
        ("2025", "L1", "DALO"): 4,
        ("2025", "L1", "other"): 12,
        ("2025", "L2", "DALO"): 9,
        ("2025", "L2", "other"): 20,
    }
    quarter = {
        ("2026T1", "L1", "DALO"): 6,
        ("2026T1", "L1", "other"): 30,
        ("2026T1", "L2", "DALO"): 7,
        ("2026T1", "L2", "other"): 40,
    }
    both = suppression_mask(refusals(year_2025 | quarter), REFUSALS_GRAIN, spec, 5)
    assert both.refusals.tolist() == [True] * 4 + [False] * 4
    across = MartPolicy(counts=spec.counts, additive=spec.additive)  # the rule before
    assert suppression_mask(refusals(year_2025 | quarter), REFUSALS_GRAIN, across, 5).refusals[4]


def test_each_year_is_suppressed_as_if_published_alone():
    # random refusal tables over two years: each year's rows hide the same cells with the
    # other year beside them as alone, and no hidden cell of 2025 (one period: a two-way
    # table) is recomputable from the totals of its lines
    spec = policy().marts["acd_refusals"]
    rng = random.Random(31)
    for _ in range(60):
        cells = {
            (p, s, c): rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40])
            for p in ("2025", "2026T1", "2026T2")
            for s in ("L1", "L2", "L3")
            for c in ("DALO", "other")
        }
        frame = refusals(cells)
        mask = suppression_mask(frame, REFUSALS_GRAIN, spec, 5).refusals
        for year in (2025, 2026):
            rows = (frame.year == year).to_numpy()
            alone = frame[rows].reset_index(drop=True)
            hidden = suppression_mask(alone, REFUSALS_GRAIN, spec, 5).refusals
            assert mask[rows].tolist() == hidden.tolist()
            if year == 2025:
                assert recomputable(alone, hidden, ["siret", "priority_category"]) == []


QUOTA_GRAIN = ["period", "level", "departement", "territory_id", "siret", "depcom", "quota"]


def test_a_rollup_total_and_its_parts_are_one_group():
    # quota_attainment's rollup, one quota of 2025 (numerator counts):
    #   département 30 = territory T1 30 = landlords L1 27 + L2 3; L1 = communes d1 20 + d2 7;
    #   L2 = commune d3 3.
    # 3 < 5: L2 and d3 are hidden; the landlords' line (T1) then holds one: L1's 27 goes.
    # Lines alone stop there, and L1 = d1 + d2 = 27 is given back by its communes. The group
    # {L1, d1, d2} holds one hidden cell: its smallest other, d2's 7, goes; then the line of
    # L1's communes holds one (d2): d1's 20 goes. Then L1 - d1 - d2 = 0, L1 + L2 = 30 and
    # L2 - d3 = 0: three equations, five unknowns, none determined.
    rows = [
        ("departement", None, None, None, 30),
        ("territory", "T1", None, None, 30),
        ("landlord", "T1", "L1", None, 27),
        ("landlord", "T1", "L2", None, 3),
        ("commune", "T1", "L1", "d1", 20),
        ("commune", "T1", "L1", "d2", 7),
        ("commune", "T1", "L2", "d3", 3),
    ]
    frame = pd.DataFrame(
        [
            {"period": "2025", "year": 2025, "level": lv, "departement": "31",
             "territory_id": t, "siret": s, "depcom": d, "quota": "Q", "numerator": n}
            for lv, t, s, d, n in rows
        ]
    )  # fmt: skip
    spec = policy().marts["quota_attainment"]
    hidden = suppression_mask(frame, QUOTA_GRAIN, spec, 5).numerator.tolist()
    assert hidden == [False, False, True, True, True, True, True]
    without = MartPolicy(counts=spec.counts, additive=spec.additive, apart=spec.apart)
    assert suppression_mask(frame, QUOTA_GRAIN, without, 5).numerator.tolist() == [
        False, False, True, True, False, False, True
    ]  # fmt: skip
    # the rollup's equations (total - parts = 0) restricted to the hidden cells
    unknown = [i for i, h in enumerate(hidden) if h]  # L1, L2, d1, d2, d3
    sums = [(0, [1]), (1, [2, 3]), (2, [4, 5]), (3, [6])]
    a = np.array(
        [[(i == total) - (i in parts) for i in unknown] for total, parts in sums], dtype=float
    )
    rank = np.linalg.matrix_rank(a)
    for j in range(len(unknown)):
        unit = np.eye(len(unknown))[j]
        assert np.linalg.matrix_rank(np.vstack([a, unit])) > rank, rows[unknown[j]]
