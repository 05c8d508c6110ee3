"""Fingerprints of files: the sha256 that the load log, the lineage and the incremental loads
record (the value `sha256sum` prints).

A run reads each raw file's sha256 twice (to decide whether its partition changed, then to log
the load), and a national extract is 2 GB: the hash is kept per file identity (path, inode,
size, modification time to the nanosecond) for the life of the process, so a file is hashed
once unless it changes, and files are hashed on two threads (hashlib releases the GIL)."""

from __future__ import annotations

import functools
import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BLOCK = 1 << 22


@functools.lru_cache(maxsize=8192)
def _sha256(path: str, inode: int, size: int, modified_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """The sha256 of the file's bytes, hashed again whenever the file changes."""
    stat = Path(path).stat()
    return _sha256(str(Path(path).resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns)


def files_sha256(paths: list[Path], threads: int = 2) -> list[str]:
    """The sha256 of each file, in order, hashed on ``threads`` threads."""
    if len(paths) < 2:
        return [file_sha256(p) for p in paths]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(file_sha256, paths))
