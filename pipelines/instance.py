"""The Dagster instance of a warehouse: its run history, in the private part of the warehouse's
folder (or the user's own ``DAGSTER_HOME``), so ``dagster dev`` started with that
``DAGSTER_HOME`` shows the runs of ``attrib run``. The environment is read, never written."""

from __future__ import annotations

import os
from pathlib import Path

from dagster import DagsterInstance

from core.layout import Layout
from pipelines.build_plan import WAREHOUSE_TAG

# Runs the daemon launches (schedules, sensor, UI) queue one at a time per warehouse: DuckDB
# allows one writer per file, and the runs of one tick must keep their order.
INSTANCE_CONFIG = f"""telemetry:
  enabled: false
concurrency:
  runs:
    tag_concurrency_limits:
      - key: "{WAREHOUSE_TAG}"
        value:
          applyLimitPerUniqueValue: true
        limit: 1
"""


def dagster_home(layout: Layout) -> Path:
    return Path(os.environ.get("DAGSTER_HOME") or layout.dagster_home)


def instance_for(layout: Layout) -> DagsterInstance:
    home = dagster_home(layout)
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_CONFIG)
    return DagsterInstance.from_config(str(home))
