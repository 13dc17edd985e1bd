"""What the platform's bring-up runs of this package: the MLflow server, and a first champion.

Declared through the `gls.steps` entry-point group. The first champion comes after the
ingestion, so it learns from the data `gls up` loaded, and before model_api, which then
finds a model to serve at start-up.
"""

from __future__ import annotations

import logging

from green_light_platform.steps import Service, Step, Task

log = logging.getLogger(__name__)


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
        ),
        first,
    ]
