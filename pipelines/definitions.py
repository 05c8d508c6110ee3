"""The code location loaded by ``dagster dev`` (workspace.yaml), ``attrib`` and the tests.

``build_definitions(settings)`` builds it for one landing zone and warehouse; ``defs`` is the
one for the settings of the environment (``ATTRIB_RAW_DIR``, ``ATTRIB_WAREHOUSE``). The dbt
manifest must exist before the assets are imported: ``attrib`` and the tests prepare it, and
under ``dagster dev`` it is prepared here (dagster-dbt's prepare-if-dev pattern).
"""

from dagster import Definitions, default_loggers, in_process_executor
from dagster_dbt.dbt_project import using_dagster_dev

from core.dbt_project import prepare_manifest
from core.settings import Settings

if using_dagster_dev():
    prepare_manifest()

from assets.publication import gx_mart_checks  # noqa: E402
from assets.publish import BUILT, published_warehouse  # noqa: E402
from core.resources import build_resources  # noqa: E402
from pipelines.jobs import JOBS  # noqa: E402
from pipelines.progress import progress_logger  # noqa: E402
from pipelines.schedules import SCHEDULES  # noqa: E402
from pipelines.sensors import SENSORS  # noqa: E402


def build_definitions(settings: Settings | None = None) -> Definitions:
    settings = settings or Settings.resolve()
    # in process: DuckDB allows one writer per file, so steps must not run in parallel
    return Definitions(
        assets=[*BUILT, published_warehouse],
        asset_checks=[gx_mart_checks],
        jobs=JOBS,
        schedules=SCHEDULES,
        sensors=SENSORS,
        resources=build_resources(settings),
        loggers={**default_loggers(), "progress": progress_logger},
        executor=in_process_executor,
    )


defs = build_definitions()
