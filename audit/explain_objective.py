"""``attrib explain objective``: the derivation tree of one ACD objective, from the raw rows
(file, line, sha256, vintage) through the parameters (with their legal source) to the
rounded figure. Reads the warehouse read-only."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.connection import connect


class ExplainError(Exception):
    """The figure asked for does not exist; the message says what does."""


@dataclass
class Lookup:
    con: duckdb.DuckDBPyConnection

    def rows(self, sql: str, params: list | None = None) -> list[dict]:
        cursor = self.con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def landlord(self, text: str) -> dict:
        found = self.rows(
            """
            SELECT siret, landlord_name FROM marts.dim_landlord
            WHERE siret = $1 OR lower(landlord_name) = lower($1)
               OR list_contains(list_transform(aliases, lambda a: lower(a)), lower($1))""",
            [text],
        )
        if len(found) != 1:
            known = ", ".join(
                r["landlord_name"]
                for r in self.rows("SELECT landlord_name FROM marts.dim_landlord ORDER BY 1")
            )
            raise ExplainError(f"landlord {text!r} not found; known landlords: {known}")
        return found[0]

    def territory(self, text: str) -> dict:
        found = self.rows(
            """
            SELECT territory_id, territory_name FROM marts.dim_territory
            WHERE territory_id = $1 OR lower(territory_name) = lower($1)""",
            [text],
        )
        if len(found) != 1:
            known = ", ".join(
                r["territory_name"]
                for r in self.rows("SELECT territory_name FROM marts.dim_territory ORDER BY 1")
            )
            raise ExplainError(f"territory {text!r} not found; known territories: {known}")
        return found[0]


def _files(lookup: Lookup, rows: list[dict]) -> list[dict]:
    """Group source rows by file: lines, sha256 and size from the load log."""
    by_file: dict[str, dict] = {}
    for row in rows:
        entry = by_file.setdefault(
            row["source_file"], {"file": row["source_file"], "load_id": row["load_id"], "lines": []}
        )
        entry["lines"].append(row["source_line"])
    for entry in by_file.values():
        log = lookup.rows(
            """SELECT file_sha256, file_size, loaded_at FROM raw_validated.load_log
                             WHERE load_id = $1 AND source_file = $2""",
            [entry["load_id"], entry["file"]],
        )
        entry["sha256"] = log[0]["file_sha256"] if log else None
        entry["lines"].sort()
    return list(by_file.values())


def explain_objective(warehouse: Path, year: int, landlord: str, territory: str) -> dict:
    con = connect(Path(warehouse), read_only=True)
    try:
        lookup = Lookup(con)
        lord, terr = lookup.landlord(landlord), lookup.territory(territory)
        key = [year, lord["siret"], terr["territory_id"]]
        target = lookup.rows(
            """
            SELECT * FROM marts.capacity_objectives
            WHERE year = $1 AND siret = $2 AND territory_id = $3
              AND level = 'landlord_territory'""",
            key,
        )
        if not target:
            years = [
                r["year"]
                for r in lookup.rows(
                    "SELECT DISTINCT year FROM marts.capacity_objectives ORDER BY 1"
                )
            ]
            raise ExplainError(
                f"no objective for {lord['landlord_name']} in "
                f"{terr['territory_name']} in {year} (years computed: {years})"
            )
        objective = target[0]
        agreement = lookup.rows(
            "SELECT * FROM intermediate.int_cap__agreement WHERE year = $1", [year]
        )[0]
        rotation = lookup.rows(
            """SELECT rotation_rate, rotation_valid_from, rotation_source
                                  FROM intermediate.int_cap__rotation
                                  WHERE year = $1 AND siret = $2""",
            key[:2],
        )[0]
        communes = []
        for cell in lookup.rows(
            """
                SELECT * FROM marts.capacity_by_commune
                WHERE year = $1 AND siret = $2 AND territory_id = $3
                ORDER BY depcom, is_in_qpv""",
            key,
        ):
            where = [year, lord["siret"], cell["depcom"], cell["is_in_qpv"]]
            weight = lookup.rows(
                """SELECT * FROM intermediate.int_cap__weights
                                    WHERE year = $1 AND depcom = $2 AND is_in_qpv = $3""",
                [year, cell["depcom"], cell["is_in_qpv"]],
            )[0]
            classes = []
            for part in lookup.rows(
                """
                    SELECT finan_class, base_dwellings, delivered_dwellings, dwellings,
                           class_share, perimeter
                    FROM intermediate.int_cap__perimeter
                    WHERE year = $1 AND siret = $2 AND depcom = $3 AND is_in_qpv = $4
                    ORDER BY finan_class""",
                where,
            ):
                base = lookup.rows(
                    """
                    SELECT source_file, source_line, load_id FROM marts.fct_dwelling_stock
                    WHERE vintage = $5 AND siret = $2 AND depcom = $3 AND is_in_qpv = $4
                      AND finan_class = $6 AND is_in_perimeter AND $1 > 0""",
                    [*where, agreement["base_vintage"], part["finan_class"]],
                )
                delivered = lookup.rows(
                    """
                    SELECT source_file, source_line, load_id FROM intermediate.int_acd__plan_events
                    WHERE agreement_start_year = $5 AND siret = $2 AND depcom = $3
                      AND is_in_qpv = $4 AND finan_class = $6 AND event_kind = 'DELIVERY'
                      AND housing_kind = 'FAMILY' AND event_year BETWEEN $7 AND $1 - 1""",
                    [
                        *where,
                        agreement["agreement_start_year"],
                        part["finan_class"],
                        agreement["base_vintage"],
                    ],
                )
                classes.append(
                    {
                        **part,
                        "register_rows": _files(lookup, base),
                        "planned_delivery_rows": _files(lookup, delivered),
                    }
                )
            planned = lookup.rows(
                """
                SELECT source_file, source_line, load_id FROM intermediate.int_acd__plan_events
                WHERE agreement_start_year = $5 AND siret = $2 AND depcom = $3
                  AND is_in_qpv = $4 AND event_kind = 'DELIVERY' AND housing_kind = 'FAMILY'
                  AND event_year = $1""",
                [*where, agreement["agreement_start_year"]],
            )
            communes.append(
                {
                    "depcom": cell["depcom"],
                    "commune": cell["commune_name"],
                    "is_in_qpv": cell["is_in_qpv"],
                    "tension_zone": weight["tension_zone"],
                    "zone_rate": weight["zone_rate"],
                    "zone_rate_source": weight["zone_rate_source"],
                    "qpv_factor": weight["qpv_factor"],
                    "qpv_factor_source": weight["qpv_factor_source"] if cell["is_in_qpv"] else None,
                    "weight": cell["weight"],
                    "perimeter_by_class": classes,
                    "perimeter": cell["perimeter"],
                    "capacity_existing": cell["capacity_existing"],
                    "planned_deliveries": cell["planned_deliveries"],
                    "planned_deliveries_weighted": cell["planned_deliveries_weighted"],
                    "planned_delivery_rows": _files(lookup, planned),
                    "capacity_new": cell["capacity_new"],
                }
            )
        sale = lookup.rows(
            """SELECT sale_share, sale_share_rows FROM intermediate.int_cap__sale_share
                              WHERE year = $1 AND siret = $2""",
            key[:2],
        )
        dalo = lookup.rows(
            """SELECT d.dalo_share, d.dalo_unrounded, d.dalo, s.dalo_households,
                                     s.dalo_active_prev_dec31, s.dalo_new_expected,
                                     s.new_expected_factor, s.total_objective_unrounded,
                                     s.source_file, s.source_line
                              FROM marts.dalo_objectives d
                              JOIN intermediate.int_cap__dalo_share s USING (year)
                              WHERE d.year = $1 AND d.siret = $2""",
            key[:2],
        )
        published = lookup.rows(
            """SELECT source_b AS published_in, value_b AS published, classification
               FROM marts.acd_reconciliation
               WHERE check_kind = 'computed_vs_published' AND measure = 'objective'
                 AND year = $1 AND landlord_name = $2 AND territory_name = $3""",
            [year, lord["landlord_name"], terr["territory_name"]],
        )
        built = lookup.rows(
            """SELECT run_id, code_version, parameters_version, materialized_at
               FROM audit.lineage WHERE asset_key = 'marts/capacity_objectives'
               ORDER BY materialized_at DESC LIMIT 1"""
        )
        return {
            "figure": "ACD objective",
            "published": published,
            "built_by": built[0] if built else None,
            "year": year,
            "landlord": lord["landlord_name"],
            "siret": lord["siret"],
            "territory": terr["territory_name"],
            "territory_id": terr["territory_id"],
            "agreement_start_year": agreement["agreement_start_year"],
            "base_vintage": agreement["base_vintage"],
            "rotation_rate": rotation["rotation_rate"],
            "rotation_source": f"{rotation['rotation_source']} (valid from "
            f"{rotation['rotation_valid_from']})",
            "communes": communes,
            "capacity_existing": objective["capacity_existing"],
            "capacity_new": objective["capacity_new"],
            "sale_share": objective["sale_share"],
            "sale_share_rows": sale[0]["sale_share_rows"] if sale else None,
            "objective_unrounded": objective["objective_unrounded"],
            "objective": objective["objective"],
            "rounding": "half up at the landlord x territory grain",
            "dalo_landlord_level": dalo[0] if dalo else None,
        }
    finally:
        con.close()


def _ranges(lines: list[int]) -> str:
    out, start, prev = [], None, None
    for line in lines + [None]:
        if start is None:
            start = prev = line
        elif line is not None and line == prev + 1:
            prev = line
        else:
            out.append(str(start) if start == prev else f"{start}-{prev}")
            start = prev = line
    return ", ".join(out)


RANGES_SHOWN = 12  # per file, without --lines


def _file_lines(files: list[dict], indent: str, every_line: bool = False) -> list[str]:
    """One line per file: its sha256 and the lines read, as ranges (the first ones unless
    ``every_line``)."""
    out = []
    for f in files:
        ranges = _ranges(f["lines"]).split(", ")
        shown = ", ".join(ranges if every_line else ranges[:RANGES_SHOWN])
        if len(ranges) > RANGES_SHOWN and not every_line:
            shown += (
                f" ... ({len(f['lines']):,} lines in {len(ranges):,} ranges; --lines lists "
                "them all)"
            )
        out.append(f"{indent}{f['file']} (sha256 {f['sha256'] or '?'}) lines {shown}")
    return out


def render_text(tree: dict, every_line: bool = False) -> str:
    t = tree
    lines = [
        f"Objective {t['year']} of {t['landlord']} (SIRET {t['siret']}) in {t['territory']}: "
        f"{t['objective']}  (unrounded {t['objective_unrounded']:.6f}, {t['rounding']})",
        f"= (capacity in existing stock {t['capacity_existing']:.6f} + in new stock "
        f"{t['capacity_new']:.6f}) x (1 - sale share {t['sale_share'] or 0})"
        + (f"  [sale share rows: {t['sale_share_rows']}]" if t["sale_share_rows"] else ""),
        f"  perimeter on 1 January {t['year']}: RPLS vintage {t['base_vintage']} + family "
        f"deliveries planned {t['base_vintage']}..{t['year'] - 1} (agreement starting "
        f"{t['agreement_start_year']})",
        f"  rotation rate {t['rotation_rate']}: {t['rotation_source']}",
    ]
    for p in t["published"]:  # the agreement's own figure, and whether ours reproduces it
        lines.insert(
            1,
            f"  published in {p['published_in']}: {p['published']:g} -> {p['classification']}",
        )
    if b := t["built_by"]:
        lines.insert(
            1,
            f"  computed by run {b['run_id']} (code {b['code_version']}, parameters "
            f"{b['parameters_version']}) at {b['materialized_at']}",
        )
    for c in t["communes"]:
        qpv = "in QPV" if c["is_in_qpv"] else "outside QPV"
        lines.append(
            f"  - {c['depcom']} {c['commune']} {qpv}: zone {c['tension_zone']} rate "
            f"{c['zone_rate']}"
            + (f" x QPV factor {c['qpv_factor']}" if c["is_in_qpv"] else "")
            + f" = weight {c['weight']}"
        )
        for k in c["perimeter_by_class"]:
            lines.append(
                f"      {k['finan_class']}: {k['base_dwellings']} in the register + "
                f"{k['delivered_dwellings']} delivered = {k['dwellings']} x class share "
                f"{k['class_share']} = {k['perimeter']:g}"
            )
            lines += _file_lines(k["register_rows"], "        register: ", every_line)
            lines += _file_lines(k["planned_delivery_rows"], "        plans: ", every_line)
        lines.append(
            f"      existing: perimeter {c['perimeter']:g} x weight {c['weight']} x rotation "
            f"{t['rotation_rate']} = {c['capacity_existing']:.6f}"
        )
        lines.append(
            f"      new: {c['planned_deliveries']} planned family deliveries "
            f"({c['planned_deliveries_weighted']:g} at class shares) x weight {c['weight']} = "
            f"{c['capacity_new']:.6f}"
        )
        lines += _file_lines(c["planned_delivery_rows"], "        plans: ", every_line)
    sources = sorted({(c["tension_zone"], c["zone_rate_source"]) for c in t["communes"]})
    sources += sorted({(0, c["qpv_factor_source"]) for c in t["communes"] if c["is_in_qpv"]})
    for zone, source in sources:
        lines.append(f"  {'QPV factor' if zone == 0 else f'zone {zone} rate'}: {source}")
    d = t["dalo_landlord_level"]
    if d:
        lines.append(
            f"DALO sub-objective (landlord level, all territories): share {d['dalo_share']:.6f} "
            f"= ({d['dalo_active_prev_dec31']} + {d['new_expected_factor']} x "
            f"{d['dalo_new_expected']}) / {d['total_objective_unrounded']:.6f}; landlord DALO "
            f"{d['dalo']} (unrounded {d['dalo_unrounded']:.6f}, largest remainder) "
            f"[{d['source_file']} line {d['source_line']}]"
        )
    return "\n".join(lines)


def to_json(tree: dict) -> str:
    return json.dumps(tree, indent=2, default=str, ensure_ascii=False)
