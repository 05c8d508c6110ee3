"""The territorial sheet of a scenario: the scenario's changes at the top, then the baseline
and the scenario side by side for one territory and year (ACD objectives and capacities by
landlord, DALO sub-objectives, quota targets), in French, with its XLSX workbook. It reads the
scenario's ``marts.scenario_diff``; the figures it shows are objectives, capacities and targets,
none of them a count of households (quota gaps stay in the warehouse, for internal use)."""

from __future__ import annotations

import datetime as dt
import json
from html import escape
from pathlib import Path

import pandas as pd

from core.connection import connect
from publication import french, workbook
from publication.french import Label, Labels
from publication.sheets import PAGE, Section, Table
from whatif.changes import pairs

SIDE_BY_SIDE = {"baseline": "Référence", "scenario": "Scénario", "difference": "Écart"}
MEASURES = {
    "objective": "Objectif",
    "objective_unrounded": "Objectif avant arrondi",
    "capacity_existing": "Capacité, parc existant",
    "capacity_new": "Capacité, mises en service",
    "perimeter": "Périmètre (logements)",
    "dalo": "Sous-objectif DALO",
    "dalo_unrounded": "Sous-objectif DALO avant arrondi",
    "target": "Cible",
}


def _table(tab: str, frame: pd.DataFrame, rows: dict[str, str], percent: bool = False) -> Table:
    """Baseline, scenario and difference side by side, one line per row x measure."""
    order = {m: i for i, m in enumerate(MEASURES)}
    moved = frame.difference.abs().groupby([frame[r] for r in rows], dropna=False).transform("max")
    frame = frame.assign(
        measure_label=frame.measure.map(MEASURES), order=frame.measure.map(order), moved=-moved
    ).sort_values(["moved", *rows, "order"])  # what the scenario changes comes first
    kind = "percent" if percent else "auto"
    return Table(
        tab,
        frame,
        {**rows, "measure_label": "Mesure", **SIDE_BY_SIDE},
        {side: kind for side in SIDE_BY_SIDE},
    )


ACTIONS = {"set": "modifie", "add": "ajoute", "remove": "retire"}


def _described(change: tuple) -> tuple[str, str, str]:
    """A change in words: its id, what it does to which row, and its reason (``modifie
    acd_plans SIRET=... YEAR=2025 : YEAR 2025 -> 2026``)."""
    cid, action, source, key, current, new, reason = change[:7]
    key, current, new = (json.loads(v) if v else {} for v in (key, current, new))
    what = f"{ACTIONS.get(action, action)} {source} {pairs(key)}"
    if action == "set":
        was = {**key, **current}
        what += " : " + ", ".join(f"{c} {was.get(c, '?')} → {v}" for c, v in new.items())
    return cid, what, reason


def write_scenario_sheet(database: Path, territory: str, year: int | None, out_dir: Path) -> Path:
    con = connect(database, read_only=True)
    try:
        changes = con.execute(
            "SELECT change_id, action, source, key, current, new, reason, changes_sha256, "
            "changes_file FROM scenario.changes ORDER BY change_id"
        ).fetchall()
        name = con.execute("SELECT any_value(scenario) FROM scenario.changes").fetchone()[0]
        known = con.execute(
            "SELECT territory_id, territory_name FROM marts.dim_territory"
        ).fetchall()
        hit = [t for t in known if territory in t or territory.lower() == t[1].lower()]
        if len(hit) != 1:
            raise ValueError(
                f"territory {territory!r} not found; territories: "
                + ", ".join(f"{n} ({i})" for i, n in known)
            )
        tid, tname = hit[0]
        diff = con.execute(
            "SELECT * FROM marts.scenario_diff WHERE territory_id = ? OR part = 'dalo'", [tid]
        ).df()
        french_labels = Labels(con)
    finally:
        con.close()
    if year is None:
        changed = diff[diff.difference.abs() > 0]
        year = int((changed if not changed.empty else diff).year.min())
    if diff[diff.year == year].empty:
        years = ", ".join(str(y) for y in sorted(diff.year.dropna().unique()))
        raise ValueError(f"the scenario holds no figure for {year}; years: {years}")
    landlords = {"landlord_name": "Bailleur"}
    capacity = diff[
        (diff.part == "capacity") & (diff.year == year) & (diff.level == "landlord_territory")
    ]
    objectives = _table("Objectifs", capacity, landlords)
    dalo = diff[(diff.part == "dalo") & (diff.year == year)]
    dalo_table = _table("Sous-objectifs DALO", dalo, landlords)
    # targets only: a quota's gap derives from counts of households and is not published
    quota = diff[(diff.part == "quota") & (diff.period == str(year)) & (diff.measure == "target")]
    quota = quota.assign(
        quota=[french_labels.of("quotas", q) for q in quota.quota],
        reservation_holder=[
            Label("tous", "ALL") if h in (None, "ALL") else french_labels.reservation_holder(h)
            for h in quota.reservation_holder
        ],
    )
    quotas = _table(
        "Cibles d'attribution",
        quota,
        {"quota": "Objectif", "reservation_holder": "Réservataire"},
        percent=True,
    )
    described = [_described(c) for c in changes]
    listed = "".join(
        f"<li><strong>{escape(cid)}</strong> {escape(what)} : {escape(reason)}</li>"
        for cid, what, reason in described
    )
    sections = [
        Section(
            f"Scénario « {name} » : changements",
            f"<ul>{listed or '<li>Aucun changement.</li>'}</ul><p>Fichier des changements, "
            f"{escape(changes[0][8] if changes else '')}, sha256 "
            f"{escape(changes[0][7] if changes else '')}.</p>",
            0,
            [],
        ),
        Section(
            f"Objectifs ACD {year} : référence et scénario", objectives.html(), 0, [objectives]
        ),
        Section(f"Sous-objectifs DALO {year}", dalo_table.html(), 0, [dalo_table]),
        Section(f"Cibles d'attribution {year}", quotas.html(), 0, [quotas]),
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"fiche_{french.slug(tname)}_{year}_scenario_{french.slug(name)}.html"
    generated = french.date_time(dt.datetime.now())
    path.write_text(
        PAGE.format(
            title=escape(f"Fiche territoriale {tname} {year}, scénario {name}"),
            name=escape(f"{tname} : scénario « {name} »"),
            meta=f"Scénario comparé à sa référence &middot; EPCI {escape(tid)} (SIREN) "
            f"&middot; année {year} &middot; généré le {generated} depuis le scénario "
            f"<code>{escape(database.name)}</code>"
            "<br>Les objectifs, capacités et cibles ne sont pas des effectifs de ménages ; "
            "les écarts aux objectifs d'attribution restent dans l'entrepôt (marts."
            "scenario_diff). Les écarts sont calculés sur les valeurs avant arrondi : ils "
            "peuvent différer d'un centième de la différence des valeurs arrondies affichées.",
            sections="".join(
                f"<section><h2>{escape(s.title)}</h2>{s.html}</section>" for s in sections
            ),
            synthetic="",
        ),
        encoding="utf-8",
    )
    workbook.write(
        path.with_suffix(".xlsx"),
        [objectives, dalo_table, quotas],
        {
            "Scénario": name,
            "Territoire": f"{tname} ({tid})",
            "Année": str(year),
            "Fichier des changements": changes[0][8] if changes else "",
            "sha256 du fichier": changes[0][7] if changes else "",
            **{f"Changement {cid}": f"{what} : {reason}" for cid, what, reason in described},
        },
    )
    return path
