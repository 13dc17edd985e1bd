"""What the platform's bring-up runs of this package: the MLflow server, and a first champion.

Declared through the `gls.steps` entry-point group. The first champion comes after the
ingestion, so it learns from the data `gls up` loaded, and before model_api, which then
finds a model to serve at start-up.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from green_light_platform.smoke import SmokeError, expect
from green_light_platform.steps import Service, Step, Task

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)


def smoke(client: httpx.Client, url: str) -> str:
    """/health says OK and the registry knows the model with its champion alias."""
    from gravity_model.registry import CHAMPION, MODEL_NAME

    health = expect(client.get(f"{url}/health"))
    if health.text.strip() != "OK":
        raise SmokeError(f"{url}/health answered {health.text[:50]!r}, not OK")
    model = expect(
        client.get(f"{url}/api/2.0/mlflow/registered-models/get", params={"name": MODEL_NAME})
    ).json()["registered_model"]
    aliases = {a["alias"]: a["version"] for a in model.get("aliases", [])}
    if CHAMPION not in aliases:
        raise SmokeError(f"{MODEL_NAME} has no {CHAMPION} alias (aliases: {aliases})")
    return f"health OK, {MODEL_NAME} {CHAMPION} is version {aliases[CHAMPION]}"


def first_champion() -> str:
    """Train and register a first champion when there is none, so predictions work at once."""
    from mlflow import MlflowClient

    from gravity_model.registry import CHAMPION, aliased_version
    from gravity_model.settings import GravityModelSettings
    from gravity_model.training import train

    settings = GravityModelSettings()
    uri = settings.mlflow.tracking_uri
    if aliased_version(MlflowClient(uri, registry_uri=uri), CHAMPION) is not None:
        return "champion already registered"
    log.info("no champion model yet: training a first one", extra={"tracking_uri": uri})
    report = train(
        settings.database.url,
        uri,
        promote="auto",
        promotion_margin=settings.promotion.margin,
        artifacts_dir=settings.artifacts_dir,
    )
    return f"version {report.version} is {report.alias}"


def steps() -> list[Step]:
    """The MLflow tracking server (PostgreSQL backend, artifacts under Volumes/mlflow), then
    the first champion; no server when the tracking URI names another store."""
    from gravity_model.settings import GravityModelSettings
    from gravity_model.tracking import ensure_tracking_database, mlflow_server_command

    settings = GravityModelSettings()
    url = f"http://{settings.mlflow.host}:{settings.mlflow.port}"
    first = Task(
        "first-champion",
        first_champion,
        "a first model registered as champion when there is none",
        after=("ingest", "MLflow"),
    )
    if settings.mlflow.tracking_uri_override not in (None, url):
        external = Task(
            "MLflow",
            lambda: f"external tracking store {settings.mlflow.tracking_uri}",
            "GLS_MLFLOW_TRACKING_URI names another store: no server to start",
            after=("migrate",),
        )
        return [external, first]
    return [
        Service(
            name="MLflow",
            command=mlflow_server_command(settings),
            url=url,
            health_url=f"{url}/health",
            login="none (local)",
            after=("migrate",),
            prepare=lambda: ensure_tracking_database(settings),
            smoke=lambda client: smoke(client, url),
        ),
        first,
    ]
