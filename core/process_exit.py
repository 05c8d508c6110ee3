"""Ending a command's process once its work is done, without Python's teardown of the
interpreter: freeing dbt's, Dagster's and pandas' modules object by object takes 0.4 to 1 s
after every command and does nothing a finished command needs (its files and database
connections are closed by then, and the exit handlers below have run)."""

from __future__ import annotations

import atexit
import os
import sys


def exit_code(code: object) -> int:
    """The status ``sys.exit(code)`` would end the process with (a message: printed, 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def exit_now(code: object) -> None:
    """Run the exit handlers a normal exit runs (logging's flush, dbt-duckdb's close of its
    database, temporary folders), flush the standard streams, and end the process."""
    status = exit_code(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # a reader gone, a stream closed
            pass
    os._exit(status)
