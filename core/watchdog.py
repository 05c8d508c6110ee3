"""A run's processes end with it: a watchdog process remembers the run's descendants (dbt) and
kills them when the run's process disappears, even when it was killed with SIGKILL (which it
cannot catch). Without it, a dbt process orphaned by a killed run kept writing the warehouse.

Linux only (/proc); elsewhere the watchdog is not started.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

WATCH = r"""
import os, signal, sys, time
from pathlib import Path

parent = int(sys.argv[1])
marker = sys.argv[2].encode() if len(sys.argv) > 2 else None
me = os.getpid()

def children(pid):
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(c) for c in (task / "children").read_text().split()}
        except (OSError, ValueError):
            pass
    return found

def alive(pid):
    try:
        os.kill(pid, 0)
        status = Path(f"/proc/{pid}/status").read_text().lower()
        return "zombie" not in status
    except OSError:
        return False

known = set()
while alive(parent):
    todo, seen = [parent], set()
    while todo:
        for child in children(todo.pop()) - seen - {me}:
            seen.add(child)
            todo.append(child)
    known = seen or known
    time.sleep(0.1)
if marker:  # a process started in the last instant, before a look could see it
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker in (entry / "environ").read_bytes().split(b"\0"):
                known.add(int(entry.name))
        except OSError:
            pass
known.discard(me)
for pid in known:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
"""


def start_watchdog(marker: str | None = None) -> subprocess.Popen | None:
    """Watch this process; returns the watchdog (stop it with ``stop_watchdog`` at the end).
    When the process disappears, the watchdog kills its descendants as last seen (it looks every
    0.1 s) and any process whose environment holds ``marker`` (``NAME=value``: the warehouse's
    dbt target folder, in every dbt process's environment), in case it started between two
    looks."""
    if not Path("/proc/self/task").exists():
        return None
    return subprocess.Popen(
        [sys.executable, "-c", WATCH, str(os.getpid()), *([marker] if marker else [])],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # not in the run's process group: a kill of the group spares it
    )


def stop_watchdog(watchdog: subprocess.Popen | None) -> None:
    if watchdog is not None:
        watchdog.kill()
        watchdog.wait()
