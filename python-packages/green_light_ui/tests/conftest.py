"""Fixtures of the UI tests: the UI's read-only login on the test server, the seeded database
and a denser one (where accidents concentrate enough to make hot spots), AppTests and a
running model_api.

The seeded database (2021-2022, scale 0.005) has too few accidents per 300 m cell for hot
spots, so the hot-spot and prediction tests use `dashboard_database_url`: the same bring-up
(demo data, reference, ingestion and its analytics refresh) at scale 0.05.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from green_light_platform.bringup import bring_up_with
from green_light_platform.db.admin import temporary_database
from green_light_platform.db.embedded import free_port
from green_light_ui.roles import ensure_reader_login
from green_light_ui.settings import address_only

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from green_light_platform.testing import TrainedRegistry

APP = str(Path(__file__).resolve().parents[1] / "src" / "green_light_ui" / "app.py")
PAGES = sorted(f"app_pages/{page.name}" for page in (Path(APP).parent / "app_pages").glob("*.py"))
"""Every page of the app, as AppTest's `switch_page` names them."""
READER = ("gls_ui_test", "reader-password-for-tests")
ADMIN = ("admin", "admin-password-for-tests")
JWT_SECRET = "a-test-secret-that-is-long-enough-for-hs256"
TIMEOUT = 60


@pytest.fixture(scope="session")
def reader_login(postgres_server_url: str, migrated_template: str) -> tuple[str, str]:
    """The UI's login on the test server (roles belong to the server, not to a database), a
    member of the reader role that the migrations create."""
    del migrated_template
    ensure_reader_login(postgres_server_url, *READER)
    return READER


@pytest.fixture(scope="session")
def dashboard_database_url(
    postgres_server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Demo data 2021-2022 at scale 0.05 (about 5,600 accidents), ingested by the bring-up."""
    folder = tmp_path_factory.mktemp("dashboard")
    with temporary_database(postgres_server_url, "gls_dashboard") as url:
        bring_up_with(
            {
                "GLS_DATABASE_URL": url,
                "ROAD_ACCIDENTS_DATA_DIRECTORIES": str(folder / "baac"),
                "GLS_VOLUMES_DIR": str(folder / "Volumes"),
                "GLS_DEMO_YEARS": "2021-2022",
                "GLS_DEMO_SCALE": "0.05",
                "GLS_DEMO_SEED": "3",
                "ADMIN_PASSWORD": ADMIN[1],
            },
            ["ingest"],
        )
        yield url


NOWHERE = "http://127.0.0.1:9"
"""An address where nothing answers (model_api or MLflow down)."""


def ui_environment(
    database_url: str, api_url: str = NOWHERE, tracking_uri: str = NOWHERE
) -> dict[str, str]:
    """The UI's settings for a database: its own login, never the admin's."""
    return {
        "GLS_UI_DATABASE_URL": address_only(database_url),
        "GLS_UI_DATABASE_USER": READER[0],
        "GLS_UI_DATABASE_PASSWORD": READER[1],
        "GLS_MODEL_API_URL": api_url,
        "GLS_MLFLOW_TRACKING_URI": tracking_uri,
        "GLS_ENV_FILE": os.devnull,
    }


@pytest.fixture
def app(
    clean_environment: Path, reader_login: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., AppTest]]:
    """An AppTest of the whole app reading `database_url`, on `page` (first run done)."""

    def start(
        database_url: str,
        page: str | None = None,
        api_url: str = NOWHERE,
        tracking_uri: str = NOWHERE,
    ) -> AppTest:
        environment = ui_environment(database_url, api_url, tracking_uri)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        st.cache_data.clear()
        st.cache_resource.clear()
        test = AppTest.from_file(APP, default_timeout=TIMEOUT)
        test.run()
        if page is not None:
            test.switch_page(page)
            test.run()
        return test

    yield start
    st.cache_resource.clear()


def wait_until_up(url: str, process: subprocess.Popen, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{what} exited with {process.returncode}"
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{what} did not answer at {url} within {timeout} s")


def gls_process(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GLS_", "ADMIN_"))}
    with log.open("w") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "green_light_platform.cli", *args],
            env=base | env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


@pytest.fixture(scope="session")
def model_api_url(
    postgres_server_url: str,
    trained_registry: TrainedRegistry,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """`gls serve api` serving the bring-up's champion, with its own users database."""
    folder = tmp_path_factory.mktemp("model_api")
    port = free_port()
    with temporary_database(postgres_server_url, "gls_ui_api") as api_database:
        process = gls_process(
            ["serve", "api", "--port", str(port)],
            {
                "GLS_DATABASE_URL": api_database,
                "GLS_MLFLOW_TRACKING_URI": trained_registry.tracking_uri,
                "ADMIN_USERNAME": ADMIN[0],
                "ADMIN_PASSWORD": ADMIN[1],
                "GLS_JWT_SECRET": JWT_SECRET,
                "GLS_ENVIRONMENT": "test",
                "GLS_ENV_FILE": os.devnull,
                "GLS_VOLUMES_DIR": str(folder / "Volumes"),
            },
            folder / "model_api.log",
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(f"{url}/ready", process, "model_api", timeout=180)
            yield url
        finally:
            stop(process)
