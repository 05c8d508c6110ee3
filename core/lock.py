"""One writer at a time per warehouse: a lock file in the warehouse's private folder.

DuckDB allows one writer per file, and a second writer used to fail deep in a run with raw lock
errors. `attrib run` takes this lock before it starts (a second one is refused at once, naming
the run that holds it), and every write connection checks it, so a run started elsewhere (the
UI) fails its first step with the same one line. A lock whose process is gone (on this host) is
taken over. Runs launched by the Dagster daemon queue instead (a concurrency limit per
warehouse, pipelines/instance.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from pathlib import Path

from core.layout import Layout


class WarehouseBusy(Exception):
    """Another live process holds the warehouse's lock."""


def lock_path(layout: Layout) -> Path:
    return layout.private / "run.lock"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def holder(layout: Layout) -> dict | None:
    """Who holds the lock (pid, host, started_at, command), or None when it is free or stale."""
    path = lock_path(layout)
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    if info.get("host") == socket.gethostname() and not _alive(int(info.get("pid", 0))):
        return None  # its process is gone: stale
    return info


def describe(info: dict, layout: Layout) -> str:
    return (
        f"{layout.database} is being written by another run: pid {info.get('pid')} on "
        f"{info.get('host')}, started {info.get('started_at')} ({info.get('command')}); "
        f"try again when it ends (lock: {lock_path(layout)})"
    )


def check_not_busy(layout: Layout) -> None:
    """Refuse to write while another live process holds the lock (this process may)."""
    info = holder(layout)
    if info and int(info.get("pid", 0)) != os.getpid():
        raise WarehouseBusy(describe(info, layout))


class WarehouseLock:
    """``with WarehouseLock(layout, command):`` holds the lock for the block."""

    def __init__(self, layout: Layout, command: str):
        self.layout, self.command = layout, command

    def __enter__(self) -> WarehouseLock:
        path = lock_path(self.layout)
        path.parent.mkdir(parents=True, exist_ok=True)
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started_at": dt.datetime.now().isoformat(timespec="seconds"),
            "command": self.command,
        }
        for _ in range(2):
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                current = holder(self.layout)
                if current is not None:
                    raise WarehouseBusy(describe(current, self.layout)) from None
                path.unlink(missing_ok=True)  # stale: take it over
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(info, handle)
            return self
        raise WarehouseBusy(f"could not take the lock {path}")

    def __exit__(self, *exc) -> None:
        path = lock_path(self.layout)
        try:
            if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
                path.unlink()
        except (FileNotFoundError, ValueError):
            pass
