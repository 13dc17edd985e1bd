"""`gls up` as `make up` runs it, on free ports: Airflow ingests the demo data and trains on
its own, the REST API lets the admin in and shows both DAGs with a successful run, `gls smoke`
passes for every declared service (pgAdmin included), and `gls down` leaves no process of the
platform in the process table."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest

from green_light_pipelines.dags import INGEST_DAG_ID, TRAIN_DAG_ID
from green_light_platform.db.embedded import free_port

from .conftest import DAGS_FOLDER


def platform_processes(folder: Path) -> dict[int, str]:
    """Every process whose command line or environment names the platform's folder."""
    marker = str(folder).encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if marker in cmdline or marker in environ:
            found[int(entry.name)] = cmdline.replace(b"\0", b" ").decode(errors="replace")[:200]
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text()


@pytest.mark.slow
def test_up_runs_the_whole_chain_through_airflow_then_down_stops_everything(
    gls_cli, clean_environment
):
    airflow_port = free_port()
    gls_cli.env.update(
        GLS_UP_SERVICES="all",
        GLS_DEMO_YEARS="2021-2022",
        GLS_DEMO_SCALE="0.005",
        GLS_MLFLOW_PORT=str(free_port()),
        GLS_MODEL_API_PORT=str(free_port()),
        GLS_PGADMIN_PORT=str(free_port()),
        GLS_UI_PORT=str(free_port()),
        GLS_UI_DATABASE_PASSWORD="a-reader-password",
        GLS_AIRFLOW_PORT=str(airflow_port),
        GLS_AIRFLOW_SCHEDULER_HEALTH_PORT=str(free_port()),
        GLS_AIRFLOW_WORKER_LOG_PORT=str(free_port()),
        GLS_AIRFLOW_TRIGGER_LOG_PORT=str(free_port()),
        GLS_SERVICE_PASSWORD="a-service-password",
        GLS_AIRFLOW_DAGS_FOLDER=str(DAGS_FOLDER),
    )
    run_dir = Path(gls_cli.env["GLS_VOLUMES_DIR"]) / "run"
    up = gls_cli("up", timeout=1500)
    assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-5000:]
    assert "ingest: done by airflow-scheduler" in up.stdout
    assert "champion: model_api" in up.stdout

    with httpx.Client(base_url=f"http://127.0.0.1:{airflow_port}", timeout=10) as airflow:
        assert airflow.post(
            "/auth/token", json={"username": "cli_admin", "password": "wrong"}
        ).status_code in (401, 403)
        token = airflow.post("/auth/token", json={"username": "cli_admin", "password": "cli-pass"})
        assert token.status_code in (200, 201), token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        dags = airflow.get("/api/v2/dags", headers=headers).json()["dags"]
        assert {d["dag_id"]: d["is_paused"] for d in dags} == {
            INGEST_DAG_ID: False,
            TRAIN_DAG_ID: False,
        }
        for dag_id in (INGEST_DAG_ID, TRAIN_DAG_ID):
            runs = airflow.get(f"/api/v2/dags/{dag_id}/dagRuns", headers=headers).json()
            assert "success" in {r["state"] for r in runs["dag_runs"]}, (dag_id, runs)

    status = gls_cli("status").stdout.splitlines()
    declared = [line.split(":")[0] for line in status[1:]]
    assert {"MLflow", "model_api", "pgAdmin", "ui", "airflow-api-server"} <= set(declared), status
    for line in status[1:]:
        assert ": running, pid " in line and ", healthy " in line, line
    smoke = gls_cli("smoke", timeout=300)
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    for name in ["RoadAccidents PostgreSQL", *declared]:
        assert any(name in row and " ok " in row for row in smoke.stdout.splitlines()), name
    assert "cli_admin logged in (token)" in smoke.stdout

    pids = [int(p.read_text()) for p in run_dir.glob("*.pid")]
    assert len(pids) >= 8, "MLflow, model_api, pgAdmin, the UI and four Airflow services"
    assert len(platform_processes(clean_environment)) > len(pids)
    down = gls_cli("down")
    assert down.returncode == 0, down.stderr
    assert [pid for pid in pids if alive(pid)] == []
    assert gls_cli("db", "status").returncode == 3
    deadline = time.monotonic() + 15
    while platform_processes(clean_environment) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert platform_processes(clean_environment) == {}

    after = gls_cli("smoke", timeout=300)
    assert after.returncode == 1
    assert "smoke test failed" in after.stderr
