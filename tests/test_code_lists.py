"""The code lists are written once (schemas/code_lists.py): the schemas' allowed values and the
dbt seed of labels both come from there."""

from __future__ import annotations

from schemas import SOURCES
from schemas.code_lists import CODE_LISTS, SEED, code_labels_csv

TABLES = {"rpls": "rpls", "ops": "ops", "sne": None, "acd": "acd_commune_tension"}


def allowed(column) -> list[str]:
    (check,) = [c for c in column.checks if c.name == "isin"]
    return [str(v) for v in check.statistics["allowed_values"]]


def test_the_seed_is_generated_from_the_code_lists():
    assert SEED.read_text(encoding="utf-8") == code_labels_csv(), (
        "dbt_project/seeds/code_labels.csv is stale: run python3 -m schemas.code_lists"
    )


def test_every_labelled_list_is_a_schema_column_and_its_codes_are_the_allowed_values():
    for name, (_, labels) in CODE_LISTS.items():
        prefix, column = name.split(".")
        sources = [s for s in SOURCES.values() if column in s.schema.columns]
        sources = [s for s in sources if s.name.startswith(prefix) or TABLES[prefix] == s.name]
        assert sources, name
        for source in sources:
            assert allowed(source.schema.columns[column]) == list(labels), (name, source.name)
        assert all(english and french for english, french in labels.values()), name
