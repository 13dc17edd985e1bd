"""What `gls up` says while it waits for the pipelines: the DAG runs, and model_api's state."""

from __future__ import annotations

import httpx

from green_light_pipelines.dags import INGEST_DAG_ID, TRAIN_DAG_ID


def model_api_ready() -> tuple[bool, str]:
    """Whether model_api serves a model (its `/ready`), and which version it says it serves."""
    from green_light_platform.settings import ApiServerSettings

    try:
        answer = httpx.get(f"{ApiServerSettings().url}/ready", timeout=3)
    except httpx.HTTPError as error:
        return False, f"model_api unreachable: {error}"
    if answer.status_code != 200:
        return False, "; ".join(answer.json().get("problems", [])) or answer.text
    version = answer.json().get("model_version")
    return True, f"model_api serves version {version}" if version else "model_api is ready"


MISSING = "not parsed"


def dag_states() -> dict[str, str]:
    """The state of the latest run of each pipeline (`not run yet`, or `not parsed` when
    Airflow does not know the DAG), as the Airflow REST API tells it to the admin."""
    from green_light_pipelines.settings import AirflowServiceSettings

    settings = AirflowServiceSettings()
    url = settings.airflow.url
    admin = settings.admin
    try:
        with httpx.Client(base_url=url, timeout=5) as client:
            token = client.post(
                "/auth/token",
                json={
                    "username": admin.admin_username,
                    "password": admin.admin_password.get_secret_value(),
                },
            )
            token.raise_for_status()
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            states = {}
            for dag_id in (INGEST_DAG_ID, TRAIN_DAG_ID):
                runs = client.get(
                    f"/api/v2/dags/{dag_id}/dagRuns",
                    params={"order_by": "-run_after", "limit": 1},
                    headers=headers,
                )
                if runs.status_code == 404:
                    states[dag_id] = MISSING
                    continue
                found = runs.json().get("dag_runs", [])
                states[dag_id] = found[0]["state"] if found else "not run yet"
    except httpx.HTTPError as error:
        return {"Airflow": f"unreachable ({error})"}
    return states


def describe(states: dict[str, str]) -> str:
    return ", ".join(f"{name} {state}" for name, state in states.items())
