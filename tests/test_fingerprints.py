"""File fingerprints (core/files.py): a file is hashed once per identity, even when a step
asks for it while the run's background hashing is reading it, and again when it changes."""

from __future__ import annotations

import hashlib
import os
import threading

from core import files


def test_a_hash_under_way_is_waited_for_and_a_changed_file_hashed_again(tmp_path, monkeypatch):
    path = tmp_path / "rpls_2024.csv"
    path.write_bytes(b"IDENT_REP;DEPCOM\n" + b"0001;31555\n" * 200_000)
    reads, reading, release = [], threading.Event(), threading.Event()
    read = files._read_and_hash

    def slow_read(name: str) -> str:  # holds the first read open until the step has asked
        reads.append(name)
        reading.set()
        release.wait(10)
        return read(name)

    monkeypatch.setattr(files, "_read_and_hash", slow_read)
    ahead = files.hash_ahead([path])
    assert reading.wait(10)
    asked: list[str] = []
    step = threading.Thread(target=lambda: asked.append(files.file_sha256(path)))
    step.start()
    step.join(0.3)
    assert step.is_alive()  # waiting for the background hash, not reading the file again
    release.set()
    step.join(10)
    ahead.join(10)
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    assert asked == [expected] and len(reads) == 1
    assert files.files_sha256([path, path]) == [expected, expected] and len(reads) == 1
    # the same name with other bytes (a new extract dropped over the old one): hashed again
    path.write_bytes(b"IDENT_REP;DEPCOM\n0002;31555\n")
    os.utime(path, ns=(1, 1))
    assert files.file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    assert len(reads) == 2


def test_a_read_that_failed_is_tried_again(tmp_path, monkeypatch):
    path = tmp_path / "demandes_2026T1.csv"
    path.write_text("NUM_UNIQUE\n031000001\n")
    read, failed = files._read_and_hash, []

    def failing_once(name: str) -> str:  # a disk error on the first read
        if not failed:
            failed.append(name)
            raise OSError(5, "Input/output error")
        return read(name)

    monkeypatch.setattr(files, "_read_and_hash", failing_once)
    try:
        files.file_sha256(path)
    except OSError:
        pass
    else:
        raise AssertionError("the read error reaches the caller")
    assert files.file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()
