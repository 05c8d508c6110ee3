"""The raw assets materialised for real on generated tiny extracts."""

from __future__ import annotations

import csv

import pytest

from ingestion.loader import UNPARTITIONED
from schemas import SOURCES
from tests.raw_builder import rpls_row, write


def _manifest(raw) -> set[tuple[str, int]]:
    with (raw / "_generator" / "injected_bad_rows.csv").open(encoding="utf-8") as handle:
        return {(r["file"], int(r["line"])) for r in csv.DictReader(handle)}


def test_every_raw_row_is_valid_or_rejected_and_rejects_are_the_injected_rows(tiny_bad, loader_for):
    loader = loader_for(tiny_bad)
    loader.load_references()
    for key in ("2024", "2025", "2026"):
        loader.load("rpls", key)
    loader.load("ops", "2024")
    for key in ("2024", "2025", "2026T1"):
        loader.load("sne_demandes", key)
        loader.load("sne_attributions", key)
    injected = {
        (f, line)
        for f, line in _manifest(tiny_bad)
        if not f.startswith("sne/") or f.split("_")[-1][:-4] in ("2024", "2025", "2026T1")
    }
    rejected = set(loader.sql("SELECT DISTINCT source_file, line FROM raw_validated.rejects"))
    assert injected, "the generator injected no bad row: the test would prove nothing"
    assert rejected == injected
    for source in ("rpls", "ops", "sne_demandes", "sne_attributions"):
        read, valid, bad = loader.sql(f"""
            SELECT (SELECT sum(rows_read) FROM raw_validated.load_log WHERE source = '{source}'),
                   (SELECT count(*) FROM raw_validated.{source}),
                   (SELECT count(DISTINCT (source_file, line)) FROM raw_validated.rejects
                     WHERE source = '{source}')""")[0]
        assert read == valid + bad, source


def test_a_reject_names_file_line_column_check_and_value(raw_copy, loader_for):
    path = raw_copy / "rpls" / "rpls_2024_31.csv"
    lines = path.read_bytes().decode("latin-1").splitlines()
    header = lines[0].split(";")
    fields = lines[4].split(";")
    fields[header.index("TYPECONST")] = "Q"
    lines[4] = ";".join(fields)
    path.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    loader = loader_for(raw_copy)
    loader.load("acd_qpv")
    result = loader.load("rpls", "2024")
    rejects = loader.sql("""SELECT source_file, line, "column", "check", "value", reason
                            FROM raw_validated.rejects""")
    assert rejects == [
        ("rpls/rpls_2024_31.csv", 5, "TYPECONST", "isin", "Q", "not a listed code (C, I, E)")
    ]
    meta = result.asset_materializations_for_node("raw_validated__rpls")[0].metadata
    assert meta["rows_rejected"].value == 1
    assert meta["rows_read"].value == meta["rows_valid"].value + 1
    ident = fields[header.index("IDENT_REP")]
    assert loader.sql("SELECT count(*) FROM raw_validated.rpls WHERE IDENT_REP = ?", [ident]) == [
        (0,)
    ]


def test_rerunning_a_partition_replaces_its_rows(tiny_clean, loader_for):
    loader = loader_for(tiny_clean)
    loader.load("acd_qpv")
    loader.load("rpls", "2024")
    loader.load("rpls", "2025")
    counts = """SELECT _partition, count(*) FROM raw_validated.rpls GROUP BY 1 ORDER BY 1"""
    logs = """SELECT "partition", count(*) FROM raw_validated.load_log GROUP BY 1 ORDER BY 1"""
    first, first_logs = loader.sql(counts), loader.sql(logs)
    loader.load("rpls", "2024")
    assert loader.sql(counts) == first
    assert loader.sql(logs) == first_logs == [("2024", 2), ("2025", 2), ("all", 1)]
    assert loader.sql("""SELECT count(*) FROM (SELECT _partition, IDENT_REP
                         FROM raw_validated.rpls GROUP BY ALL HAVING count(*) > 1)""") == [(0,)]


