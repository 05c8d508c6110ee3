"""Shared fixtures: generated tiny extracts and a helper that materialises raw assets for real."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from dagster import materialize
from pipelines.resources import build_resources

from assets.raw import RAW_ASSETS
from samples.generator import generate

ASSETS = {a.key.path[-1]: a for a in RAW_ASSETS}


@pytest.fixture(scope="session")
def tiny_clean(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tiny_clean")
    generate(out, "tiny", seed=7, progress=lambda m: None)
    return out


@pytest.fixture(scope="session")
def tiny_bad(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tiny_bad")
    generate(out, "tiny", seed=11, bad_rows=0.05, progress=lambda m: None)
    return out


@pytest.fixture
def raw_copy(tmp_path, tiny_clean) -> Path:
    """A private copy of the clean tiny extracts that a test may edit."""
    target = tmp_path / "raw"
    shutil.copytree(tiny_clean, target)
    return target


class Loader:
    """Materialise raw assets into one warehouse file, as `attrib run` does."""

    def __init__(self, raw: Path, warehouse: Path):
        self.raw, self.warehouse = raw, warehouse
        self.resources = build_resources(raw, warehouse)

    def load(self, source: str, partition: str | None = None, raise_on_error: bool = True):
        return materialize(
            [ASSETS[source]],
            partition_key=partition,
            resources=self.resources,
            raise_on_error=raise_on_error,
        )

    def load_references(self):
        for name in (
            "acd_qpv",
            "acd_territories",
            "acd_commune_tension",
            "acd_landlords",
            "acd_parameters",
            "acd_published_objectives",
            "acd_q1_thresholds",
            "acd_dalo",
            "cia_policies",
        ):
            self.load(name)

    def sql(self, query: str, params=None) -> list[tuple]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return con.execute(query, params or []).fetchall()
        finally:
            con.close()


@pytest.fixture
def loader_for(tmp_path):
    def make(raw: Path) -> Loader:
        return Loader(raw, tmp_path / "warehouse" / "attrib.duckdb")

    return make


@pytest.fixture(scope="session")
def scenario(tmp_path_factory):
    """The capacity scenario loaded and built by `attrib run` (root, raw, warehouse)."""
    from tests.capacity_scenario import build
    from tests.raw_builder import landing_zone

    root = tmp_path_factory.mktemp("capacity")
    raw, warehouse = landing_zone(root / "raw"), root / "warehouse" / "attrib.duckdb"
    build(raw, warehouse)
    return root, raw, warehouse


@pytest.fixture(scope="session")
def attainment(tmp_path_factory):
    """The hand-built 2025 attributions loaded and built by `attrib run` (warehouse path)."""
    from tests.attainment_scenario import build
    from tests.raw_builder import landing_zone

    root = tmp_path_factory.mktemp("attainment")
    warehouse = root / "warehouse" / "attrib.duckdb"
    build(landing_zone(root / "raw"), warehouse)
    return warehouse
