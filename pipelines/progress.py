"""Console progress of a run for ``attrib run``: the assets' own progress lines (one per raw
partition loaded) and one line per step with its duration, as the steps happen."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from dagster import DagsterEventType, logger

# where progress goes: the console the command started with (attrib run sends the rest of
# stdout, dbt's and Dagster's own output, to the run's log file)
STREAM: TextIO = sys.stdout


def say(text: str) -> None:
    print(text, file=STREAM, flush=True)


SHOWN = {
    DagsterEventType.STEP_START,
    DagsterEventType.STEP_SUCCESS,
    DagsterEventType.STEP_FAILURE,
    DagsterEventType.STEP_SKIPPED,
}


class ProgressHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        step = meta.get("step_key") or ""
        if event is None:
            if getattr(record, "progress", False):
                say(f"      {meta.get('orig_message', record.getMessage())}")
            return
        if event.event_type not in SHOWN:
            return
        kind = event.event_type
        if step.startswith("raw_validated__") and kind != DagsterEventType.STEP_FAILURE:
            return  # a raw step prints one line per partition it loads
        if kind == DagsterEventType.STEP_START:
            say(f"  {step} ...")
        elif kind == DagsterEventType.STEP_SUCCESS:
            seconds = event.event_specific_data.duration_ms / 1000
            say(f"  {step} done ({seconds:.1f} s)")
        elif kind == DagsterEventType.STEP_SKIPPED:
            say(f"  {step} skipped: an upstream step failed")
        else:
            say(f"  {step} FAILED: {failure_detail(event.event_specific_data)}")


DISK_FULL = ("No space left on device", "File too large", "disk I/O error", "Errno 27", "Errno 28")


def failure_detail(data) -> str:
    """What a failed step says: the user's ``Failure`` description, else the user's exception
    under Dagster's wrappers; for dbt, the models and tests that failed and why."""
    if data.user_failure_data and data.user_failure_data.description:
        return data.user_failure_data.description.splitlines()[0]
    error = data.error
    while error and error.cause and "ExecutionStepExecutionError" in error.cls_name:
        error = error.cause
    if not error:
        return "failed"
    lines = [line.strip() for line in error.message.strip().splitlines() if line.strip()]
    full = [line for line in lines if any(s in line for s in DISK_FULL)]
    if full:
        return f"the disk is full or a file-size limit was reached: {full[0]}"
    dbt = [
        line
        for line in lines
        if line.startswith(("Failure in", "Runtime Error in", "Database Error in", "Compilation"))
        or "Error:" in line
        or line.startswith("Got ")
    ]
    return " | ".join(dbt[:6]) if dbt else lines[0]


@logger(description="One line per step and per raw partition, for the command line.")
def progress_logger(init_context) -> logging.Logger:
    log = logging.Logger("attrib.progress", level=logging.DEBUG)  # step events are DEBUG
    log.addHandler(ProgressHandler())
    return log
