"""Incremental loading: a partition whose files are byte-identical to the ones loaded (same
names, same sha256) under the same validation code and pseudonymisation key is not read again.

``raw_validated.load_state`` keeps, per source and partition, one digest over the loaded files'
names and sha256, the code that validates them (``schemas/``, ``ingestion/``) and, for a source
with personal identifiers, a keyed fingerprint of the key (a new key re-hashes the identifiers).
Any change to one of them, and the partition is reloaded whole.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from pathlib import Path

import duckdb

from core.connection import comment_on
from core.files import files_sha256
from ingestion.raw_files import RawFile

STATE_DDL = """
CREATE TABLE IF NOT EXISTS raw_validated.load_state (
    source VARCHAR, "partition" VARCHAR, digest VARCHAR, run_id VARCHAR, loaded_at TIMESTAMP
)"""
CODE = [Path(__file__).resolve().parent, Path(__file__).resolve().parents[1] / "schemas"]


@functools.cache
def code_version() -> str:
    """sha256 over the validation code: a changed rule reloads every partition."""
    digest = hashlib.sha256()
    for folder in CODE:
        for path in sorted(folder.glob("*.py")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def digest(files: list[RawFile], pseudonym_key: bytes | None) -> str:
    """One digest of what a load of these files would produce."""
    parts = [code_version()]
    if pseudonym_key:
        parts.append(hmac.new(pseudonym_key, b"attrib load state", hashlib.sha256).hexdigest())
    hashes = files_sha256([f.path for f in files])
    parts += sorted(f"{f.relative}:{sha}" for f, sha in zip(files, hashes, strict=True))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw_validated")
    con.execute(STATE_DDL)
    comment_on(
        con,
        "raw_validated.load_state",
        "Per source and partition, a digest of the files loaded (names, sha256), the "
        "validation code and the key: unchanged files are not read again.",
        {
            "source": "Raw source (rpls, ops, sne_demandes...).",
            "partition": "Its partition key (a year, an SNE period), or the source's name for a "
            "reference table.",
            "digest": "sha256 over the validation code, the pseudonymisation key (keyed) and "
            "each file's name and sha256: a load of the same files under the same code and key "
            "has the same digest.",
            "run_id": "The run that loaded these files.",
            "loaded_at": "When.",
        },
    )


def loaded_by(con: duckdb.DuckDBPyConnection, source: str, key: str, value: str) -> str | None:
    """The run that loaded exactly this (digest ``value``), or None when it must be loaded."""
    ensure(con)
    row = con.execute(
        """SELECT run_id FROM raw_validated.load_state
           WHERE source = ? AND "partition" = ? AND digest = ?""",
        [source, key, value],
    ).fetchone()
    return row[0] if row else None


def record(con: duckdb.DuckDBPyConnection, source: str, key: str, value: str | None, run_id: str):
    """In the load's transaction: the partition now holds what ``value`` describes (None: the
    partition was removed)."""
    ensure(con)
    con.execute(
        'DELETE FROM raw_validated.load_state WHERE source = ? AND "partition" = ?', [source, key]
    )
    if value is not None:
        con.execute(
            "INSERT INTO raw_validated.load_state VALUES (?, ?, ?, ?, now())",
            [source, key, value, run_id],
        )
