"""What the dbt manifest says about a model, for lineage and ``attrib explain``: its SQL file and
checksum, the raw sources and seeds it reads (transitively), and its grain (the columns of its
``unique`` or ``unique_combination`` test)."""

from __future__ import annotations

import functools
import json
import threading
from pathlib import Path

from audit.lineage import LineageRow, current_files, file_sha256
from core import settings
from core.dbt_project import DBT_DIR, dbt_project


class DbtManifest:
    def __init__(self, manifest_path: Path):
        self.data = json.loads(manifest_path.read_text())
        self.nodes = {**self.data["nodes"], **self.data["sources"]}
        self._ancestors: dict[str, frozenset[str]] = {}
        self.by_relation = {
            (node["schema"], node["name"]): uid
            for uid, node in self.data["nodes"].items()
            if node["resource_type"] in ("model", "seed")
        }

    def model_id(self, schema: str, name: str) -> str | None:
        return self.by_relation.get((schema, name))

    def node(self, unique_id: str) -> dict:
        return self.nodes[unique_id]

    def ancestors(self, unique_id: str) -> frozenset[str]:
        if unique_id not in self._ancestors:
            found: set[str] = set()
            for parent in self.data["parent_map"].get(unique_id, []):
                found |= {parent} | self.ancestors(parent)
            self._ancestors[unique_id] = frozenset(found)
        return self._ancestors[unique_id]

    def raw_sources(self, unique_id: str) -> list[str]:
        """Tables of ``raw_validated`` the model reads, directly or through other models."""
        return sorted(
            self.nodes[uid]["identifier"]
            for uid in self.ancestors(unique_id)
            if uid.startswith("source.")
        )

    def seed_files(self, unique_id: str) -> list[Path]:
        return sorted(
            DBT_DIR / self.nodes[uid]["original_file_path"]
            for uid in self.ancestors(unique_id)
            if uid.startswith("seed.")
        )

    def sql(self, unique_id: str) -> tuple[str, str]:
        """(path of the SQL file relative to the repository, sha256 of its bytes: the value
        ``sha256sum`` prints; dbt's own checksum is of the stripped text)."""
        path = f"dbt_project/{self.nodes[unique_id]['original_file_path']}"
        return path, file_sha256(settings.PROJECT_ROOT / path)

    def facts(self, unique_id: str) -> dict | None:
        """The model's ``meta.facts`` (which rows of which model make each of its counts, for
        ``attrib explain``), with ``relation``, the schema-qualified name to read them from."""
        node = self.nodes[unique_id]
        spec = (node.get("config", {}).get("meta") or node.get("meta") or {}).get("facts")
        if not spec:
            return None
        found = [uid for (_, name), uid in self.by_relation.items() if name == spec["model"]]
        if len(found) != 1:
            raise ValueError(f"{unique_id}: meta.facts.model {spec['model']!r} is not one model")
        fact = self.nodes[found[0]]
        return {**spec, "relation": f"{fact['schema']}.{fact.get('alias') or fact['name']}"}

    def grain(self, unique_id: str) -> list[str]:
        """The columns that identify a row, from the model's uniqueness tests."""
        for test in self.data["nodes"].values():
            if test["resource_type"] != "test" or test.get("attached_node") != unique_id:
                continue
            meta = test.get("test_metadata") or {}
            if meta.get("name") == "unique_combination":
                return list(meta["kwargs"]["columns"])
            if meta.get("name") == "unique":
                return [meta["kwargs"]["column_name"]]
        return []


_LOADING = threading.Lock()  # one parse, however many threads ask at once


def manifest() -> DbtManifest:
    """The project's manifest, parsed once per process (1.4 MB of JSON: 0.3 s)."""
    with _LOADING:
        return _parsed()


@functools.cache
def _parsed() -> DbtManifest:
    return DbtManifest(dbt_project.manifest_path)


def load_ahead() -> None:
    """Parse the manifest in the background: the dbt step does so while dbt builds (its
    lineage and the exports read it after; 0.3 s otherwise on a run's path)."""
    threading.Thread(target=manifest, name="manifest-ahead", daemon=True).start()


def model_lineage_row(
    con,
    uid: str,
    run_id: str,
    kind: str,
    started,
    parameters_version: str,
    upstream_assets: list[dict] | None = None,
) -> LineageRow:
    """The ``audit.lineage`` row of one dbt model or seed just built: its SQL file and hash,
    the raw files (as loaded now) and seed files it reads, and its row count. Written by the
    Dagster runs and by ``attrib dbt``."""
    dbt_manifest = manifest()
    node = dbt_manifest.node(uid)
    sql_path, sql_hash = dbt_manifest.sql(uid)
    files = current_files(con, dbt_manifest.raw_sources(uid))
    files += [
        {
            "source": "dbt seed",
            "partition": None,
            "path": str(p.relative_to(settings.PROJECT_ROOT)),
            "bytes": p.stat().st_size,
            "sha256": file_sha256(p),
            "rows_read": None,
            "loaded_by_run": run_id,
        }
        for p in dbt_manifest.seed_files(uid)
    ]
    rows_out = None  # a view stores no row: counting it computes it (1.2 s for France's leases)
    if node.get("config", {}).get("materialized") != "view":
        (rows_out,) = con.execute(
            f"SELECT count(*) FROM {node['schema']}.{node['name']}"
        ).fetchone()
    return LineageRow(
        run_id=run_id,
        asset_key=f"{node['schema']}/{node['name']}",
        partition=None,
        kind=kind,
        started_at=started,
        input_files=files,
        upstream_assets=upstream_assets or [],
        parameters_version=parameters_version,
        dbt_model=uid,
        model_sql_path=sql_path,
        model_sql_sha256=sql_hash,
        rows_out=rows_out,
    )
