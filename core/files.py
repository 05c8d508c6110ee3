"""Fingerprints of files: the sha256 that the load log, the lineage and the incremental loads
record (the value `sha256sum` prints).

A run reads each raw file's sha256 twice (to decide whether its partition changed, then to log
the load), and a national extract is 1.4 GB: the hash is kept per file identity (path, inode,
size, modification time to the nanosecond) for the life of the process, so a file is hashed
once unless it changes. ``hash_ahead`` hashes a run's files in the background while the code
location loads (one core is idle then); a step asking for a hash being computed waits for it
instead of reading the file again (hashlib releases Python's lock)."""

from __future__ import annotations

import hashlib
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

BLOCK = 1 << 22

_LOCK = threading.Lock()
_HASHES: dict[tuple, Future] = {}  # by file identity: computed, or being computed
KEPT = 8192  # identities kept: a long-lived process (the daemon) sees files come and go


def _identity(path: Path) -> tuple[str, int, int, int]:
    stat = Path(path).stat()
    return str(Path(path).resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns


def _read_and_hash(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    """The sha256 of the file's bytes, hashed again whenever the file changes."""
    key = _identity(path)
    with _LOCK:
        known = _HASHES.get(key)
        if known is None:
            if len(_HASHES) >= KEPT:  # forget the hashes computed, not those under way
                for old in [k for k, f in _HASHES.items() if f.done()]:
                    del _HASHES[old]
            known = _HASHES[key] = Future()
            mine = True
        else:
            mine = False
    if mine:
        try:
            known.set_result(_read_and_hash(key[0]))
        except BaseException as exc:
            with _LOCK:  # not kept: the next caller tries again
                _HASHES.pop(key, None)
            known.set_exception(exc)
    return known.result()


def files_sha256(paths: list[Path], threads: int = 2) -> list[str]:
    """The sha256 of each file, in order, hashed on ``threads`` threads."""
    if len(paths) < 2:
        return [file_sha256(p) for p in paths]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(file_sha256, paths))


def hash_ahead(paths: list[Path]) -> threading.Thread:
    """Hash ``paths`` on one background thread, for the steps that will ask (a file that
    vanishes or cannot be read is left to them: they name it)."""

    def work() -> None:
        for path in paths:
            try:
                file_sha256(path)
            except OSError:
                continue

    thread = threading.Thread(target=work, name="hash-ahead", daemon=True)
    thread.start()
    return thread