def test_latin1_rpls_with_decimal_commas_loads_exact_values(tmp_path, loader_for, tiny_clean):
    raw = tmp_path / "raw"
    (raw / "rpls").mkdir(parents=True)
    (raw / "acd").mkdir()
    (raw / "acd" / "qpv.csv").write_bytes((tiny_clean / "acd" / "qpv.csv").read_bytes())
    header = (
        "IDENT_REP;SIRET;RS;DEPCOM;LIBCOM;QPV;QPV_CODE;RESIDENCE_ID;RESIDENCE_NOM;"
        "TYPECONST;NBPIECE;SURFHAB;CONSTRUCT;LOCAT;ORIGINE;FINAN;CONV;MODE;CONTRESLOG;"
        "LOYERPRINC;DPEENERGIE"
    )
    row = (
        "R0001;31000001100011;Promologis;31555;Toulouse;1;QP031007;R-7;Résidence Les Érables;"
        "C;3;67,35;1972;1973;1;52;1;1;2;402,07;E"
    )
    (raw / "rpls" / "rpls_2024_31.csv").write_bytes(f"{header}\n{row}\n".encode("latin-1"))
    loader = loader_for(raw)
    loader.load("acd_qpv")
    loader.load("rpls", "2024")
    assert loader.sql("""SELECT RESIDENCE_NOM, SURFHAB, LOYERPRINC, NBPIECE, _source_line,
                                _file_dep FROM raw_validated.rpls""") == [
        ("Résidence Les Érables", 67.35, 402.07, 3, 2, "31")
    ]


def test_line_numbers_follow_a_file_read_on_two_threads(tmp_path, loader_for, tiny_clean):
    """A file of 120,000 rows is read in chunks on two threads; each row keeps its own line,
    and a rejected row is named by its line. (Checked as it landed, the register once lost the
    file order: DuckDB planned the FINAN code list as a join, which does not keep it.)"""
    raw = tmp_path / "raw"
    (raw / "acd").mkdir(parents=True)
    (raw / "acd" / "qpv.csv").write_bytes((tiny_clean / "acd" / "qpv.csv").read_bytes())
    rows = [
        rpls_row(f"R{i:07d}", ("3F", "Promologis")[i % 2], "31555", (10, 12, 52)[i % 3])
        for i in range(120_000)
    ]
    rows[100_000]["FINAN"] = "98"  # not a listed code: line 100,002 of the file
    write(raw, "rpls/rpls_2024_31.csv", rows, "rpls")
    loader = loader_for(raw)
    loader.load("acd_qpv")
    loader.load("rpls", "2024")
    lines = loader.sql("SELECT _source_line, IDENT_REP FROM raw_validated.rpls ORDER BY 1")
    assert lines == [(i + 2, f"R{i:07d}") for i in range(120_000) if i != 100_000]
    assert loader.sql('SELECT line, "column", "value" FROM raw_validated.rejects') == [
        (100_002, "FINAN", "98")
    ]


