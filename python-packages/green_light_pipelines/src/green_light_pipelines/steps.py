"""What the platform's bring-up runs of this package: Airflow, which then ingests and trains.

Declared through the `gls.steps` entry-point group: the api-server (prepared by creating
Airflow's database, writing the admin's login and running `airflow db migrate`), then the
scheduler, dag-processor and triggerer.
The scheduler replaces the bring-up's own `ingest` and `first-champion`: the DAGs do that
work, so `gls up` ends with `champion`, which waits until model_api serves what they trained.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

from green_light_platform.smoke import SmokeError, bearer_token, expect
from green_light_platform.steps import Service, Step, Task

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

AIRFLOW = [sys.executable, "-m", "airflow"]
CHAMPION_TIMEOUT_S = 1800.0
PARSE_TIMEOUT_S = 120.0
"""How long the DAGs may stay unknown to Airflow before `gls up` says the folder is wrong."""


def _settings():  # noqa: ANN202 - imported lazily: every `gls` command declares the steps
    from green_light_pipelines.settings import AirflowServiceSettings

    return AirflowServiceSettings()


def initialise_airflow() -> str:
    """Create the `airflow` database, write the admin's login, migrate the metadata."""
    from green_light_pipelines.airflow_config import airflow_environment, write_passwords_file
    from green_light_platform.db.admin import ensure_database

    settings = _settings()
    created = ensure_database(settings.database.url, settings.airflow.database)
    write_passwords_file(settings)
    done = subprocess.run(  # noqa: S603 - Airflow's own CLI in this virtualenv
        [*AIRFLOW, "db", "migrate"],
        env={**_inherited(), **airflow_environment(settings)},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"airflow db migrate failed:\n{done.stderr[-3000:]}")
    return "metadata database created and migrated" if created else "metadata migrated"


def _inherited() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")}


def _component_healthy(url: str, component: str) -> bool:
    """Whether the api-server's monitor says `component` sends heartbeats."""
    try:
        with urllib.request.urlopen(f"{url}/api/v2/monitor/health", timeout=2) as answer:  # noqa: S310
            status = json.load(answer).get(component) or {}
    except (urllib.error.URLError, OSError, ValueError):
        return False
    return status.get("status") == "healthy"


def wait_for_champion(timeout_s: float = CHAMPION_TIMEOUT_S) -> str:
    """Wait until model_api serves a model, saying what the pipelines are doing meanwhile."""
    from green_light_pipelines.monitoring import MISSING, dag_states, describe, model_api_ready

    started = time.monotonic()
    last_line = ""
    while (waited := time.monotonic() - started) < timeout_s:
        ready, detail = model_api_ready()
        if ready:
            return detail
        states = dag_states()
        if MISSING in states.values() and waited > PARSE_TIMEOUT_S:
            folder = _settings().airflow.dags_folder.resolve()
            raise RuntimeError(
                f"Airflow has not parsed the pipelines after {waited:.0f} s ({describe(states)});"
                f" is {folder} the DAGs folder (GLS_AIRFLOW_DAGS_FOLDER)? See"
                " Volumes/logs/airflow-dag-processor.log"
            )
        line = f"waiting for the first champion: {describe(states)}"
        if line != last_line:
            log.info(line, extra={"seconds": round(waited)})
            last_line = line
        time.sleep(5)
    raise TimeoutError(
        f"no champion served after {timeout_s:.0f} s: {describe(dag_states())}; see the Airflow UI"
    )


def smoke(client: httpx.Client) -> str:
    """The admin gets a token at /auth/token and the REST API lists both pipelines."""
    from green_light_pipelines.dags import INGEST_DAG_ID, TRAIN_DAG_ID

    settings = _settings()
    url, admin = settings.airflow.url, settings.admin
    credentials = {
        "username": admin.admin_username,
        "password": admin.admin_password.get_secret_value(),
    }
    token = bearer_token(client.post(f"{url}/auth/token", json=credentials))
    answer = client.get(f"{url}/api/v2/dags", headers={"Authorization": f"Bearer {token}"})
    dags = {dag["dag_id"] for dag in expect(answer).json()["dags"]}
    if not {INGEST_DAG_ID, TRAIN_DAG_ID} <= dags:
        raise SmokeError(f"Airflow lists {sorted(dags)}, not {INGEST_DAG_ID} and {TRAIN_DAG_ID}")
    return f"{admin.admin_username} logged in (token), {len(dags)} DAGs listed"


def steps() -> list[Step]:
    settings = _settings()
    url = settings.airflow.url
    admin = f"{settings.admin.admin_username} / ADMIN_PASSWORD from .env"

    def service(name: str, *command: str, **options: object) -> Service:
        def environment() -> dict[str, str]:
            from green_light_pipelines.airflow_config import airflow_environment

            return airflow_environment(_settings())

        return Service(
            name=name,
            command=[*AIRFLOW, *command],
            url=options.pop("url", url),  # type: ignore[arg-type]
            health_url=options.pop("health_url", f"{url}/api/v2/monitor/health"),  # type: ignore[arg-type]
            env_factory=environment,
            **options,  # type: ignore[arg-type]
        )

    return [
        service(
            "airflow-api-server",
            "api-server",
            "--host",
            settings.airflow.host,
            "--port",
            str(settings.airflow.port),
            login=admin,
            after=("migrate",),
            prepare=initialise_airflow,
            smoke=smoke,
        ),
        service(
            "airflow-scheduler",
            "scheduler",
            health_url=f"http://127.0.0.1:{settings.airflow.scheduler_health_port}/health",
            url=f"{url}/dags",
            after=("airflow-api-server", "demo-data", "reference", "MLflow"),
            replaces=("ingest", "first-champion"),
        ),
        service(
            "airflow-dag-processor",
            "dag-processor",
            url=f"{url}/dags",
            health=lambda: _component_healthy(url, "dag_processor"),
            after=("airflow-api-server",),
        ),
        service(
            "airflow-triggerer",
            "triggerer",
            url=f"{url}/dags",
            health=lambda: _component_healthy(url, "triggerer"),
            after=("airflow-api-server",),
        ),
        Task(
            "champion",
            wait_for_champion,
            "model_api serving the champion the pipelines trained",
            after=("model_api", "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"),
        ),
    ]
