from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from data import insert_synthetic

from gravity_model.registry import NoChampionError, load_served_model
from gravity_model.settings import GravityModelSettings
from gravity_model.tracking import ensure_tracking_database, mlflow_server_command
from gravity_model.training import train
from green_light_platform.db.admin import drop_database
from green_light_platform.db.embedded import free_port
from green_light_platform.settings import DatabaseSettings, MlflowSettings, RuntimeSettings


@pytest.fixture
def settings(database_url, postgres_server_url, tmp_path, monkeypatch):
    """Settings whose `mlflow` database is a throwaway one on the test server."""
    monkeypatch.chdir(tmp_path)
    name = f"gls_mlflow_{uuid.uuid4().hex[:10]}"
    yield GravityModelSettings(
        runtime=RuntimeSettings(volumes_dir=tmp_path / "Volumes"),
        database=DatabaseSettings(admin_password="unused", url_override=database_url),
        mlflow=MlflowSettings(database=name, port=free_port()),
    )
    drop_database(postgres_server_url, name)


def test_the_server_command_names_the_postgres_backend_and_the_volume(settings, tmp_path):
    command = mlflow_server_command(settings)
    assert command[1:4] == ["-m", "mlflow", "server"]
    options = dict(zip(command[4::2], command[5::2], strict=True))
    assert options["--backend-store-uri"].startswith("postgresql+psycopg://")
    assert options["--backend-store-uri"].endswith(f"/{settings.mlflow.database}")
    assert options["--artifacts-destination"] == str(tmp_path / "Volumes" / "mlflow" / "artifacts")
    assert (options["--host"], options["--port"]) == ("127.0.0.1", str(settings.mlflow.port))


def _wait_until_healthy(url: str, server: subprocess.Popen, log: Path) -> None:
    """Wait for /health; the first start creates MLflow's schema, slow on a busy machine."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        assert server.poll() is None, f"mlflow server exited:\n{log.read_text()[-3000:]}"
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"mlflow server did not become healthy:\n{log.read_text()[-3000:]}")


@pytest.mark.slow
def test_training_through_the_mlflow_server_on_postgres(settings, database_url, tmp_path):
    assert ensure_tracking_database(settings) is True
    assert ensure_tracking_database(settings) is False
    log = tmp_path / "mlflow-server.log"
    with log.open("wb") as output:
        # Its own process group: the server starts workers that must stop with it.
        server = subprocess.Popen(
            mlflow_server_command(settings),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"},
        )
    try:
        uri = f"http://127.0.0.1:{settings.mlflow.port}"
        _wait_until_healthy(uri, server, log)
        with pytest.raises(NoChampionError):
            load_served_model(uri)
        insert_synthetic(database_url, [2020, 2021], per_year=150, seed=4)
        report = train(database_url, uri, reference_split=False)
        served = load_served_model(uri)
        assert (served.version, served.alias) == (report.version, "champion")
        assert any(settings.artifacts_dir.rglob("model.skops"))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
