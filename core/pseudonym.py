"""The secret behind every pseudonymous key: HMAC-SHA256 of a personal identifier.

The demand number (``NUM_UNIQUE``) is replaced by its HMAC as it is loaded, so no table, view,
manifest or log holds it in clear. The key is read from ``ATTRIB_PSEUDONYM_KEY`` (real
deployments set it from a secret store) or from the private part of the warehouse's folder
(created by the first run that needs it, for samples). It is bound to DuckDB statements as a
parameter, never written into SQL text, so it appears in no view definition, compiled model or
query log; whoever holds it and the demand-number format could re-identify demands.
"""

from __future__ import annotations

import os
import secrets

from core.layout import Layout

KEY_VARIABLE = "ATTRIB_PSEUDONYM_KEY"
BLOCK = 64  # SHA-256's block size (RFC 2104)


def load_key(layout: Layout, *, create: bool = True) -> bytes:
    """The key from the environment, else from the warehouse's private key file."""
    if os.environ.get(KEY_VARIABLE):
        return os.environ[KEY_VARIABLE].encode()
    path = layout.key_file
    if not path.exists():
        if not create:
            raise FileNotFoundError(f"no pseudonym key: set {KEY_VARIABLE} or restore {path}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.parent.chmod(0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def hmac_parameters(key: bytes) -> dict[str, bytes]:
    """The inner and outer padded keys of HMAC, bound as ``$hmac_ipad`` and ``$hmac_opad``."""
    if len(key) > BLOCK:
        import hashlib

        key = hashlib.sha256(key).digest()
    padded = key.ljust(BLOCK, b"\0")
    return {
        "hmac_ipad": bytes(b ^ 0x36 for b in padded),
        "hmac_opad": bytes(b ^ 0x5C for b in padded),
    }


def hmac_sql(expression: str) -> str:
    """SQL of HMAC-SHA256(key, expression) as 64 hex digits, the key bound as parameters."""
    inner = f"unhex(sha256($hmac_ipad || encode(CAST({expression} AS VARCHAR))))"
    return f"sha256($hmac_opad || {inner})"
