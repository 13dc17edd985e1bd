"""The training DAG under `dag.test()`: it registers and promotes a model in a real MLflow
store and has the running model_api reload it through the service account; with no data it
ends cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import httpx
import pytest

from green_light_pipelines.dags import TRAIN_DAG_ID
from green_light_platform.db.admin import create_database, database_name, drop_database
from green_light_platform.db.embedded import free_port

from .pipelines_support import run_dag, states

SERVICE = ("pipelines", "a-service-password-for-tests")


@pytest.fixture
def platform(seeded_database_url, postgres_server_url, tmp_path, monkeypatch):
    """A copy of the seeded database, an empty MLflow store, and model_api serving from them
    (no champion yet) as `gls serve api` runs it."""
    name = f"gls_train_dag_{uuid.uuid4().hex[:10]}"
    database_url = create_database(
        postgres_server_url, name, template=database_name(seeded_database_url)
    )
    port = free_port()
    variables = {
        "GLS_DATABASE_URL": database_url,
        "GLS_MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'mlflow.db'}",
        "GLS_VOLUMES_DIR": str(tmp_path / "Volumes"),
        "GLS_MODEL_API_PORT": str(port),
        "GLS_SERVICE_USERNAME": SERVICE[0],
        "GLS_SERVICE_PASSWORD": SERVICE[1],
        "ADMIN_PASSWORD": "an-admin-password",
        "GLS_MODEL_POLL_SECONDS": "0",
    }
    for key, value in variables.items():
        monkeypatch.setenv(key, value)
    api = subprocess.Popen(
        [sys.executable, "-m", "green_light_platform.cli", "serve", "api"],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.3)
    try:
        yield url
    finally:
        api.terminate()
        api.wait(30)
        drop_database(postgres_server_url, name)


def served_version(url: str) -> str | None:
    token = httpx.post(
        f"{url}/token", data={"username": SERVICE[0], "password": SERVICE[1]}
    ).json()["access_token"]
    answer = httpx.get(f"{url}/model", headers={"Authorization": f"Bearer {token}"})
    return str(answer.json()["version"]) if answer.status_code == 200 else None


def test_training_promotes_a_champion_and_model_api_serves_it(airflow_metadata, platform):
    assert served_version(platform) is None, "model_api starts with no champion"
    run = run_dag(TRAIN_DAG_ID)
    assert run.state == "success"
    assert states(run) == {("train", -1): "success", ("reload_model_api", -1): "success"}
    assert served_version(platform) == "1"

    # Same data, same seed: version 2 scores as version 1 does, so the gate keeps the champion
    # and model_api is left alone.
    again = run_dag(TRAIN_DAG_ID)
    assert again.state == "success"
    assert states(again)[("reload_model_api", -1)] == "skipped"
    assert served_version(platform) == "1"


def test_with_no_data_the_run_ends_cleanly(
    airflow_metadata, database_url, tmp_path, monkeypatch, caplog
):
    monkeypatch.setenv("GLS_DATABASE_URL", database_url)
    monkeypatch.setenv("GLS_MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setenv("ADMIN_PASSWORD", "unused")
    run = run_dag(TRAIN_DAG_ID)
    assert run.state == "success"
    assert states(run) == {("train", -1): "success", ("reload_model_api", -1): "skipped"}
    assert "no accident data loaded yet: nothing to train" in caplog.text
