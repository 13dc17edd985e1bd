"""`gls serve api` in its own process on a real port, and what `gls up` does with the API."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from green_light_platform.db.embedded import free_port
from green_light_platform.steps import declared_steps, ordered
from model_api.schemas import example_record
from model_api.steps import steps

from .api_support import ADMIN, JWT_SECRET, logged_rows


@pytest.mark.slow
def test_gls_serve_api_serves_until_terminated_and_flushes_its_log(
    database_url, tracking_uri, tmp_path
):
    port = free_port()
    workdir = tmp_path / "cwd"  # away from the registry file, as in production
    workdir.mkdir()
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env = inherited | {
        "ADMIN_USERNAME": ADMIN[0],
        "ADMIN_PASSWORD": ADMIN[1],
        "GLS_DATABASE_URL": database_url,
        "GLS_MLFLOW_TRACKING_URI": tracking_uri,
        "GLS_JWT_SECRET": JWT_SECRET,
        "GLS_LOG_FORMAT": "json",
        "GLS_PREDICTION_LOG_FLUSH_SECONDS": "3600",
        "GLS_ENV_FILE": str(tmp_path / "no.env"),
    }
    command = [sys.executable, "-m", "green_light_platform.cli", "serve", "api"]
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            deadline = time.monotonic() + 120
            while True:
                assert server.poll() is None, "gls serve api exited"
                assert time.monotonic() < deadline, "gls serve api did not get ready"
                try:
                    if client.get("/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.25)
            token = client.post("/token", data={"username": ADMIN[0], "password": ADMIN[1]})
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            assert client.post("/predict", json=example_record(), headers=headers).is_success
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0]
        print(output)  # shown by pytest when the test fails
    # uvicorn shuts down gracefully, then re-raises the signal it caught
    assert server.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output
    assert '"event": "model loaded"' in output
    assert len(logged_rows(database_url, 1, timeout=0)) == 1


def test_the_bring_up_starts_the_api_after_mlflow_and_the_first_champion(
    clean_environment, monkeypatch
):
    monkeypatch.setenv("ADMIN_PASSWORD", "unused")
    monkeypatch.setenv("GLS_MODEL_API_PORT", "9123")
    names = [step.name for step in ordered(declared_steps())]
    assert names.index("model_api") > names.index("first-champion") > names.index("MLflow")
    [api] = steps()
    assert api.command[-2:] == ["serve", "api"]
    assert api.health_url == "http://127.0.0.1:9123/health"
    assert api.login.startswith("admin /")


def test_gls_serve_api_refuses_invalid_settings_and_says_which(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GLS_")} | {
        "GLS_ENV_FILE": str(tmp_path / "none.env"),
        "GLS_ENVIRONMENT": "production",
        "ADMIN_USERNAME": "admin",
    }
    command = [sys.executable, "-m", "green_light_platform.cli", "serve", "api"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "\n  ADMIN_PASSWORD: Field required" in done.stderr
    env["ADMIN_PASSWORD"] = "a-long-enough-password"
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "GLS_JWT_SECRET must be set when GLS_ENVIRONMENT=production" in done.stderr
