"""The landing zone is the truth: a partition whose files are removed leaves the warehouse,
raw rows and figures alike, with a line in the run's output and in the load log."""

from __future__ import annotations

import duckdb

from tests.conftest import attrib_run


def test_a_removed_partition_leaves_raw_rows_and_figures(copy_built):
    raw, warehouse = copy_built
    con = duckdb.connect(str(warehouse), read_only=True)
    before = con.execute(
        "SELECT count(*) FROM raw_validated.sne_attributions WHERE _partition = '2026T3'"
    ).fetchone()[0]
    assert before > 0
    assert con.execute(
        "SELECT count(*) FROM marts.quota_attainment WHERE period = '2026T3'"
    ).fetchone()[0]
    # a validated table dropped by hand: its files are unchanged, but its rows are gone
    dalo = con.execute("SELECT count(*) FROM raw_validated.acd_dalo").fetchone()[0]
    con.close()
    con = duckdb.connect(str(warehouse))
    con.execute("DROP TABLE raw_validated.acd_dalo")
    con.close()
    for name in ("attributions_2026T3.csv", "demandes_2026T3.csv"):
        (raw / "sne" / name).unlink()
    out = attrib_run(raw, warehouse)
    (line,) = [x for x in out.splitlines() if "raw_validated/acd_dalo" in x and "again" in x]
    assert f"its table holds 0 of the {dalo:,} valid rows loaded then: read again" in line
    (line,) = [x for x in out.splitlines() if "raw_validated/sne_attributions [2026T3]" in x]
    assert f"removed {before:,} rows: its files are gone from the landing zone" in line
    # incremental: the files left as they were are not read again (same names, same sha256)
    (unchanged,) = [x for x in out.splitlines() if "raw_validated/rpls [2025]" in x]
    assert "unchanged since run" in unchanged and "not read again" in unchanged
    assert "sne_attributions" in out and "1 of" not in out.split("sne_attributions")[-1][:80]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for query in (
            "SELECT count(*) FROM raw_validated.sne_attributions WHERE _partition = '2026T3'",
            "SELECT count(*) FROM raw_validated.sne_demandes WHERE _partition = '2026T3'",
            "SELECT count(*) FROM marts.fct_attribution WHERE extract_period = '2026T3'",
            "SELECT count(*) FROM marts.quota_attainment WHERE period = '2026T3'",
            "SELECT count(*) FROM marts.acd_indicators WHERE period = '2026T3'",
            "SELECT count(*) FROM marts.demand_pressure WHERE period = '2026T3'",
        ):
            assert con.execute(query).fetchone()[0] == 0, query
        (logged,) = con.execute(
            """SELECT rows_read, extra_columns FROM raw_validated.load_log
               WHERE source = 'sne_attributions' AND "partition" = '2026T3'"""
        ).fetchall()
        assert logged == (
            0,
            f"partition removed: {before} rows, its files are gone from the landing zone",
        )
        assert con.execute("SELECT count(*) FROM raw_validated.acd_dalo").fetchone()[0] == dalo
        # the other periods keep their figures
        assert con.execute(
            "SELECT count(*) FROM marts.quota_attainment WHERE period = '2026T2'"
        ).fetchone()[0]
    finally:
        con.close()
