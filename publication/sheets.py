"""Territorial sheets (fiches territoriales): one self-contained HTML page per territory and
year, from the published (suppressed) marts, into ``warehouse/reports/``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from audit.lineage import code_version
from core.connection import connect
from ingestion.landing_zone import is_synthetic
from publication import charts
from publication.exports import published_frame
from publication.suppression import policy


class SheetError(Exception):
    """The territory or year asked for has no data; the message says what exists."""


@dataclass
class Sheet:
    territory_id: str
    territory_name: str
    year: int
    path: Path
    charts: int


def _value(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _table(frame: pd.DataFrame, columns: dict[str, str]) -> str:
    if frame.empty:
        return '<p class="empty">No row.</p>'
    head = "".join(f"<th>{escape(label)}</th>" for label in columns.values())
    body = []
    for _, row in frame.iterrows():
        cells = []
        for column in columns:
            value = row[column]
            if value is None or (not isinstance(value, list | str) and pd.isna(value)):
                text = charts.SUPPRESSED if column in row.get("suppressed_columns", []) else ""
            elif isinstance(value, bool | np.bool_):
                text = "yes" if value else "no"
            elif isinstance(value, float):
                shares = ("share", "rate", "target")  # 0.375 is shown 37.5 %, never 0.4
                text = f"{value:.1%}" if any(k in column for k in shares) else f"{value:,.1f}"
            else:
                text = str(value)
            cells.append(f"<td>{escape(text)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


class SheetBuilder:
    """Reads the warehouse once (read-only) and writes as many sheets as asked."""

    def __init__(self, warehouse: Path, threshold: int | None = None):
        self.warehouse = warehouse
        self.threshold = policy().threshold if threshold is None else threshold
        self.con = connect(Path(warehouse), read_only=True)
        self._published: dict[str, pd.DataFrame] = {}

    def close(self) -> None:
        self.con.close()

    def published(self, mart: str) -> pd.DataFrame:
        if mart not in self._published:
            self._published[mart] = published_frame(self.con, mart, self.threshold)
        return self._published[mart]

    def territories(self) -> pd.DataFrame:
        return self.con.execute(
            "SELECT territory_id, territory_name FROM marts.dim_territory ORDER BY 1"
        ).df()

    def territory(self, text: str) -> tuple[str, str]:
        known = self.territories()
        hit = known[
            (known.territory_id == text) | (known.territory_name.str.lower() == text.lower())
        ]
        if len(hit) != 1:
            names = ", ".join(f"{r.territory_name} ({r.territory_id})" for r in known.itertuples())
            raise SheetError(f"territory {text!r} not found; territories: {names}")
        return hit.iloc[0].territory_id, hit.iloc[0].territory_name

    def default_year(self) -> int:
        """The latest full SNE year loaded, else the latest capacity year, else this year."""
        for query in (
            "SELECT max(year) FROM marts.quota_attainment WHERE period_kind = 'year'",
            "SELECT max(year) FROM marts.capacity_objectives",
        ):
            try:
                (year,) = self.con.execute(query).fetchone()
            except duckdb.CatalogException:  # that mart is not built yet
                continue
            if year is not None:
                return int(year)
        return dt.date.today().year

    def period(self, mart: str, year: int) -> tuple[str, str]:
        """The SNE period a sheet shows for ``year``: the whole year once loaded, else the
        latest quarter to date of that year (``2026T3``: "year to date through T3")."""
        periods = set(self.published(mart).period.astype(str))
        if str(year) in periods:
            return str(year), str(year)
        quarters = sorted(p for p in periods if p.startswith(f"{year}T"))
        if not quarters:
            return str(year), str(year)
        return quarters[-1], f"{year}, year to date through {quarters[-1][4:]}"

    def marts_run(self) -> str:
        """The run that built the marts this sheet reads (from audit.lineage)."""
        try:
            (run,) = self.con.execute(
                "SELECT max_by(run_id, materialized_at) FROM audit.lineage "
                "WHERE asset_key LIKE 'marts/%'"
            ).fetchone()
        except duckdb.CatalogException:
            run = None
        return run or "not recorded"

    # -- sections ---------------------------------------------------------------------------
    def stock(self, territory: str, year: int) -> tuple[str, int]:
        rows = self.con.execute(
            """
            WITH vintage AS (SELECT max(vintage) v FROM marts.fct_dwelling_stock
                             WHERE vintage <= $2)
            SELECT CASE WHEN s.is_in_qpv THEN 'in QPV' ELSE 'outside QPV' END AS qpv,
                   coalesce(s.finan_class, 'unknown') AS finan_class, count(*) AS dwellings,
                   any_value(s.vintage) AS vintage
            FROM marts.fct_dwelling_stock s JOIN marts.dim_commune c USING (depcom)
            WHERE c.territory_id = $1 AND s.vintage = (SELECT v FROM vintage)
            GROUP BY ALL ORDER BY 1, 2""",
            [territory, year],
        ).df()
        if rows.empty:
            return '<p class="empty">No dwelling register at or before this year.</p>', 0
        groups = [
            (qpv, list(zip(part.finan_class, part.dwellings.astype(float), strict=True)))
            for qpv, part in rows.groupby("qpv", sort=True)
        ]
        note = f"<p>RPLS vintage {int(rows.vintage.max())}: every dwelling of the register.</p>"
        return note + charts.stacked_bars("Dwellings by financing class and QPV", groups), 1

    def objectives(self, territory: str, year: int) -> tuple[str, int]:
        frame = self.published("capacity_objectives")
        frame = frame[
            (frame.year == year)
            & (frame.level == "landlord_territory")
            & (frame.territory_id == territory)
        ].sort_values("objective", ascending=False)
        if frame.empty:
            return '<p class="empty">No capacity computed for this year.</p>', 0
        chart = charts.bar_chart(
            f"ACD objective {year} by landlord (priority households to house)",
            [(r.landlord_name, _value(r.objective)) for r in frame.itertuples()],
        )
        table = _table(
            frame,
            {
                "landlord_name": "Landlord",
                "perimeter": "Perimeter (dwellings)",
                "capacity_existing": "Capacity, existing stock",
                "capacity_new": "Capacity, new stock",
                "objective": "Objective",
                "objective_revised": "Revised objective",
            },
        )
        return chart + table, 1

    def attainment(self, territory: str, year: int) -> tuple[str, int]:
        period, label = self.period("quota_attainment", year)
        frame = self.published("quota_attainment")
        frame = frame[
            (frame.period == period)
            & (frame.level == "territory")
            & (frame.territory_id == territory)
        ].sort_values(["quota", "reservation_holder"])
        html, count = "", 0
        if not frame.empty:
            items = [
                (
                    r.quota
                    + (
                        ""
                        if r.reservation_holder in (None, "ALL")
                        else f" ({r.reservation_holder})"
                    ),
                    _value(r.rate),
                    _value(r.target),
                    charts.SUPPRESSED if pd.isna(r.status) else r.status,
                )
                for r in frame.itertuples()
            ]
            html += charts.bullet_chart(f"Quotas {label}: rate against target", items)
            count += 1
        indicators = self.published("acd_indicators")
        indicators = indicators[
            (indicators.period == period)
            & (indicators.level == "landlord_territory")
            & (indicators.territory_id == territory)
        ]
        html += "<h3>ACD indicators by landlord</h3>" + _table(
            indicators,
            {
                "landlord_name": "Landlord",
                "objective_published": "Objective (published)",
                "indicator_a_entries": "A: priority entries",
                "indicator_a_met": "A met",
                "indicator_b_rate": "B: priority share of decisions",
                "indicator_b_target": "B target",
                "indicator_b_met": "B met",
            },
        )
        return html or '<p class="empty">No attribution in this year.</p>', count

    def pressure(self, territory: str, year: int) -> tuple[str, int]:
        frame = self.published("demand_pressure")
        frame = frame[(frame.period == str(year)) & (frame.territory_id == territory)]
        html, count = "", 0
        for dimension, part in frame.groupby("dimension", sort=True):
            if dimension == "all":
                continue
            part = part.sort_values("value")
            html += charts.bar_chart(
                f"Demand pressure by {dimension.replace('_', ' ')} "
                "(active demands at 31 Dec per satisfied demand)",
                [(str(r.value), _value(r.pressure)) for r in part.itertuples()],
                decimals=1,
            )
            count += 1
        return html or '<p class="empty">No demand for this year.</p>', count

    def fragility(self, territory: str, year: int) -> tuple[str, int]:
        frame = self.published("fragility_commune")
        surveys = frame.survey_year[frame.survey_year <= year]
        if surveys.empty:
            return '<p class="empty">No OPS survey at or before this year.</p>', 0
        survey = int(surveys.max())
        frame = frame[(frame.survey_year == survey) & (frame.territory_id == territory)]
        frame = frame.sort_values("share_high_or_very_high", ascending=False, na_position="last")
        chart = charts.bar_chart(
            f"Share of households at high or very high fragility, OPS {survey} (top 20 communes)",
            [
                (f"{r.commune_name} ({r.depcom})", _value(r.share_high_or_very_high))
                for r in frame.head(20).itertuples()
            ],
            percent=True,
        )
        priority = self.published("priority_residences")
        priority = priority[(priority.survey_year == survey) & (priority.territory_id == territory)]
        table = f"<h3>Priority residences (OPS {survey}): {len(priority)}</h3>" + _table(
            priority.sort_values("share_high_or_very_high", ascending=False),
            {
                "residence_name": "Residence",
                "commune_name": "Commune",
                "is_in_qpv": "In QPV",
                "households": "Households",
                "share_high_or_very_high": "Share high or very high",
            },
        )
        return chart + table, 1

    # -- page -------------------------------------------------------------------------------
    def write(self, territory: str, year: int | None, out_dir: Path, run_id: str = "") -> Sheet:
        territory_id, name = self.territory(territory)
        year = year or self.default_year()
        sections, total = [], 0
        for title, build in (
            ("Social housing stock", self.stock),
            ("Capacity and objectives", self.objectives),
            ("Attainment of quotas and indicators", self.attainment),
            ("Demand pressure", self.pressure),
            ("Fragility and priority residences", self.fragility),
        ):
            html, count = build(territory_id, year)
            sections.append(f"<section><h2>{escape(title)}</h2>{html}</section>")
            total += count
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / f"fiche_{territory_id}_{year}.html"
        path.write_text(self._page(name, territory_id, year, sections, run_id), encoding="utf-8")
        return Sheet(territory_id, name, year, path, total)

    def _page(self, name: str, tid: str, year: int, sections: list[str], run_id: str) -> str:
        generated = dt.datetime.now().isoformat(timespec="seconds")
        return PAGE.format(
            title=escape(f"Fiche territoriale {name} {year}"),
            name=escape(name),
            tid=escape(tid),
            year=year,
            threshold=self.threshold,
            version=escape(policy().version),
            generated=generated,
            run=escape(run_id or f"{self.marts_run()} (the run that built the marts it reads)"),
            code=escape(code_version()),
            sections="".join(sections),
            synthetic=SYNTHETIC_BANNER if is_synthetic(self.con) else "",
        )


SYNTHETIC_BANNER = (
    '<p class="synthetic" style="background:#fde2e1;border:1px solid #c0392b;padding:.5rem">'
    "<strong>Synthetic sample</strong>: this sheet was built from generated extracts "
    "(attrib generate); every figure is made up.</p>\n"
)

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#222}}
h1{{margin-bottom:.2rem}} .meta{{color:#555;font-size:.9rem}}
section{{border-top:1px solid #ccc;margin-top:1.5rem}}
svg.chart text{{font-size:12px;fill:#222}} figure{{margin:1rem 0}}
figcaption{{font-size:.85rem;color:#444}} .key{{margin-right:1rem}}
.key i{{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem}}
table{{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}}
th,td{{border:1px solid #ddd;padding:.2rem .5rem;text-align:right}}
th:first-child,td:first-child{{text-align:left}} .empty{{color:#777;font-style:italic}}
</style></head>
<body>
{synthetic}<h1>{name}</h1>
<p class="meta">Territorial sheet {year} &middot; territory {tid} &middot; generated {generated}
by run {run} (code {code})<br>Counts of households below {threshold} are shown as
<em>secret</em>, with other cells hidden so that none can be recomputed from totals
(publication policy {version}).</p>
{sections}
<script>
// Self-check: every chart must have drawn at least one bar.
document.addEventListener("DOMContentLoaded", function () {{
  var charts = document.querySelectorAll("svg.chart"), drawn = 0;
  charts.forEach(function (svg) {{
    if (svg.querySelectorAll("rect.bar").length > 0) {{ drawn += 1; }}
    else {{ console.error("chart without bars: " + svg.getAttribute("aria-label")); }}
  }});
  document.body.dataset.chartsDrawn = String(drawn);
}});
</script>
</body></html>
"""


def write_sheets(
    warehouse: Path,
    out_dir: Path,
    territories: list[str] | None = None,
    year: int | None = None,
    threshold: int | None = None,
    run_id: str = "",
) -> list[Sheet]:
    builder = SheetBuilder(warehouse, threshold)
    try:
        wanted = territories or list(builder.territories().territory_id)
        return [builder.write(t, year, out_dir, run_id) for t in wanted]
    finally:
        builder.close()
