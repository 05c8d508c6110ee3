"""``marts.scenario_diff``: the scenario's figures beside the baseline's, per landlord x
territory x year (objective, capacity, perimeter), landlord x year (DALO sub-objective) and
quota x territory x period (target, gap), with the difference and the changes that bear on it.

The baseline's marts are copied into schema ``baseline`` of the scenario warehouse when the
scenario is prepared (``whatif.prepare``), so the diff reads one file.
"""

from __future__ import annotations

import duckdb

from core.connection import sql_string

BASELINE_MARTS = ("capacity_objectives", "dalo_objectives", "quota_attainment")

# (part, mart, grain columns, name columns, measures, rows kept)
PARTS = [
    (
        "capacity",
        "capacity_objectives",
        ["year", "level", "siret", "territory_id"],
        ["landlord_name", "territory_name"],
        ["objective", "objective_unrounded", "capacity_existing", "capacity_new", "perimeter"],
        "level IN ('landlord_territory', 'landlord')",
    ),
    (
        "dalo",
        "dalo_objectives",
        ["year", "siret"],
        ["landlord_name"],
        ["dalo", "dalo_unrounded"],
        "true",
    ),
    (
        "quota",
        "quota_attainment",
        ["period", "level", "territory_id", "reservation_holder", "quota"],
        ["territory_name"],
        ["target", "gap"],
        "level = 'territory'",
    ),
]

COLUMNS = {
    "part": "capacity (capacity_objectives), dalo (dalo_objectives) or quota (quota_attainment).",
    "year": "Year of the objective, or of the SNE period.",
    "period": "SNE period of a quota row ('2025', '2026T3' year to date); null otherwise.",
    "level": "Level of the source mart's row (landlord_territory, landlord, territory).",
    "siret": "Landlord (null for a quota row).",
    "landlord_name": "Landlord's name.",
    "territory_id": "Territory (null for a landlord-level or DALO row).",
    "territory_name": "Territory's name.",
    "quota": "Quota code (quota rows).",
    "reservation_holder": "Reservation holder of a PRIORITY quota row, else ALL.",
    "measure": "The column compared (objective, capacity_existing, dalo, target, gap...).",
    "baseline": "Its value in the baseline warehouse.",
    "scenario": "Its value with the scenario's changes.",
    "difference": "scenario - baseline, to 1e-9 (a row missing on one side counts as 0 there).",
    "changes": "Ids of the scenario's changes that bear on this row (same landlord, territory "
    "or quota, or a change of every row such as a parameter), when the row differs.",
}


def _part_sql(
    part: str, mart: str, grain: list[str], labels: list[str], measures: list[str], keep: str
) -> str:
    names = ", ".join(measures)
    casts = ", ".join(f"CAST({m} AS DOUBLE) AS {m}" for m in measures)

    def side(schema: str) -> str:
        columns = ", ".join(grain + labels)
        return (
            f"(UNPIVOT (SELECT {columns}, {casts} FROM {schema}.{mart} WHERE {keep}) "
            f"ON {names} INTO NAME measure VALUE value)"
        )

    def key(column: str) -> str:
        return f"coalesce(s.{column}, b.{column})"

    def name(column: str) -> str:
        return key(column) if column in labels else "NULL"

    on = " AND ".join(f"s.{c} IS NOT DISTINCT FROM b.{c}" for c in [*grain, "measure"])
    has = set(grain)
    pick = {
        "year": key("year")
        if "year" in has
        else "CAST(left(coalesce(s.period, b.period), 4) AS INTEGER)",
        "period": key("period") if "period" in has else "NULL",
        "level": key("level") if "level" in has else "'landlord'",
        "siret": key("siret") if "siret" in has else "NULL",
        "territory_id": key("territory_id") if "territory_id" in has else "NULL",
        "quota": key("quota") if "quota" in has else "NULL",
        "reservation_holder": key("reservation_holder") if "reservation_holder" in has else "NULL",
    }
    return f"""
    SELECT '{part}' AS part, {pick["year"]} AS year, {pick["period"]} AS period,
           {pick["level"]} AS level, {pick["siret"]} AS siret,
           {name("landlord_name")} AS landlord_name,
           {pick["territory_id"]} AS territory_id,
           {name("territory_name")} AS territory_name,
           {pick["quota"]} AS quota, {pick["reservation_holder"]} AS reservation_holder,
           coalesce(s.measure, b.measure) AS measure,
           b.value AS baseline, s.value AS scenario,
           -- to 1e-9: sums of doubles differ in their last bits with the order of addition
           round(coalesce(s.value, 0) - coalesce(b.value, 0), 9) AS difference
    FROM {side("marts")} s FULL JOIN {side("baseline")} b ON {on}"""


def build(con: duckdb.DuckDBPyConnection) -> int:
    """Write ``marts.scenario_diff``; return its number of rows that differ."""
    body = "\nUNION ALL".join(_part_sql(*part) for part in PARTS)
    con.execute(
        f"""
        CREATE OR REPLACE TABLE marts.scenario_diff AS
        WITH compared AS ({body})
        SELECT d.*,
               CASE WHEN abs(d.difference) > 1e-9 THEN (
                   SELECT list(c.change_id ORDER BY c.change_id) FROM scenario.changes c
                   -- the DALO sub-objective is apportioned over every landlord: any
                   -- landlord's change bears on all of them
                   WHERE (c.siret IS NULL OR d.siret IS NULL OR c.siret = d.siret
                          OR d.part = 'dalo')
                     AND (c.territory_id IS NULL OR d.territory_id IS NULL
                          OR c.territory_id = d.territory_id)
                     AND (c.quota IS NULL OR d.quota IS NULL OR c.quota = d.quota)
                     -- a CIA quota bears on quota rows only; parameters on every row
                     AND ((d.part = 'quota' AND c.source IN ('cia_policies', 'acd_parameters'))
                          OR (d.part <> 'quota' AND c.source <> 'cia_policies')))
               END AS changes
        FROM compared d
        """
    )
    for column, text in COLUMNS.items():
        con.execute(f"COMMENT ON COLUMN marts.scenario_diff.{column} IS {sql_string(text)}")
    con.execute(
        "COMMENT ON TABLE marts.scenario_diff IS 'The scenario beside its baseline: one row "
        "per figure compared (docs/scenarios.md); attrib scenario diff NAME prints the largest "
        "differences first.'"
    )
    (differ,) = con.execute(
        "SELECT count(*) FROM marts.scenario_diff WHERE abs(difference) > 1e-9"
    ).fetchone()
    return differ


def largest(con: duckdb.DuckDBPyConnection, most: int = 20) -> list[dict]:
    """The rows that differ, largest absolute difference first (objectives before their
    unrounded value and capacities, so the rounded figure leads)."""
    cursor = con.execute(
        """SELECT part, year, period, level, landlord_name, territory_name, quota,
                  reservation_holder, measure, baseline, scenario, difference, changes
           FROM marts.scenario_diff WHERE abs(difference) > 1e-9
           ORDER BY abs(difference) DESC, part, measure, landlord_name, territory_name
           LIMIT ?""",
        [most],
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
