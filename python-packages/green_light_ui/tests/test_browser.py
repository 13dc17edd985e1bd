"""The app as a person uses it, in headless Chromium (Debian's `chromium`, driven by
Playwright; `make test` installs it when missing): a shared link opens a municipality with
its KPIs, a hot spot opens from a link, the person logs in and runs a prediction there, then
opens the model and pipelines page.
A screenshot of each step is saved in the test's folder, or in GLS_SCREENSHOT_DIR (`make
screenshots` refreshes the README's).

Without a browser the test is skipped, except in CI (CI=true) where it fails.
"""

from __future__ import annotations

import os
from pathlib import Path

import h3
import psycopg
import pytest

from green_light_platform.db.embedded import free_port

from .conftest import ADMIN, gls_process, stop, ui_environment, wait_until_up

CHROMIUM = Path(os.environ.get("GLS_TEST_CHROMIUM", "/usr/bin/chromium"))
"""Debian's package, as `make browser` installs it; GLS_TEST_CHROMIUM names another build of
Chromium (GitHub's Ubuntu runners have Google Chrome, and no Debian chromium)."""
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT_MS = 60_000
SHOTS = (
    "0-overview.png",
    "1-municipality.png",
    "2-hot-spot.png",
    "3-logged-in.png",
    "4-prediction.png",
    "5-model.png",
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.is_file():
        message = f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium as root"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def ui_url(dashboard_database_url, reader_login, model_api_url, trained_registry, tmp_path_factory):
    """`gls serve ui` on a free port, reading the dashboard database as the reader and the
    registry model_api serves from."""
    folder = tmp_path_factory.mktemp("ui")
    port = free_port()
    environment = ui_environment(
        dashboard_database_url, model_api_url, trained_registry.tracking_uri
    )
    process = gls_process(["serve", "ui", "--port", str(port)], environment, folder / "ui.log")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/_stcore/health", process, "the UI")
        yield url
    finally:
        stop(process)


def query(url: str, sql: str):
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchone()


def shoot(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main block, so a full-page screenshot
    shows only the window; the window is made as tall as that block for the shot (twice:
    charts drawn at the new size may make it taller)."""
    width, original = page.viewport_size["width"], page.viewport_size["height"]
    for _ in range(2):
        height = page.evaluate(
            "() => document.querySelector('[data-testid=\"stMain\"]')?.scrollHeight ?? 0"
        )
        page.set_viewport_size({"width": width, "height": min(max(height, original), 6000)})
        page.wait_for_timeout(750)
    page.screenshot(path=path)
    page.set_viewport_size({"width": width, "height": original})


def test_a_person_opens_a_shared_link_a_hot_spot_and_predicts(
    chromium, ui_url, dashboard_database_url, tmp_path
):
    commune, accidents = query(
        dashboard_database_url,
        "SELECT com_current, count(*) FROM accidents WHERE com_current IS NOT NULL"
        " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1",
    )
    (cell,) = query(
        dashboard_database_url,
        "SELECT cell FROM analytics.cell_year GROUP BY cell ORDER BY sum(accidents) DESC, cell"
        " LIMIT 1",
    )
    spot = h3.int_to_str(cell)
    shots = Path(os.environ.get("GLS_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(WAIT_MS)

    page.goto(ui_url)
    page.get_by_text("National trend").wait_for()
    page.get_by_test_id("stDataFrame").first.wait_for()
    shoot(page, shots / "0-overview.png")

    page.goto(f"{ui_url}/place?place=commune:{commune}")
    kpi = page.get_by_test_id("stMetric").filter(has_text="Accidents").first
    kpi.wait_for()
    assert f"{accidents:,}" in kpi.inner_text()
    page.get_by_text("Compared with its departement and France").wait_for()
    page.get_by_test_id("stDataFrame").first.wait_for()
    shoot(page, shots / "1-municipality.png")

    page.goto(f"{ui_url}/hotspots?spot={spot}")
    page.get_by_test_id("stMetric").filter(has_text="KSI share").first.wait_for()
    shoot(page, shots / "2-hot-spot.png")

    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("textbox", name="Username").fill(ADMIN[0])
    sidebar.get_by_role("textbox", name="Password").fill(ADMIN[1])
    sidebar.get_by_role("button", name="Log in").click()
    sidebar.get_by_text(f"Logged in to model_api as {ADMIN[0]}").wait_for()
    page.screenshot(path=shots / "3-logged-in.png")

    page.get_by_text("Predict at this spot").click()
    page.get_by_role("button", name="Predict").wait_for()
    page.get_by_role("button", name="Predict").click()
    result = page.get_by_test_id("stMetric").filter(has_text="Probability of a KSI accident")
    result.wait_for()
    assert "%" in result.inner_text()
    page.get_by_text("Main factors").wait_for()
    shoot(page, shots / "4-prediction.png")

    page.goto(f"{ui_url}/model")
    champion = page.get_by_test_id("stMetric").filter(has_text="Champion version")
    champion.wait_for()
    assert "1" in champion.inner_text()
    page.get_by_text("Calibration on the holdout").wait_for()
    page.get_by_test_id("stVegaLiteChart").first.wait_for()
    page.get_by_text("Data quality per year").wait_for()
    shoot(page, shots / "5-model.png")
    for name in SHOTS:
        assert (shots / name).stat().st_size > 10_000, f"{name} is (nearly) empty"
