"""From a year folder dropped into the data directory to model_api serving the new champion.

Needs the platform of `make up` running (Airflow, MLflow, model_api). Generates one new year
(the year after the latest present, scale 1.0 by default) in a scratch folder, waits until no
pipeline run is queued or running (one would hold the next), moves it into
the data directory in one rename (as a user's copy finishing), then follows the pipelines
through the Airflow REST API until the training run ends and, when the champion changed,
model_api serves it. Prints the end-to-end time split into the tasks' own work (the
durations of the tasks on the critical path: find_years, ingest_year, publish, train,
reload_model_api) and Airflow's overhead (watching, scheduling, queueing, task start-up).

    .venv/bin/python benchmarks/pipeline.py [--scale 1.0] [--timeout 900]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx

from baac_demo_data import generate_demo_data
from green_light_pipelines.airflow_config import airflow_environment
from green_light_pipelines.dags import INGEST_DAG_ID, TRAIN_DAG_ID
from green_light_pipelines.settings import AirflowServiceSettings
from green_light_platform.settings import ApiServerSettings
from road_accidents_database_ingestion.discovery import discover_year_folders

CRITICAL_PATH = {
    INGEST_DAG_ID: ("find_years", "ingest_year", "publish"),
    TRAIN_DAG_ID: ("train", "reload_model_api"),
}
OVERHEAD_TARGET_S = 15.0


def moment(text: str | None) -> float | None:
    return datetime.fromisoformat(text).timestamp() if text else None


class Airflow:
    def __init__(self, settings: AirflowServiceSettings) -> None:
        self.client = httpx.Client(base_url=settings.airflow.url, timeout=10)
        admin = settings.admin
        token = self.client.post(
            "/auth/token",
            json={
                "username": admin.admin_username,
                "password": admin.admin_password.get_secret_value(),
            },
        )
        token.raise_for_status()
        self.client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"

    def run_after(self, dag_id: str, since: float) -> dict | None:
        """The first run of `dag_id` queued after `since`, once it has finished."""
        runs = self.client.get(
            f"/api/v2/dags/{dag_id}/dagRuns", params={"order_by": "-run_after", "limit": 5}
        ).json()["dag_runs"]
        later = [r for r in runs if (moment(r["queued_at"]) or 0) >= since]
        if not later:
            return None
        first = min(later, key=lambda r: moment(r["queued_at"]) or 0)
        return first if first["state"] in ("success", "failed") else None

    def idle(self) -> bool:
        """No run of either pipeline queued or running (an earlier one would hold the next)."""
        for dag_id in CRITICAL_PATH:
            runs = self.client.get(
                f"/api/v2/dags/{dag_id}/dagRuns", params={"state": ["queued", "running"]}
            ).json()
            if runs["total_entries"]:
                return False
        return True

    def task_seconds(self, dag_id: str, run_id: str) -> dict[str, float]:
        instances = self.client.get(
            f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances", params={"limit": 100}
        ).json()["task_instances"]
        seconds: dict[str, float] = {}
        for ti in instances:
            if ti["duration"] is not None:
                seconds[ti["task_id"]] = seconds.get(ti["task_id"], 0.0) + float(ti["duration"])
        return seconds


def api_ready(api_url: str) -> bool:
    try:
        return httpx.get(f"{api_url}/ready", timeout=3).status_code == 200
    except httpx.HTTPError:
        return False


def wait_for(what: str, check, timeout_s: float):  # noqa: ANN001, ANN201 - a poll
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


def parse_seconds(folder: Path) -> float:
    """How long Airflow takes to parse our DAG files (the dag-processor does it every few
    seconds, so it must stay small; best of five)."""
    from airflow.dag_processing.dagbag import DagBag

    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        bag = DagBag(str(folder))
        best = min(best, time.perf_counter() - started)
        assert not bag.import_errors, bag.import_errors
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()

    settings = AirflowServiceSettings()
    os.environ.update(airflow_environment(settings))  # the platform's Airflow, before importing it
    print(f"DAG files parse in {parse_seconds(settings.airflow.dags_folder) * 1000:.0f} ms")
    data_dir = settings.ingestion.data_directories
    year = max(f.year for f in discover_year_folders(data_dir)) + 1
    airflow = Airflow(settings)
    api_url = ApiServerSettings().url
    wait_for("the pipelines to be idle", airflow.idle, args.timeout)
    with tempfile.TemporaryDirectory(dir=data_dir.parent) as scratch:
        generate_demo_data(Path(scratch), [year], scale=args.scale, seed=year)
        [written] = Path(scratch).iterdir()
        dropped = time.time()
        written.rename(data_dir / written.name)
    print(f"dropped {year} (scale {args.scale}) into {data_dir}")

    ingest = wait_for(
        "the ingestion run", lambda: airflow.run_after(INGEST_DAG_ID, dropped), args.timeout
    )
    print(f"ingestion run {ingest['dag_run_id']}: {ingest['state']}")
    train = wait_for(
        "the training run",
        lambda: airflow.run_after(TRAIN_DAG_ID, moment(ingest["end_date"]) - 5),
        args.timeout,
    )
    seconds = {**airflow.task_seconds(INGEST_DAG_ID, ingest["dag_run_id"])}
    seconds.update(airflow.task_seconds(TRAIN_DAG_ID, train["dag_run_id"]))
    ended = moment(train["end_date"])
    reloaded = bool(seconds.get("reload_model_api"))
    if reloaded:  # the reload is the training run's last task: its end is the run's end
        wait_for("model_api to be ready", lambda: api_ready(api_url), 60)
    work = sum(seconds.get(t, 0.0) for path in CRITICAL_PATH.values() for t in path)
    total = ended - dropped
    overhead = total - work
    print()
    print(f"{'task':<20}{'seconds':>10}")
    for path in CRITICAL_PATH.values():
        for task in path:
            print(f"{task:<20}{seconds.get(task, 0.0):>10.2f}")
    verdict = "met" if overhead <= OVERHEAD_TARGET_S else "missed"
    print(f"\ndrop -> {'model_api serving the new champion' if reloaded else 'training done'}:")
    print(f"  {total:.1f} s = tasks' own work {work:.1f} s + Airflow overhead {overhead:.1f} s")
    print(f"  overhead target <= {OVERHEAD_TARGET_S:.0f} s: {verdict}")
    print(f"champion changed: {'yes' if reloaded else 'no (the gate kept the champion)'}")


if __name__ == "__main__":
    main()
