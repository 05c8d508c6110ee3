"""The Dagster instance of a warehouse: its run history, in the private part of the warehouse's
folder (or the user's own ``DAGSTER_HOME``), so ``dagster dev`` started with that
``DAGSTER_HOME`` shows the runs of ``attrib run``. The environment is read, never written."""

from __future__ import annotations

import json
import os
from pathlib import Path

from dagster import DagsterInstance

from core.layout import Layout
from pipelines.build_plan import WAREHOUSE_TAG

# Runs the daemon launches (schedules, sensor, UI) queue one at a time per warehouse: DuckDB
# allows one writer per file, and the runs of one tick must keep their order. The event log is
# Dagster's SQLite one, in its usual place, with its connections kept open (core/run_history.py).
WRITTEN_BY = "# written by attrib (pipelines/instance.py); rewritten when the warehouse moves"
CONCURRENCY = f"""telemetry:
  enabled: false
concurrency:
  runs:
    tag_concurrency_limits:
      - key: "{WAREHOUSE_TAG}"
        value:
          applyLimitPerUniqueValue: true
        limit: 1
"""


def instance_config(home: Path) -> str:
    history = json.dumps(str(home.resolve() / "history" / "runs"))  # a JSON string is YAML
    return f"""{WRITTEN_BY}
{CONCURRENCY}event_log_storage:
  module: core.run_history
  class: PooledSqliteEventLogStorage
  config:
    base_dir: {history}
"""


def dagster_home(layout: Layout) -> Path:
    return Path(os.environ.get("DAGSTER_HOME") or layout.dagster_home)


def instance_for(layout: Layout) -> DagsterInstance:
    """The warehouse's instance; its ``dagster.yaml`` is written unless it is the user's own
    (one without attrib's first line, or an earlier attrib's, which held no event log)."""
    home = dagster_home(layout)
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    current = config.read_text(encoding="utf-8") if config.exists() else None
    wanted = instance_config(home)
    if current is None or current == CONCURRENCY or current.startswith(WRITTEN_BY):
        if current != wanted:
            config.write_text(wanted, encoding="utf-8")
    return DagsterInstance.from_config(str(home))
