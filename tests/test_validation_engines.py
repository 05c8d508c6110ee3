"""pandera is the definition; the SQL engine must reject exactly what pandera rejects."""

from __future__ import annotations

import pandas as pd
import pandera.errors
import pytest

from schemas import SOURCES

FILES = [
    ("rpls", "rpls/rpls_2024_31.csv", "2024"),
    ("ops", "ops/ops_2024_31.csv", "2024"),
    ("sne_demandes", "sne/demandes_2025.csv", "2025"),
    ("sne_attributions", "sne/attributions_2024.csv", "2024"),
]


def pandera_rejected_lines(path, source) -> set[int]:
    frame = pd.read_csv(
        path,
        sep=source.delimiter,
        encoding=source.encoding,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
    )
    try:
        source.schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        index = errors.failure_cases["index"].dropna().astype(int)
        return {i + 2 for i in index}
    return set()


@pytest.mark.parametrize(("name", "relative", "partition"), FILES, ids=[f[0] for f in FILES])
def test_sql_engine_and_pandera_reject_the_same_lines(
    tiny_bad, loader_for, name, relative, partition
):
    source = SOURCES[name]
    expected = pandera_rejected_lines(tiny_bad / relative, source)
    loader = loader_for(tiny_bad)
    loader.load("acd_qpv")
    loader.load(name, partition)
    got = {
        line
        for (line,) in loader.sql(
            "SELECT DISTINCT line FROM raw_validated.rejects WHERE source_file = ?", [relative]
        )
    }
    assert expected, f"no bad row in {relative}: the comparison would prove nothing"
    assert got == expected
