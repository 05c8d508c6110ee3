"""The demand number never enters the warehouse, and the pseudonymisation key never enters
any artefact: tables, views, compiled SQL, manifests, docs, logs, run history, exports."""

from __future__ import annotations

import csv
import hashlib
import hmac
import os
import tempfile
from pathlib import Path

import duckdb
import pytest

from core.layout import Layout
from core.settings import PROJECT_ROOT
from ingestion.loader import parse_error
from tests.conftest import TEST_KEY, run_root


def demand_numbers(raw: Path) -> set[str]:
    numbers = set()
    for path in (raw / "sne").glob("*.csv"):
        with path.open(encoding="utf-8") as handle:
            numbers |= {row["NUM_UNIQUE"] for row in csv.DictReader(handle, delimiter=";")}
    return numbers


@pytest.fixture(scope="module")
def con(tiny_built):
    _, warehouse, _ = tiny_built
    connection = duckdb.connect(str(warehouse), read_only=True)
    yield connection
    connection.close()


def test_a_demand_key_is_the_hmac_of_the_demand_number(tiny_built, con):
    raw, _, _ = tiny_built
    with (raw / "sne" / "demandes_2025.csv").open(encoding="utf-8") as handle:
        first = next(csv.DictReader(handle, delimiter=";"))
    expected = hmac.new(TEST_KEY.encode(), first["NUM_UNIQUE"].encode(), hashlib.sha256)
    keys = {
        k
        for (k,) in con.execute(
            "SELECT demand_key FROM marts.fct_demand WHERE source_file = 'sne/demandes_2025.csv' "
            "AND source_line = 2"
        ).fetchall()
    }
    assert keys == {expected.hexdigest()}
    # and a hash without the key (what an attacker could compute) is not it
    assert hashlib.sha256(first["NUM_UNIQUE"].encode()).hexdigest() not in keys


def test_no_table_or_view_holds_a_demand_number(tiny_built, con):
    raw, _, _ = tiny_built
    numbers = demand_numbers(raw)
    assert len(numbers) > 100
    columns = con.execute("""
        SELECT table_schema, table_name, column_name FROM information_schema.columns
        WHERE data_type = 'VARCHAR'""").fetchall()
    assert len(columns) > 100
    for schema, table, column in columns:
        values = con.execute(
            f'SELECT DISTINCT "{column}" FROM "{schema}"."{table}" WHERE "{column}" IS NOT NULL'
        ).fetchall()
        assert not numbers & {v for (v,) in values}, f"{schema}.{table}.{column}"
    # joining a mart back to the raw layer on its lineage gives the keyed hash, not the number
    joined = con.execute("""
        SELECT r.NUM_UNIQUE, d.demand_key FROM marts.fct_demand d
        JOIN raw_validated.sne_demandes r
          ON r._source_file = d.source_file AND r._source_line = d.source_line""").fetchall()
    assert joined and all(num == key and num not in numbers for num, key in joined)


def test_the_key_is_in_no_view_and_no_file(tiny_built, con, tmp_path_factory):
    _, warehouse, _ = tiny_built
    views = con.execute("SELECT sql FROM duckdb_views() WHERE NOT internal").fetchall()
    assert views and not any(TEST_KEY in sql for (sql,) in views)
    layout = Layout(warehouse)
    needle = TEST_KEY.encode()
    searched, found = 0, []
    # this session's temporary folder (every run of the suite), the rest of the temporary
    # directory but earlier sessions' folders, the project and the warehouse
    session = run_root(tmp_path_factory).resolve()
    roots = [PROJECT_ROOT, layout.home, session, Path(tempfile.gettempdir())]
    walked: set[Path] = set()
    for root in roots:
        for folder, dirs, files in os.walk(root):
            here = Path(folder).resolve()
            # installed packages hold no file a run writes; a folder is read once; other
            # pytest sessions (pytest keeps the last three) are not this suite's files
            skip = (".git", "__pycache__", "node_modules", "site-packages")
            dirs[:] = [
                d
                for d in dirs
                if d not in skip
                and (here / d) not in walked
                and not (d.startswith("pytest-") and session.parent == here and here / d != session)
            ]
            walked.add(here)
            for name in files:
                path = Path(folder) / name
                if path.name == "pseudonym.key" and path.parent.name == "private":
                    continue  # a warehouse's own key file, where the key belongs
                if not path.is_file() or path.is_symlink():
                    continue
                if path.suffix == ".py" and path.name == "conftest.py":
                    continue  # the suite's own statement of the test key
                try:
                    if path.stat().st_size > 200_000_000:
                        continue
                    data = path.read_bytes()
                except OSError:
                    continue
                searched += 1
                if needle in data:
                    found.append(str(path))
    assert searched > 100
    assert found == [], found
    assert TEST_KEY in layout.key_file.read_text()  # the search would have found it


def test_a_parse_error_names_the_line_but_not_its_content(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text('A;B\n"0312024000000001A;x\n', encoding="utf-8")
    con = duckdb.connect()
    with pytest.raises(duckdb.Error) as info:
        con.execute(
            f"SELECT * FROM read_csv('{path}', delim=';', header=true, strict_mode=true, "
            "quote='\"', all_varchar=true, auto_detect=false, columns={'A': 'VARCHAR', "
            "'B': 'VARCHAR'})"
        ).fetchall()
    assert "0312024000000001A" in str(info.value)  # DuckDB echoes the line...
    assert "0312024000000001A" not in parse_error(info.value)  # ...the message we pass does not


def test_rejects_show_a_bad_demand_number_as_its_keyed_hash(tmp_path, raw_copy, loader_for):
    path = raw_copy / "sne" / "demandes_2025.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = lines[1].split(";")[0]
    lines[2] = number + lines[2][len(number) :]  # line 3 repeats line 2's demand number
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    loader = loader_for(raw_copy)
    loader.load_references()
    loader.load("sne_demandes", "2025")
    rejects = loader.sql('SELECT line, "column", "check", "value" FROM raw_validated.rejects')
    keyed = "hmac:" + hmac.new(TEST_KEY.encode(), number.encode(), hashlib.sha256).hexdigest()
    assert sorted(rejects) == [
        (2, "NUM_UNIQUE", "unique", keyed),
        (3, "NUM_UNIQUE", "unique", keyed),
    ]
    every_value = loader.sql("SELECT * FROM raw_validated.rejects")
    assert not any(number in str(value) for row in every_value for value in row)
