"""Small-count suppression with secondary suppression, for everything published.

A table is seen as a set of *lines*: rows equal on every grain column but one additive
column (the cells a published total of that line adds up: landlords, communes, territories,
nested periods; not quotas or survey years), and groups of count columns of one row that add
up to another count (``column_sums``). A count in [1, threshold) is hidden (primary). Then,
while a line holds exactly one hidden cell, the smallest other cell of the line is hidden too
(secondary; non-zero cells first), so a hidden cell can never be recomputed as a total minus
the visible cells. A row of a rollup (a landlord's total) and the rows that add up to it (its
communes) form a group too. A line never crosses an ``apart`` column (a year): the rows of
each value are suppressed as if published alone, so a new quarter never changes what an
earlier year hides. Derived columns (rates, shares) of a row go with its counts. A statistic of
individuals (a quantile, a class) is withheld when it is computed from fewer individuals than
the threshold, and a list's rows below it are not published at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

POLICY_FILE = Path(__file__).with_name("policy.yml")
SUPPRESSED_COLUMN = "suppressed_columns"


@dataclass(frozen=True)
class MartPolicy:
    counts: tuple[str, ...] = ()
    derived: dict[str, tuple[str, ...]] = field(default_factory=dict)
    column_sums: tuple[tuple[str, ...], ...] = ()
    additive: tuple[str, ...] | None = None
    statistics: dict[str, str] = field(default_factory=dict)
    members_min: str | None = None
    not_personal: tuple[str, ...] = ()
    apart: tuple[str, ...] = ()
    # rows that add up to a row of the level above: (level column, ((child, key, parent), ...))
    rollup: tuple[str, tuple[tuple[str, str, str], ...]] | None = None

    @property
    def classified(self) -> set[str]:
        """Every column the policy says something of."""
        return (
            set(self.counts)
            | set(self.derived)
            | set(self.statistics)
            | set(self.not_personal)
            | {SUPPRESSED_COLUMN}
        )

    def varying(self, grain: list[str]) -> list[str]:
        """The grain columns whose values add up to a published total (all when unsaid), an
        ``apart`` column never."""
        return [
            g
            for g in grain
            if (self.additive is None or g in self.additive) and g not in self.apart
        ]

    def line_keys(self, grain: list[str], varying: str) -> list[str]:
        """What the cells of one line share: every grain column but ``varying``, and the
        ``apart`` columns (a line never crosses a year: each year is suppressed on its own)."""
        keys = [g for g in grain if g != varying]
        return keys + [c for c in self.apart if c not in keys]


@dataclass(frozen=True)
class Policy:
    threshold: int
    version: str
    marts: dict[str, MartPolicy] = field(default_factory=dict)


@cache
def policy(path: Path = POLICY_FILE) -> Policy:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    marts = {
        name: MartPolicy(
            counts=tuple(spec.get("counts", ())),
            derived={
                column: tuple(inputs) for column, inputs in (spec.get("derived") or {}).items()
            },
            column_sums=tuple(tuple(group) for group in spec.get("column_sums", ())),
            additive=tuple(spec["additive"]) if "additive" in spec else None,
            statistics=dict(spec.get("statistics") or {}),
            members_min=spec.get("members_min"),
            not_personal=tuple(spec.get("not_personal", ())),
            apart=tuple(spec.get("apart", ())),
            rollup=(
                (
                    spec["rollup"]["column"],
                    tuple((r["child"], r["by"], r["parent"]) for r in spec["rollup"]["steps"]),
                )
                if "rollup" in spec
                else None
            ),
        )
        for name, spec in (data.get("marts") or {}).items()
    }
    return Policy(int(data["small_count_threshold"]), str(data["version"]), marts)


def unclassified_columns(mart: str, columns: list[str]) -> list[str]:
    """Columns of a mart the policy does not classify: they may not be published."""
    spec = policy().marts.get(mart)
    known = spec.classified if spec else set()
    return [c for c in columns if c not in known]


def _hide_second(
    values: np.ndarray, hidden: np.ndarray, groups: np.ndarray, sizes: np.ndarray
) -> np.ndarray:
    """Cells to hide so that no group keeps exactly one hidden cell: in each group with one,
    the smallest other cell, non-zero cells first, the first in row order on a tie. Arrays,
    not Series: at national scale (400,000 rows of quotas) the loop runs a hundred times."""
    extra = np.zeros(len(values), dtype=bool)
    lonely = np.bincount(groups[hidden], minlength=len(sizes)) == 1
    need = lonely[groups] & (sizes[groups] > 1) & ~hidden & ~np.isnan(values)
    if not need.any():
        return extra
    where = np.flatnonzero(need)
    value, group = values[where], groups[where]
    order = np.lexsort((value, value == 0, group))  # stable: ties keep the row order
    ranked = group[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = ranked[1:] != ranked[:-1]
    extra[where[order[first]]] = True
    return extra


def _numbers(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    return frame[columns].to_numpy(dtype="float64", na_value=np.nan)


class ColumnCodes:
    """Each column of a frame as integer codes, made once: rows equal on some columns share a
    group id (nulls equal to each other, as ``groupby(dropna=False)``). A mart's lines group its
    rows on several sets of the same grain columns; grouped by pandas, each set factorised its
    text columns again (France's quotas, 500,000 rows: 1.0 s of its 1.7 s of suppression)."""

    def __init__(self, frame: pd.DataFrame):
        self.frame, self.codes = frame, {}

    def of(self, column: str) -> np.ndarray:
        if column not in self.codes:
            codes, _ = pd.factorize(self.frame[column], use_na_sentinel=False)
            self.codes[column] = codes.astype("int64", copy=False)
        return self.codes[column]

    def group_ids(self, keys: list[str]) -> np.ndarray:
        """A group id per row (0, 1, ... in no particular order), equal for rows equal on
        ``keys``."""
        ids, span = np.zeros(len(self.frame), dtype="int64"), 1
        for column in keys:  # mixed radix: one number per combination of codes
            codes = self.of(column)
            size = int(codes.max(initial=0)) + 1
            if span * size >= 1 << 62:  # made dense again before it could overflow
                ids, _ = pd.factorize(ids)
                span = int(ids.max(initial=0)) + 1
            ids, span = ids * size + codes, span * size
        ids, _ = pd.factorize(ids)  # dense, for bincount
        return ids.astype("int64", copy=False)


def rollup_groups(
    frame: pd.DataFrame, grain: list[str], spec: MartPolicy, codes: ColumnCodes
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each row of a level above (a landlord) with the rows that add up to it (its communes),
    as one group per rollup step: the total is a published cell too, so a group holding one
    hidden cell, the total or a part, gives it back (a landlord hidden, its one commune shown).
    Rows of other levels are each a group of one."""
    if spec.rollup is None or spec.rollup[0] not in frame.columns:
        return []
    column, steps = spec.rollup
    level = frame[column].to_numpy()
    groups = []
    for child, key, parent in steps:
        keys = [g for g in grain if g not in (column, key)]
        keys += [c for c in spec.apart if c not in keys]
        ids = codes.group_ids(keys)
        member = (level == child) | (level == parent)
        alone = np.flatnonzero(~member)
        ids[alone] = ids.max(initial=-1) + 1 + np.arange(len(alone))
        groups.append((ids, np.bincount(ids)))
    return groups


def suppression_mask(
    frame: pd.DataFrame, grain: list[str], spec: MartPolicy, threshold: int
) -> pd.DataFrame:
    """Boolean frame (rows x count columns): True where the count is hidden."""
    counts = [c for c in spec.counts if c in frame.columns]
    values = {c: _numbers(frame, [c])[:, 0] for c in counts}
    mask = {c: ~np.isnan(v) & (v > 0) & (v < threshold) for c, v in values.items()}
    lines, codes = [], ColumnCodes(frame)
    for varying in spec.varying(grain) if len(grain) > 1 else []:
        ids = codes.group_ids(spec.line_keys(grain, varying))
        lines.append((ids, np.bincount(ids)))
    lines += rollup_groups(frame, grain, spec, codes)
    sums = []
    for group in spec.column_sums:  # a row's cells that add up: one group per row
        cells = len(group)
        rows = np.repeat(np.arange(len(frame)), cells)
        sums.append((list(group), rows, np.full(len(frame), cells)))
    changed = True
    while changed:
        changed = False
        for column in counts:
            for groups, sizes in lines:
                extra = _hide_second(values[column], mask[column], groups, sizes)
                if extra.any():
                    mask[column] |= extra
                    changed = True
        for group, rows, sizes in sums:
            long = _numbers(frame, group).ravel()
            hidden = np.column_stack([mask[c] for c in group]).ravel()
            extra = _hide_second(long, hidden, rows, sizes).reshape(-1, len(group))
            if extra.any():
                for j, column in enumerate(group):
                    mask[column] |= extra[:, j]
                changed = True
    return pd.DataFrame(mask, index=frame.index, columns=counts)


def suppress(
    frame: pd.DataFrame, grain: list[str], spec: MartPolicy, threshold: int
) -> pd.DataFrame:
    """The frame as published: hidden counts and their row's derived columns set to null,
    and ``suppressed_columns`` listing what was hidden in each row (null is then never
    ambiguous between 'no data' and 'suppressed')."""
    out = frame.copy(deep=False)  # copy-on-write (pandas 3): the caller's frame never changes
    if spec.members_min:  # a list: a row below the threshold would name its individuals
        out = out[out[spec.members_min].fillna(0) >= threshold].reset_index(drop=True)
    if not spec.counts and not spec.statistics:
        return out
    mask = suppression_mask(out, grain, spec, threshold)
    for column, inputs in spec.derived.items():
        if column in out.columns:
            mask[column] = mask[[c for c in inputs if c in mask.columns]].any(axis=1)
    for column, units in spec.statistics.items():
        if column in out.columns:
            mask[column] = out[units].isna() | (out[units] < threshold)
    for column in mask.columns:  # nullable dtypes keep integers integers once masked
        out[column] = out[column].convert_dtypes().mask(mask[column])
    # each row's hidden columns, as a list: one list per pattern of hidden columns (a handful),
    # shared by the rows that have it (read-only), not one built per row
    names = list(mask.columns)
    codes = (mask.to_numpy(dtype=bool) @ (1 << np.arange(len(names), dtype=np.int64))).tolist()
    patterns = {code: [n for j, n in enumerate(names) if code >> j & 1] for code in set(codes)}
    out[SUPPRESSED_COLUMN] = [patterns[code] for code in codes]
    return out
