"""What users see, in headless Chromium: a territorial sheet and the Dagster asset graph.
Screenshots go to warehouse/reports/screenshots/ for review."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from core import settings
from core.layout import Layout
from tests.browser import browser_page, ensure_chromium, screenshot_path

SICOVAL = "243100633"


@pytest.fixture(scope="session")
def chromium() -> str:
    return ensure_chromium()


def test_sheet_renders_its_charts_without_console_errors(attainment, chromium):
    sheet = Layout(attainment).reports / "fiche_sicoval_2025.html"
    with browser_page(chromium) as (page, errors):
        page.goto(sheet.as_uri())
        page.wait_for_function("document.body.dataset.chartsDrawn !== undefined")
        charts = page.locator("svg.chart")
        assert int(page.evaluate("document.body.dataset.chartsDrawn")) == charts.count() > 3
        for i in range(charts.count()):
            box = charts.nth(i).bounding_box()
            assert box and box["width"] > 300 and box["height"] > 10
        # a bar of the quota chart carries its figure in its tooltip (here withheld: 2 of 10)
        titles = page.eval_on_selector_all(
            "svg.chart rect.bar title", "nodes => nodes.map(n => n.textContent)"
        )
        transfer = "Mutations dans le parc social (code TRANSFER) : secret / cible 25\u202f%"
        assert any(t.startswith(transfer) for t in titles), titles
        page.screenshot(path=screenshot_path("fiche_sicoval_2025.png"), full_page=True)
        assert errors == []


def test_dbt_docs_site_opens_from_the_file(tiny_built, chromium):
    """The README points to warehouse/docs/dbt/index.html: opened from disk (file://), it shows
    the project's models, not "(loading)" (a static page with its manifest and catalog inside)."""
    _, warehouse, _ = tiny_built
    site = Layout(warehouse).docs / "dbt" / "index.html"
    with browser_page(chromium) as (page, errors):
        page.goto(site.as_uri() + "#!/model/model.attrib.fct_attribution")
        shown = "document.body.innerText.includes('The attribution was followed by a signed lease')"
        page.wait_for_function(shown, timeout=20_000)
        assert "loading" not in page.title().lower()
        page.screenshot(path=screenshot_path("dbt_docs_from_file.png"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def webserver(tmp_path):
    """`dagster-webserver` on loopback with the repository's workspace.yaml."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    port = free_port()
    executable = Path(sys.executable).with_name("dagster-webserver")
    command = [str(executable) if executable.exists() else shutil.which("dagster-webserver")]
    log = (tmp_path / "webserver.log").open("w")
    process = subprocess.Popen(
        [*command, "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=settings.PROJECT_ROOT,
        env={
            **os.environ,
            "DAGSTER_HOME": str(home),
            "ATTRIB_WAREHOUSE": str(tmp_path / "warehouse" / "attrib.duckdb"),
            "ATTRIB_RAW_DIR": str(tmp_path / "raw"),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(f"{url}/server_info", timeout=2)
                break
            except OSError:
                assert process.poll() is None, (tmp_path / "webserver.log").read_text()
                assert time.monotonic() < deadline, "the webserver did not start in 180 s"
                time.sleep(1)
        yield url, tmp_path / "webserver.log"
    finally:
        process.terminate()
        process.wait(timeout=30)


def dismiss_welcome(page) -> None:
    """A first visit shows a 'Join the Dagster community' dialog."""
    try:
        page.get_by_role("button", name="Skip").click(timeout=5000)
    except Exception:  # noqa: BLE001 - no dialog this time
        pass


def test_asset_graph_shows_raw_dbt_and_mart_assets(webserver, chromium):
    url, log = webserver
    with browser_page(chromium, 1600, 1000) as (page, _):
        page.goto(f"{url}/asset-groups")
        dismiss_welcome(page)
        for group in ("raw", "staging", "intermediate", "marts", "publication"):
            page.wait_for_selector(f"text={group}", timeout=60_000)
        page.screenshot(path=screenshot_path("asset_graph_groups.png"))
        # one mart's upstream graph: from the raw file families through dbt to the mart
        page.goto(
            f"{url}/assets/marts/fct_attribution?view=lineage&lineageScope=upstream&lineageDepth=3"
        )
        for name in ("sne_attributions", "stg_sne__decisions", "int_sne__decisions"):
            page.wait_for_selector(f"text={name}", timeout=60_000)
        assert page.locator("text=fct_attribution").count() >= 1
        page.screenshot(path=screenshot_path("asset_graph_fct_attribution.png"))
    assert "Error while importing code" not in log.read_text()
