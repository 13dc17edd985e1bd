"""What `gls up` runs of this package: the MLflow server, and a first training.

Declared through the `gls.services` and `gls.bootstrap` entry-point groups of the platform.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from road_accidents_database_ingestion.services import ServiceSpec

if TYPE_CHECKING:
    from road_accidents_database_ingestion.settings import GlsSettings

log = logging.getLogger(__name__)


def services(settings: GlsSettings) -> list[ServiceSpec]:
    """The MLflow tracking server: PostgreSQL backend, artifacts under Volumes/mlflow."""
    from gravity_model.settings import GravityModelSettings
    from gravity_model.tracking import ensure_tracking_database, mlflow_server_command

    model_settings = GravityModelSettings()
    url = f"http://{model_settings.mlflow_host}:{model_settings.mlflow_port}"
    return [
        ServiceSpec(
            name="MLflow",
            command=mlflow_server_command(model_settings),
            url=url,
            health_url=f"{url}/health",
            login="none (local)",
            order=10,
            prepare=lambda: ensure_tracking_database(model_settings),
        )
    ]


def bootstrap(settings: GlsSettings) -> None:
    """Train and register a first champion when there is none, so predictions work at once."""
    from mlflow import MlflowClient

    from gravity_model.registry import CHAMPION, aliased_version
    from gravity_model.settings import GravityModelSettings
    from gravity_model.training import train

    model_settings = GravityModelSettings()
    uri = model_settings.mlflow_tracking_uri
    if aliased_version(MlflowClient(uri, registry_uri=uri), CHAMPION) is not None:
        return
    log.info("no champion model yet: training a first one", extra={"tracking_uri": uri})
    report = train(
        model_settings.database_url,
        uri,
        promote="auto",
        promotion_margin=model_settings.promotion_margin,
    )
    log.info("first model trained", extra={"version": report.version})
