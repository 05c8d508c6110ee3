"""Small-count suppression with secondary suppression, for everything published.

A table is seen as a set of *lines*: rows equal on every grain column but one additive
column (the cells a published total of that line adds up: landlords, communes, territories,
nested periods; not quotas or survey years), and groups of count columns of one row that add up to
another count (``column_sums``). A count in [1, threshold) is hidden (primary). Then, while a
line holds exactly one hidden cell, the smallest other cell of the line is hidden too
(secondary; non-zero cells first), so a hidden cell can never be recomputed as a total minus
the visible cells. Derived columns (rates, shares) of a row go with its counts. A statistic
of individuals (a quantile, a class) is withheld when it is computed from fewer individuals
than the threshold, and a list's rows below it are not published at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

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
        """The grain columns whose values add up to a published total (all when unsaid)."""
        return [g for g in grain if self.additive is None or g in self.additive]


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
        )
        for name, spec in (data.get("marts") or {}).items()
    }
    return Policy(int(data["small_count_threshold"]), str(data["version"]), marts)


def unclassified_columns(mart: str, columns: list[str]) -> list[str]:
    """Columns of a mart the policy does not classify: they may not be published."""
    spec = policy().marts.get(mart)
    known = spec.classified if spec else set()
    return [c for c in columns if c not in known]


def _hide_second(values: pd.Series, hidden: pd.Series, groups: pd.Series) -> pd.Series:
    """Cells to hide so that no group keeps exactly one hidden cell."""
    size = groups.map(groups.value_counts())
    lonely = groups[hidden].value_counts()
    lonely = set(lonely[lonely == 1].index)
    need = groups.isin(lonely) & (size > 1) & ~hidden & values.notna()
    if not need.any():
        return pd.Series(False, index=values.index)
    candidates = pd.DataFrame(
        {"group": groups[need], "zero": values[need] == 0, "value": values[need]}
    ).sort_values(["group", "zero", "value"], kind="stable")
    chosen = candidates.drop_duplicates("group").index
    return pd.Series(values.index.isin(chosen), index=values.index)


def suppression_mask(
    frame: pd.DataFrame, grain: list[str], spec: MartPolicy, threshold: int
) -> pd.DataFrame:
    """Boolean frame (rows x count columns): True where the count is hidden."""
    counts = [c for c in spec.counts if c in frame.columns]
    mask = pd.DataFrame(
        {c: frame[c].notna() & (frame[c] > 0) & (frame[c] < threshold) for c in counts},
        index=frame.index,
    )
    lines = [
        frame.groupby([g for g in grain if g != varying], dropna=False).ngroup()
        for varying in spec.varying(grain)
        if len(grain) > 1
    ]
    changed = True
    while changed:
        changed = False
        for column in counts:
            for groups in lines:
                extra = _hide_second(frame[column], mask[column], groups)
                if extra.any():
                    mask[column] |= extra
                    changed = True
        for group in spec.column_sums:
            long = frame[list(group)].stack(future_stack=True)
            hidden = mask[list(group)].stack(future_stack=True)
            rows = pd.Series(long.index.get_level_values(0), index=long.index)
            extra = _hide_second(long, hidden, rows)
            if extra.any():
                for (row, column), flag in extra[extra].items():
                    mask.loc[row, column] = flag
                changed = True
    return mask


def suppress(
    frame: pd.DataFrame, grain: list[str], spec: MartPolicy, threshold: int
) -> pd.DataFrame:
    """The frame as published: hidden counts and their row's derived columns set to null,
    and ``suppressed_columns`` listing what was hidden in each row (null is then never
    ambiguous between 'no data' and 'suppressed')."""
    out = frame.copy()
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
    names = mask.columns.to_numpy()
    out[SUPPRESSED_COLUMN] = [list(names[row]) for row in mask.to_numpy(dtype=bool)]
    return out