def test_parquet_extract_loads_like_its_csv(tmp_path, tiny_clean, loader_for):
    import duckdb

    raw = tmp_path / "raw"
    (raw / "sne").mkdir(parents=True)
    src = tiny_clean / "sne" / "attributions_2025.csv"
    con = duckdb.connect()
    con.execute(f"""COPY (SELECT * FROM read_csv('{src}', delim=';', header=true,
                          all_varchar=true)) TO '{raw / "sne" / "attributions_2025.parquet"}'
                    (FORMAT parquet)""")
    loader = loader_for(raw)
    loader.load("sne_attributions", "2025")
    rows = sum(1 for _ in src.open()) - 1
    assert loader.sql("SELECT count(*), min(_source_line) FROM raw_validated.sne_attributions") == [
        (rows, 1)
    ]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda text: text.replace("TYPECONST;", "TYPE_CONST;", 1), "missing column(s) TYPECONST"),
        (lambda text: "", "the file is empty"),
        (lambda text: text.splitlines()[0] + "\n", "header but no data rows"),
    ],
    ids=["missing-column", "empty", "header-only"],
)
def test_an_unreadable_file_fails_with_its_name_and_leaves_the_warehouse(
    raw_copy, loader_for, edit, message
):
    loader = loader_for(raw_copy)
    loader.load("acd_qpv")
    loader.load("rpls", "2024")
    before = loader.sql("SELECT count(*) FROM raw_validated.rpls")
    path = raw_copy / "rpls" / "rpls_2024_31.csv"
    path.write_bytes(edit(path.read_bytes().decode("latin-1")).encode("latin-1"))
    result = loader.load("rpls", "2024", raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    description = failure.step_failure_data.user_failure_data.description
    assert description.startswith("rpls/rpls_2024_31.csv: ")
    assert message in description
    assert loader.sql("SELECT count(*) FROM raw_validated.rpls") == before


def test_a_utf8_rpls_file_is_refused_with_the_encoding_named(raw_copy, loader_for):
    path = raw_copy / "rpls" / "rpls_2024_31.csv"
    path.write_bytes(path.read_bytes().decode("latin-1").encode("utf-8"))
    loader = loader_for(raw_copy)
    loader.load("acd_qpv")
    result = loader.load("rpls", "2024", raise_on_error=False)
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "ISO-8859-1" in failure.step_failure_data.user_failure_data.description


def test_a_qpv_outside_the_agreements_list_is_kept(raw_copy, loader_for):
    """The RPLS is national: a dwelling in a QPV the agreement's list does not hold is loaded
    (marts.dim_qpv flags the code), not rejected."""
    qpv = raw_copy / "acd" / "qpv.csv"
    kept = [line for line in qpv.read_text(encoding="utf-8").splitlines() if "QP031007" not in line]
    qpv.write_text("\n".join(kept) + "\n", encoding="utf-8")
    loader = loader_for(raw_copy)
    loader.load("acd_qpv")
    loader.load("rpls", "2024")
    assert loader.sql(
        "SELECT count(*) FROM raw_validated.rejects WHERE \"column\" = 'QPV_CODE'"
    ) == [(0,)]
    (kept_rows,) = loader.sql("SELECT count(*) FROM raw_validated.rpls WHERE QPV_CODE = 'QP031007'")
    assert kept_rows[0] > 0


def test_reconcile_check_is_reported_and_unpartitioned_key_is_all(tiny_clean, loader_for):
    loader = loader_for(tiny_clean)
    result = loader.load("acd_landlords")
    checks = result.get_asset_check_evaluations()
    assert [(c.check_name, c.passed) for c in checks] == [("rows_reconcile", True)]
    assert loader.sql("SELECT DISTINCT _partition FROM raw_validated.acd_landlords") == [
        (UNPARTITIONED,)
    ]
    assert set(SOURCES) >= {"rpls", "ops", "sne_demandes", "sne_attributions", "acd_plans"}


def test_a_real_extract_dropped_into_the_generated_sample_is_refused(raw_copy, loader_for):
    """The sample lists its files; a file it did not write is real data, never mixed in. The
    warehouse records that it was loaded from a synthetic sample."""
    real = raw_copy / "rpls" / "rpls_2024_11.csv"  # the Aude: the sample has no such file
    real.write_bytes((raw_copy / "rpls" / "rpls_2024_31.csv").read_bytes())
    loader = loader_for(raw_copy)
    result = loader.load("rpls", "2024", raise_on_error=False)
    failure = next(e for e in result.all_events if e.is_step_failure)
    description = failure.step_failure_data.user_failure_data.description
    assert description.startswith(str(real))
    assert "not one of the generated sample's files" in description
    real.unlink()
    loader.load("rpls", "2024")
    assert loader.sql("SELECT synthetic FROM raw_validated.landing_zone") == [(True,)]


def test_a_utf16_file_is_named_as_such(raw_copy, loader_for):
    path = raw_copy / "ops" / "ops_2024_31.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    result = loader_for(raw_copy).load("ops", "2024", raise_on_error=False)
    failure = next(e for e in result.all_events if e.is_step_failure)
    description = failure.step_failure_data.user_failure_data.description
    assert description == (
        "ops/ops_2024_31.csv: looks UTF-16 encoded (byte-order mark or NUL bytes); this source "
        "must be UTF-8"
    )


def test_the_validated_tables_are_made_with_their_comments_and_mended_when_one_is_lost(
    tmp_path,
):
    # the dbt step checks all 16 sources' tables in two statements (ensure_all_tables); a
    # table, column or comment not as declared is made again
    from core.connection import connect
    from ingestion.raw_validated import column_comments, ensure_all_tables

    con = connect(tmp_path / "w.duckdb")
    try:
        ensure_all_tables(con)
        tables = {
            name
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw_validated' "
                "AND comment IS NOT NULL"
            ).fetchall()
        }
        assert tables == {*SOURCES, "rejects", "load_log"}
        column = next(iter(column_comments(SOURCES["rpls"])))
        con.execute(f'COMMENT ON COLUMN raw_validated.rpls."{column}" IS NULL')
        con.execute("COMMENT ON TABLE raw_validated.load_log IS NULL")
        ensure_all_tables(con)
        lost = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() "
            "WHERE schema_name = 'raw_validated' AND table_name IN ('rpls', 'load_log') "
            "AND comment IS NULL"
        ).fetchall()
        assert lost == []
        ((comment,),) = con.execute(
            "SELECT comment FROM duckdb_tables() WHERE table_name = 'load_log'"
        ).fetchall()
        assert comment
    finally:
        con.close()
