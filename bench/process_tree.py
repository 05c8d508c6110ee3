"""Watch a command's whole process tree from /proc: wall time, peak RSS of the tree (sampled),
and the child processes it started (which of them were dbt)."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


def _children() -> dict[int, int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
            except (OSError, IndexError):
                continue
    return parents


def _tree(root: int) -> set[int]:
    parents = _children()
    tree, todo = {root}, [root]
    while todo:
        pid = todo.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                todo.append(child)
    return tree


def _rss(pid: int) -> int:
    try:
        return int((Path("/proc") / str(pid) / "statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError):
        return 0


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@dataclass
class Watched:
    returncode: int
    seconds: float
    peak_rss_mb: float
    commands: dict[int, str] = field(default_factory=dict)
    output: str = ""

    @property
    def dbt_processes(self) -> list[str]:
        """dbt's processes: ``attrib-dbt`` (core/dbt_process.py) or a plain ``dbt``, started as
        a script (the interpreter first, then the script)."""
        names = ("/dbt", "/attrib-dbt")
        return [
            c for c in self.commands.values() if any(p.endswith(names) for p in c.split(" ")[:2])
        ]


def watch(command: list[str], env: dict | None = None, interval: float = 0.1) -> Watched:
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    peak, commands = 0, {}
    output: list[str] = []
    import threading

    reader = threading.Thread(target=lambda: output.extend(process.stdout), daemon=True)
    reader.start()
    while process.poll() is None:
        pids = _tree(process.pid)
        peak = max(peak, sum(_rss(p) for p in pids))
        for pid in pids - {process.pid} - set(commands):
            commands[pid] = _cmdline(pid)
        time.sleep(interval)
    reader.join()
    return Watched(
        process.returncode,
        time.perf_counter() - started,
        peak / 2**20,
        {p: c for p, c in commands.items() if c},
        "".join(output),
    )
