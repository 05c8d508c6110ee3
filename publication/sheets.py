"""Territorial sheets (fiches territoriales): one self-contained HTML page per territory and
year, in French, with its XLSX workbook of the same tables, from the published (suppressed)
marts, into ``warehouse/reports/``."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from html import escape
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from audit.lineage import code_version
from core.connection import connect
from ingestion.landing_zone import is_synthetic
from publication import charts, french, workbook
from publication.exports import carry_over, published_frame
from publication.french import Label, Labels, vocabulary
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


def _measure(row, column: str, missing: str) -> float | str | None:
    """A figure for a chart: the value, None when withheld (secret), else why it is missing."""
    value = _value(getattr(row, column))
    if value is not None:
        return value
    hidden = getattr(row, "suppressed_columns", None)
    return None if hidden is not None and column in list(hidden) else missing


@dataclass
class Table:
    """A table of a sheet: shown in the HTML page and written as a tab of the workbook."""

    tab: str  # the workbook tab's name (31 characters at most)
    frame: pd.DataFrame
    columns: dict[str, str]  # column -> French heading
    formats: dict[str, str] = field(default_factory=dict)  # column -> percent|decimal|label

    def cell(self, row, column: str) -> str:
        value = row[column]
        if value is None or (not isinstance(value, list | str | Label) and pd.isna(value)):
            hidden = row.get("suppressed_columns")
            hidden = [] if hidden is None or not len(hidden) else list(hidden)
            return charts.SUPPRESSED if column in hidden else ""
        if isinstance(value, Label):
            return value.text
        if isinstance(value, bool | np.bool_):
            return "oui" if value else "non"
        kind = self.formats.get(column)
        if kind == "percent":  # 0.375 is shown 37,5 %, never 0,4
            return french.percent(float(value))
        if kind == "auto":  # a whole number as such, else to the hundredth
            text = french.number(float(value), 2)
            return french.number(float(value)) if text.endswith(",00") else text
        if isinstance(value, float) or kind == "decimal":
            return french.number(float(value), 0 if kind == "integer" else 1)
        if isinstance(value, int | np.integer):
            return french.number(float(value))
        return str(value)

    def html(self) -> str:
        if self.frame.empty:
            return '<p class="empty">Aucune ligne.</p>'
        head = "".join(f"<th>{escape(label)}</th>" for label in self.columns.values())
        body = []
        for _, row in self.frame.iterrows():
            cells = []
            for column in self.columns:
                value, text = row[column], escape(self.cell(row, column))
                if isinstance(value, Label) and value.code != value.text:
                    text = f'<abbr title="code {escape(value.code)}">{text}</abbr>'
                cells.append(f"<td>{text}</td>")
            body.append(f"<tr>{''.join(cells)}</tr>")
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


@dataclass
class Section:
    title: str
    html: str
    charts: int
    tables: list[Table]


class SheetBuilder:
    """Reads the warehouse once (read-only) and writes as many sheets as asked."""

    def __init__(self, warehouse: Path, threshold: int | None = None):
        self.warehouse = warehouse
        self.threshold = policy().threshold if threshold is None else threshold
        self.con = connect(Path(warehouse), read_only=True)
        self.labels = Labels(self.con)
        self._published: dict[tuple, pd.DataFrame] = {}
        self._periods: dict[str, set[str]] = {}

    def close(self) -> None:
        self.con.close()

    def published(self, mart: str, **equal) -> pd.DataFrame:
        """A published mart, or its rows whose columns hold the ``equal`` values, each read
        or selected once for every sheet (France's quotas have 440,000 rows, of which the
        sheets read the territories' few hundred)."""
        key = (mart, *sorted(equal.items()))
        if key not in self._published:
            if equal:
                frame = self.published(mart)
                keep = np.logical_and.reduce([(frame[c] == v).to_numpy() for c, v in equal.items()])
                self._published[key] = frame[keep]
            else:
                self._published[key] = published_frame(self.con, mart, self.threshold)
        return self._published[key]

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
        latest quarter to date of that year (``2026T3``: "cumul de l'année à fin T3")."""
        if mart not in self._periods:
            self._periods[mart] = {str(p) for p in self.published(mart).period.unique()}
        periods = self._periods[mart]
        if str(year) in periods:
            return str(year), str(year)
        quarters = sorted(p for p in periods if p.startswith(f"{year}T"))
        if not quarters:
            return str(year), str(year)
        return quarters[-1], f"{year}, cumul de l'année à fin {quarters[-1][4:]}"

    def marts_run(self) -> str:
        """The run that built the marts this sheet reads (from audit.lineage)."""
        try:
            (run,) = self.con.execute(
                "SELECT max_by(run_id, materialized_at) FROM audit.lineage "
                "WHERE asset_key LIKE 'marts/%'"
            ).fetchone()
        except duckdb.CatalogException:
            run = None
        return run or "non enregistré"

    # -- sections ---------------------------------------------------------------------------
    def stock(self, territory: str, year: int) -> Section:
        title = "Parc social"
        rows = self.con.execute(
            """
            WITH vintage AS (SELECT max(vintage) v FROM marts.fct_dwelling_stock
                             WHERE vintage <= $2)
            SELECT s.is_in_qpv, coalesce(s.finan_class, 'unknown') AS finan_class,
                   count(*) AS dwellings, any_value(s.vintage) AS vintage
            FROM marts.fct_dwelling_stock s JOIN marts.dim_commune c USING (depcom)
            WHERE c.territory_id = $1 AND s.vintage = (SELECT v FROM vintage)
            GROUP BY ALL ORDER BY 1, 2""",
            [territory, year],
        ).df()
        if rows.empty:
            empty = '<p class="empty">Aucun répertoire des logements à cette date.</p>'
            return Section(title, empty, 0, [])
        rows["qpv"] = rows.is_in_qpv.map({True: "en QPV", False: "hors QPV"})
        rows["finan"] = [self.labels.of("finan_classes", c) for c in rows.finan_class]
        groups = [
            (qpv, list(zip(part.finan, part.dwellings.astype(float), strict=True)))
            for qpv, part in rows.groupby("qpv", sort=True)
        ]
        vintage = int(rows.vintage.max())
        note = f"<p>RPLS au 1er janvier {vintage} : tous les logements du répertoire.</p>"
        chart = charts.stacked_bars(
            f"Logements sociaux par financement, en et hors QPV (RPLS {vintage})",
            "nombre de logements",
            groups,
        )
        table = Table(
            "Parc social",
            rows,
            {"qpv": "Localisation", "finan": "Financement", "dwellings": "Logements"},
        )
        return Section(title, note + chart, 1, [table])

    def objectives(self, territory: str, year: int) -> Section:
        title = "Capacité d'accueil et objectifs"
        frame = self.published("capacity_objectives")
        frame = frame[
            (frame.year == year)
            & (frame.level == "landlord_territory")
            & (frame.territory_id == territory)
        ].sort_values("objective", ascending=False)
        table = Table(
            "Objectifs",
            frame,
            {
                "landlord_name": "Bailleur",
                "perimeter": "Périmètre (logements)",
                "capacity_existing": "Capacité, parc existant",
                "capacity_new": "Capacité, mises en service",
                "objective": "Objectif",
                "objective_revised": "Objectif révisé",
            },
            {"capacity_existing": "decimal", "capacity_new": "decimal"},
        )
        if frame.empty:  # the workbook keeps the tab, with its headings
            empty = '<p class="empty">Aucune capacité calculée pour cette année.</p>'
            return Section(title, empty, 0, [table])
        chart = charts.bar_chart(
            f"Objectif ACD {year} par bailleur",
            "ménages prioritaires à loger dans l'année",
            [(r.landlord_name, _value(r.objective)) for r in frame.itertuples()],
        )
        return Section(title, chart + table.html(), 1, [table])

    def attainment(self, territory: str, year: int) -> Section:
        title = "Atteinte des objectifs d'attribution"
        period, label = self.period("quota_attainment", year)
        frame = self.published("quota_attainment", level="territory")
        frame = frame[(frame.period == period) & (frame.territory_id == territory)].sort_values(
            ["quota", "reservation_holder"]
        )
        html, count, tables = "", 0, []
        if not frame.empty:
            frame = frame.assign(
                quota_label=[
                    self._quota(r.quota, r.reservation_holder) for r in frame.itertuples()
                ],
                status_label=[
                    None if pd.isna(s) else self.labels.of("statuses", s) for s in frame.status
                ],
            )
            items = [
                (r.quota_label, _value(r.rate), _value(r.target), r.status_label)
                for r in frame.itertuples()
            ]
            html += charts.bullet_chart(f"Objectifs d'attribution {label} : taux et cible", items)
            count += 1
            tables.append(
                Table(
                    "Objectifs d'attribution",
                    frame,
                    {
                        "quota_label": "Objectif",
                        "numerator": "Attributions visées",
                        "denominator": "Attributions",
                        "rate": "Taux",
                        "target": "Cible",
                        "status_label": "Statut",
                    },
                    {"rate": "percent", "target": "percent"},
                )
            )
        indicators = self.published("acd_indicators", level="landlord_territory")
        indicators = indicators[
            (indicators.period == period) & (indicators.territory_id == territory)
        ]
        table = Table(
            "Indicateurs ACD",
            indicators,
            {
                "landlord_name": "Bailleur",
                "objective_published": "Objectif (publié)",
                "indicator_a_entries": "A : entrées de ménages prioritaires",
                "indicator_a_met": "A atteint",
                "indicator_b_rate": "B : part des décisions aux prioritaires",
                "indicator_b_target": "Cible B",
                "indicator_b_met": "B atteint",
            },
            {"indicator_b_rate": "percent", "indicator_b_target": "percent"},
        )
        html += f"<h3>Indicateurs de l'ACD par bailleur ({escape(label)})</h3>" + table.html()
        return Section(title, html, count, [*tables, table])

    def _quota(self, quota: str, holder) -> Label:
        label = self.labels.of("quotas", quota)
        if holder in (None, "ALL") or pd.isna(holder):
            return label
        who = self.labels.reservation_holder(holder)
        return Label(f"{label.text} : {who.text}", f"{quota} ({holder})")

    def pressure(self, territory: str, year: int) -> Section:
        title = "Pression de la demande"
        frame = self.published("demand_pressure")
        frame = frame[(frame.period == str(year)) & (frame.territory_id == territory)]
        html, count, parts = "", 0, []
        dimensions = vocabulary()["dimensions"]
        for dimension, part in frame.groupby("dimension", sort=True):
            if dimension == "all":
                continue
            spec = dimensions.get(dimension, {"title": dimension})
            part = part.sort_values("value").assign(
                dimension_label=spec["title"],
                value_label=[self.labels.dimension_value(dimension, v) for v in part.value],
            )
            heading = spec["title"] + (f" (en {spec['unit']})" if "unit" in spec else "")
            html += charts.bar_chart(
                f"Pression de la demande selon : {heading.lower()}",
                "demandes actives au 31 décembre par demande satisfaite dans l'année",
                [
                    (r.value_label, _measure(r, "pressure", "aucune demande satisfaite"))
                    for r in part.itertuples()
                ],
                decimals=1,
            )
            parts.append(part)
            count += 1
        tables = []
        if parts:
            tables.append(
                Table(
                    "Pression de la demande",
                    pd.concat(parts),
                    {
                        "dimension_label": "Critère",
                        "value_label": "Valeur",
                        "active_dec31": "Demandes actives au 31/12",
                        "satisfied": "Demandes satisfaites",
                        "pressure": "Pression",
                    },
                    {"pressure": "decimal"},
                )
            )
        empty = '<p class="empty">Aucune demande cette année.</p>'
        return Section(title, html or empty, count, tables)

    def fragility(self, territory: str, year: int) -> Section:
        title = "Fragilité et résidences prioritaires"
        frame = self.published("fragility_commune")
        surveys = frame.survey_year[frame.survey_year <= year]
        if surveys.empty:
            empty = '<p class="empty">Aucune enquête OPS à cette date.</p>'
            return Section(title, empty, 0, [])
        survey = int(surveys.max())
        frame = frame[(frame.survey_year == survey) & (frame.territory_id == territory)]
        frame = frame.sort_values("share_high_or_very_high", ascending=False, na_position="last")
        chart = charts.bar_chart(
            f"Part des ménages en fragilité forte ou très forte, OPS {survey} "
            "(20 communes les plus concernées)",
            "part des ménages occupants (%)",
            [
                (
                    f"{r.commune_name} ({r.depcom})",
                    _measure(r, "share_high_or_very_high", "aucun ménage enquêté"),
                )
                for r in frame.head(20).itertuples()
            ],
            as_percent=True,
        )
        communes = Table(
            "Fragilité par commune",
            frame,
            {
                "commune_name": "Commune",
                "depcom": "Code commune",
                "households": "Ménages enquêtés",
                "share_high_or_very_high": "Part fragilité forte ou très forte",
            },
            {"share_high_or_very_high": "percent"},
        )
        priority = self.published("priority_residences")
        priority = priority[(priority.survey_year == survey) & (priority.territory_id == territory)]
        residences = Table(
            "Résidences prioritaires",
            priority.sort_values("share_high_or_very_high", ascending=False),
            {
                "residence_name": "Résidence",
                "commune_name": "Commune",
                "is_in_qpv": "En QPV",
                "households": "Ménages",
                "share_high_or_very_high": "Part fragilité forte ou très forte",
            },
            {"share_high_or_very_high": "percent"},
        )
        html = (
            chart
            + f"<h3>Résidences prioritaires (OPS {survey}) : {len(priority)}</h3>"
            + residences.html()
        )
        return Section(title, html, 1, [communes, residences])

    # -- page -------------------------------------------------------------------------------
    def write(self, territory: str, year: int | None, out_dir: Path, run_id: str = "") -> Sheet:
        """The HTML sheet and its workbook (same tables, same cells hidden), named by the
        territory's name and the year: ``fiche_sicoval_2025.html`` and ``.xlsx``."""
        territory_id, name = self.territory(territory)
        year = year or self.default_year()
        sections = [
            build(territory_id, year)
            for build in (
                self.stock,
                self.objectives,
                self.attainment,
                self.pressure,
                self.fragility,
            )
        ]
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / f"fiche_{french.slug(name)}_{year}.html"
        run = run_id or f"{self.marts_run()} (le run qui a construit les tables lues)"
        synthetic = is_synthetic(self.con)
        generated = french.date_time(dt.datetime.now())  # one date for the page and workbook
        path.write_text(
            self._page(name, territory_id, year, sections, run, synthetic, generated),
            encoding="utf-8",
        )
        notes = {
            "Fiche territoriale": f"{name} {year}",
            "Territoire (SIREN de l'EPCI)": territory_id,
            "Généré le": generated,
            "Run": run,
            "Version du code": code_version(),
            "Secret statistique": f"effectifs de ménages inférieurs à {self.threshold} "
            "remplacés par « secret », avec d'autres cellules masquées pour qu'aucune ne "
            f"puisse être recalculée par différence (politique de publication "
            f"{policy().version})",
            "Échantillon synthétique": "oui : chaque chiffre est inventé (attrib generate)"
            if synthetic
            else "non",
        }
        workbook.write(
            path.with_suffix(".xlsx"),
            [table for section in sections for table in section.tables],
            notes,
        )
        charts_drawn = sum(section.charts for section in sections)
        return Sheet(territory_id, name, year, path, charts_drawn)

    def _page(
        self,
        name: str,
        tid: str,
        year: int,
        sections: list[Section],
        run: str,
        synthetic: bool,
        generated: str,
    ) -> str:
        meta = (
            f"Fiche territoriale {year} &middot; EPCI {escape(tid)} (SIREN) &middot; générée le "
            f"{generated} par le run {escape(run)} (code {escape(code_version())})<br>Les "
            f"effectifs de ménages inférieurs à {self.threshold} sont remplacés par "
            "<em>secret</em>, et d'autres cellules sont masquées pour qu'aucune ne puisse être "
            f"recalculée à partir des totaux (politique de publication "
            f"{escape(policy().version)}). Le classeur <code>.xlsx</code> du même nom contient "
            "les mêmes tableaux."
        )
        return PAGE.format(
            title=escape(f"Fiche territoriale {name} {year}"),
            name=escape(name),
            meta=meta,
            sections="".join(
                f"<section><h2>{escape(s.title)}</h2>{s.html}</section>" for s in sections
            ),
            synthetic=SYNTHETIC_BANNER if synthetic else "",
        )


SYNTHETIC_BANNER = (
    '<p class="synthetic" style="background:#fde2e1;border:1px solid #c0392b;padding:.5rem">'
    "<strong>Échantillon synthétique</strong> : cette fiche est construite sur des extraits "
    "générés (attrib generate) ; chaque chiffre est inventé.</p>\n"
)

PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#222}}
h1{{margin-bottom:.2rem}} .meta{{color:#555;font-size:.9rem}}
section{{border-top:1px solid #ccc;margin-top:1.5rem}}
svg.chart{{max-width:100%;height:auto}} svg.chart text{{font-size:12px;fill:#222}}
svg.chart text.in-bar{{fill:#fff}}
svg.chart text.unit{{fill:#555;font-style:italic}} figure{{margin:1rem 0}}
.chart-title{{font-weight:600;margin:.5rem 0 .2rem}} .key{{margin-right:1rem}}
.key i{{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem}}
table{{border-collapse:collapse;font-size:.85rem;margin:.5rem 0}}
th,td{{border:1px solid #ddd;padding:.2rem .5rem;text-align:right}}
th:first-child,td:first-child{{text-align:left}} .empty{{color:#777;font-style:italic}}
abbr{{text-decoration:underline dotted}}
</style></head>
<body>
{synthetic}<h1>{name}</h1>
<p class="meta">{meta}</p>
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


LISTING = "sheets.json"  # in the reports folder: what the sheets there were written from


def sheet_year(warehouse: Path) -> int:
    """The year the sheets of a run show (SheetBuilder.default_year)."""
    builder = SheetBuilder(warehouse)
    try:
        return builder.default_year()
    finally:
        builder.close()


def stamp(year: int) -> dict:
    """What a set of sheets depends on besides the rows of its year: the code that lays them
    out and the publication policy that hides their cells."""
    return {
        "year": year,
        "code_version": code_version(),
        "policy_version": policy().version,
        "small_count_threshold": policy().threshold,
    }


def record_sheets(out_dir: Path, sheets: list[Sheet], written_by: dict, run_id: str) -> None:
    """The listing of the sheets a run wrote, with their stamp (a later run may keep them)."""
    listing = {
        **written_by,
        "run_id": run_id,
        "sheets": [{**asdict(s), "path": s.path.name} for s in sheets],
    }
    (out_dir / LISTING).write_text(json.dumps(listing, indent=2, ensure_ascii=False), "utf-8")


def carry_sheets(previous: Path, out_dir: Path, written_by: dict) -> list[Sheet] | None:
    """The previous publication's sheets in this run's reports folder (hard links), when they
    were written for the same year under the same stamp; None otherwise (write them again).
    The caller knows that no row they read has changed since (assets/publication.py)."""
    listing = previous / LISTING
    if not listing.is_file():
        return None
    old = json.loads(listing.read_text(encoding="utf-8"))
    if {k: old.get(k) for k in written_by} != written_by:
        return None
    files = [previous / name for name in sorted(p.name for p in previous.iterdir())]
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in files:
        if path.is_file():
            carry_over(path, out_dir / path.name)
    return [Sheet(**{**s, "path": out_dir / s["path"]}) for s in old["sheets"]]
