"""``attrib-dbt``: dbt, started in the folder that holds its target folder (a warehouse's private
``dbt/`` folder), so that ``profiles.yml`` opens the run's building copy by a path relative to
it (``../building/attrib.duckdb``), the same for every warehouse.

Why: dbt reuses its parse of the project (partial parsing) only when the profile's connection
values and the command's vars are those of the previous parse. With the copy's absolute path in
the profile, every new warehouse (each scenario's, each test's) parsed the whole project again,
2.7 s per dbt invocation. dagster-dbt starts dbt in the dbt project's folder and names the
target folder in ``DBT_TARGET_PATH``, and the project's in ``DBT_PROJECT_DIR``; ``attrib dbt``
does the same.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> None:
    target = os.environ.get("DBT_TARGET_PATH")
    if target and Path(target).is_absolute():
        os.environ.setdefault("DBT_PROJECT_DIR", os.getcwd())  # the folder dbt was started in
        os.chdir(Path(target).parent)
    from dbt.cli.main import cli

    sys.argv[0] = "dbt"
    sys.exit(cli())


if __name__ == "__main__":
    main()
