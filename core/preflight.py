"""Checks made before a run does any work, so that a location it cannot write or a disk too
small ends in one line naming the path and the cause, not in a traceback half-way through."""

from __future__ import annotations

import shutil
from pathlib import Path

from core.layout import Layout

PROBE = ".attrib_write_probe"


class PreflightError(Exception):
    """The run cannot start: the message names the path and the cause."""


def check_writable(layout: Layout) -> None:
    """The warehouse file's folder and the warehouse's own folder can be written."""
    for folder in (layout.database.parent, layout.private):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / PROBE
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise PreflightError(f"cannot write to {folder}: {exc.strerror}") from None
    if layout.database.exists():
        try:
            with layout.database.open("r+b"):
                pass
        except OSError as exc:
            raise PreflightError(f"cannot write {layout.database}: {exc.strerror}") from None


def landing_zone_bytes(raw_dir: Path) -> int:
    return sum(p.stat().st_size for p in raw_dir.rglob("*") if p.is_file())


def check_space(layout: Layout, raw_dir: Path) -> None:
    """Free space for the run: about twice the landing zone (validated tables and their
    indexes, spill files) plus a copy's worth of the warehouse as it is."""
    current = layout.database.stat().st_size if layout.database.exists() else 0
    needed = 2 * landing_zone_bytes(raw_dir) + current
    free = shutil.disk_usage(layout.private).free
    if free < needed:
        raise PreflightError(
            f"not enough free space for {layout.database}: {free / 2**20:,.0f} MB free on the "
            f"disk of {layout.private}, about {needed / 2**20:,.0f} MB needed (twice the "
            "landing zone plus the warehouse)"
        )
