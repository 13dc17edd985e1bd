"""MLflow away when `gls serve api` starts, as an operator meets it: a real process, a real
MLflow server started later on the address it was given, SIGTERM sent to the process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

import httpx
import pytest

from green_light_platform.db.embedded import free_port
from green_light_platform.network_faults import silent_listener
from green_light_platform.settings import setting_variables
from model_api.schemas import example_record

from .api_support import ADMIN, JWT_SECRET

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def wait_for(url: str, status: int, timeout: float) -> float:
    """Seconds until `url` answers `status` (fails after `timeout`)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        try:
            if httpx.get(url, timeout=1).status_code == status:
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer {status} within {timeout} s")


@contextmanager
def api_process(
    database_url: str, tracking_uri: str, folder: Path, **variables: str
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`gls serve api` in a process of its own, with only the settings given here."""
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in setting_variables() and not k.startswith("MLFLOW_")
    }
    env |= {
        "ADMIN_USERNAME": ADMIN[0],
        "ADMIN_PASSWORD": ADMIN[1],
        "GLS_DATABASE_URL": database_url,
        "GLS_MLFLOW_TRACKING_URI": tracking_uri,
        "GLS_JWT_SECRET": JWT_SECRET,
        "GLS_ENVIRONMENT": "test",
        "GLS_VOLUMES_DIR": str(folder / "Volumes"),
        "GLS_ENV_FILE": str(folder / "none.env"),
        "GLS_MODEL_API_PORT": str(port),
        "GLS_MODEL_POLL_SECONDS": "0",
    } | variables
    command = [sys.executable, "-m", "green_light_platform.cli", "serve", "api"]
    with (folder / "api.log").open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


@contextmanager
def mlflow_server(tracking_uri: str, port: int, folder: Path) -> Iterator[None]:
    """`mlflow server` on the given port, over the test's registry (a SQLite store)."""
    command = [
        sys.executable,
        "-m",
        "mlflow",
        "server",
        "--backend-store-uri",
        tracking_uri,
        "--artifacts-destination",
        str(folder / "mlflow-artifacts"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    with (folder / "mlflow.log").open("wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=folder)
    try:
        wait_for(f"http://127.0.0.1:{port}/health", 200, timeout=90)
        yield
    finally:
        server.terminate()
        server.wait(30)


@pytest.mark.slow
@pytest.mark.reliability(
    kind="fault",
    case="gls serve api started while nothing listens at the MLflow address; MLflow started"
    " there later",
    expect="/health answers 200 at once, /ready is 503 saying 'model not loaded: MLflow"
    " unreachable at <uri>', /predict answers 503 with Retry-After; once MLflow is up the"
    " champion is loaded in the background (bounded retries, capped back-off) without restart",
)
def test_the_api_starts_without_mlflow_and_loads_the_champion_when_it_comes(
    database_url, tracking_uri, tmp_path
):
    port = free_port()
    uri = f"http://127.0.0.1:{port}"
    settings = {
        "GLS_MODEL_LOAD_ATTEMPTS": "1000",
        "GLS_MODEL_LOAD_BACKOFF_SECONDS": "0.5",
        "GLS_MODEL_LOAD_BACKOFF_MAX_SECONDS": "1",
    }
    with api_process(database_url, uri, tmp_path, **settings) as (_, api):
        wait_for(f"{api}/health", 200, timeout=60)
        reason = f"model not loaded: MLflow unreachable at {uri}"
        deadline = time.monotonic() + 20  # the first attempt may still be under way
        while reason not in (ready := httpx.get(f"{api}/ready")).json()["problems"]:
            assert time.monotonic() < deadline, ready.json()
            time.sleep(0.1)
        assert ready.status_code == 503
        assert ready.json()["model"] is False
        token = httpx.post(
            f"{api}/token", data={"username": ADMIN[0], "password": ADMIN[1]}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        refused = httpx.post(f"{api}/predict", json=example_record(), headers=headers)
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "5"
        assert "MLflow unreachable" in refused.json()["detail"]

        with mlflow_server(tracking_uri, port, tmp_path):
            wait_for(f"{api}/ready", 200, timeout=30)
            served = httpx.post(f"{api}/predict", json=example_record(), headers=headers)
            assert served.status_code == 200
            assert served.json()["model"]["version"] == "1"


@pytest.mark.reliability(
    kind="fault",
    case="SIGTERM to gls serve api while its model load hangs on an MLflow address that"
    " accepts connections and never answers",
    expect="/health answers during the load, and the process exits within 5 s of SIGTERM"
    " (the load runs in a daemon thread; MLflow requests bounded by GLS_MLFLOW_REQUEST_TIMEOUT)",
)
def test_sigterm_stops_the_api_within_seconds_while_the_model_is_loading(database_url, tmp_path):
    with silent_listener() as port:
        uri = f"http://127.0.0.1:{port}"
        with api_process(database_url, uri, tmp_path, GLS_MLFLOW_REQUEST_TIMEOUT="120") as (
            process,
            api,
        ):
            wait_for(f"{api}/health", 200, timeout=60)
            ready = httpx.get(f"{api}/ready").json()
            assert ready["problems"] == ["model not loaded: no model loaded yet"]
            process.send_signal(signal.SIGTERM)
            started = time.monotonic()
            code = process.wait(30)
            assert time.monotonic() - started < 5, (tmp_path / "api.log").read_text()
            # uvicorn shuts down cleanly, then re-raises the signal it caught (exit -15).
            assert code in (0, -signal.SIGTERM)
            assert "Application shutdown complete" in (tmp_path / "api.log").read_text()
