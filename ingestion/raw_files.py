"""Find the files of a raw source in the landing zone and check they can be read at all."""

from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass, field
from pathlib import Path

from core.files import file_sha256
from schemas.source import RawSource

EXTENSIONS = (".csv", ".parquet")
CHUNK = 1 << 22


class RawFileError(Exception):
    """A raw file that cannot be read at all: its asset fails and the warehouse is untouched."""

    def __init__(self, path: Path | str, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = str(path), problem


@dataclass(frozen=True)
class RawFile:
    path: Path
    relative: str
    partition: str | None
    groups: dict[str, str | None] = field(default_factory=dict)

    @property
    def is_parquet(self) -> bool:
        return self.path.suffix == ".parquet"


def discover(raw_dir: Path, source: RawSource) -> dict[str | None, list[RawFile]]:
    """Files of ``source`` under ``raw_dir``, grouped by partition key (None if unpartitioned)."""
    folder = raw_dir / source.folder
    found: dict[str | None, list[RawFile]] = {}
    if not folder.is_dir():
        return found
    stems: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix not in EXTENSIONS or not path.is_file():
            continue
        match = source.match(path.stem)
        if not match:
            continue
        if path.stem in stems:
            raise RawFileError(
                path,
                f"both {stems[path.stem].name} and {path.name} exist; keep one format per extract",
            )
        stems[path.stem] = path
        groups = match.groupdict()
        key = groups.pop("partition", None) if source.partitioning else None
        found.setdefault(key, []).append(
            RawFile(path, path.relative_to(raw_dir).as_posix(), key, groups)
        )
    return found


def partition_keys(raw_dir: Path, source: RawSource) -> list[str]:
    return sorted(k for k in discover(raw_dir, source) if k is not None)


@dataclass(frozen=True)
class FileFacts:
    size: int
    sha256: str
    header: list[str]


def inspect_csv(raw: RawFile, source: RawSource) -> FileFacts:
    """Hash the file (once per run: core/files.py keeps it) and check its encoding and header
    in one streaming pass, stopped as soon as the encoding is settled."""
    size, sha256 = raw.path.stat().st_size, file_sha256(raw.path)
    utf8 = codecs.getincrementaldecoder("utf-8")()
    utf8_ok, non_ascii = True, False
    head = b""
    with raw.path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            if len(head) < 65536:
                head += chunk[:65536]
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError:
                utf8_ok = False
            non_ascii = non_ascii or not chunk.isascii()
            if not utf8_ok:
                break  # not UTF-8: only a UTF-8 source fails, whatever the rest holds
    if size == 0:
        raise RawFileError(raw.relative, "the file is empty")
    expected = "ISO-8859-1 (Latin-1)" if source.encoding == "latin-1" else "UTF-8"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head:
        raise RawFileError(
            raw.relative,
            f"looks UTF-16 encoded (byte-order mark or NUL bytes); this source must be {expected}",
        )
    if source.encoding == "utf-8" and not utf8_ok:
        raise RawFileError(raw.relative, "not valid UTF-8; this source must be UTF-8 encoded")
    if source.encoding == "latin-1" and utf8_ok and non_ascii:
        raise RawFileError(
            raw.relative,
            "looks UTF-8 encoded; this source must be ISO-8859-1 (Latin-1), "
            "as the real extracts are",
        )
    text = head.decode(source.encoding, errors="replace").lstrip("\ufeff")
    lines = text.splitlines()
    header = next(csv.reader(lines[:1], delimiter=source.delimiter), [])
    if not header:
        raise RawFileError(raw.relative, "the file is empty (no header line)")
    if len(lines) < 2 or not any(line.strip() for line in lines[1:]):
        raise RawFileError(raw.relative, "the file has a header but no data rows")
    return FileFacts(size, sha256, [h.strip() for h in header])


def hash_file(path: Path) -> tuple[int, str]:
    return path.stat().st_size, file_sha256(path)


def check_columns(raw: RawFile, source: RawSource, header: list[str]) -> list[str]:
    """Fail on a missing column; return the extra columns, which are ignored."""
    missing = [c for c in source.columns if c not in header]
    if missing:
        sep = "';'" if source.delimiter == ";" else "','"
        raise RawFileError(
            raw.relative,
            f"missing column(s) {', '.join(missing)}; expected the {sep}-separated header "
            f"{source.delimiter.join(source.columns)} (found {source.delimiter.join(header)})",
        )
    return [c for c in header if c not in source.columns]
