"""The DAGs when a service they call is down, under `dag.test()`: the service is cut behind a
real TCP gate and comes back while the failed task waits for its retry. The run then ends by
itself as if nothing happened: nothing is half-loaded, the trained champion is not lost."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from green_light_pipelines.dags import INGEST_DAG_ID, TRAIN_DAG_ID
from green_light_platform.network_faults import TcpGate

from .pipelines_support import GOOD, loaded_years, run_dag, served_version, states

WAIT_S = 120


def open_when_retrying(gate: TcpGate, task_id: str) -> threading.Thread:
    """Opens the gate once `task_id` has failed its first try and waits for its retry (read
    from Airflow's metadata, as a scheduler would see it)."""
    metadata = Path(os.environ["AIRFLOW_HOME"]) / "airflow.db"

    def watch() -> None:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            with sqlite3.connect(metadata, timeout=5) as conn:
                found = conn.execute(
                    "SELECT 1 FROM task_instance WHERE task_id = ? AND state = 'up_for_retry'",
                    (task_id,),
                ).fetchone()
            if found:
                gate.open()
                return
            time.sleep(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    return watcher


@pytest.mark.slow
@pytest.mark.reliability(
    kind="fault",
    case="Airflow: the database is down when the ingestion DAG starts, back before the retry",
    expect="the first try fails, the retry loads every year by itself, nothing half-loaded",
)
def test_the_ingestion_retries_through_a_database_outage(
    airflow_metadata, data_directory, database_url, monkeypatch
):
    (data_directory / "2020").rename(data_directory.parent / "set-aside")
    gate = TcpGate.for_database(database_url)
    monkeypatch.setenv("GLS_DATABASE_URL", gate.url_through(database_url))
    watcher = open_when_retrying(gate, "find_years")
    try:
        run = run_dag(INGEST_DAG_ID)
    finally:
        watcher.join(1)
        gate.shut()
    assert [ti.try_number for ti in run.get_task_instances() if ti.task_id == "find_years"] == [2]
    assert run.state == "success"
    assert loaded_years(database_url) == list(GOOD)


@pytest.mark.slow
@pytest.mark.reliability(
    kind="fault",
    case="Airflow: model_api is down when the training DAG asks it to reload",
    expect="the champion stays registered; the retried reload makes model_api serve it",
)
def test_the_reload_retries_until_model_api_is_back(airflow_metadata, platform, monkeypatch):
    address = urlsplit(platform)
    gate = TcpGate(address.hostname, address.port)
    monkeypatch.setenv("GLS_MODEL_API_URL", f"http://127.0.0.1:{gate.port}")
    watcher = open_when_retrying(gate, "reload_model_api")
    try:
        run = run_dag(TRAIN_DAG_ID)
    finally:
        watcher.join(1)
        gate.shut()
    assert states(run) == {("train", -1): "success", ("reload_model_api", -1): "success"}
    retried = [ti for ti in run.get_task_instances() if ti.task_id == "reload_model_api"]
    assert [ti.try_number for ti in retried] == [2]
    assert served_version(platform) == "1"
