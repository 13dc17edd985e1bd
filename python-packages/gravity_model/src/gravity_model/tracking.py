"""The MLflow tracking server of the platform: its command line and its database.

`make up` (and `gls up`) start `mlflow_server_command(settings)` after
`ensure_tracking_database(settings)`: the backend store is the database `mlflow` on the
RoadAccidents PostgreSQL server, artifacts are proxied by the server and kept under
`Volumes/mlflow/artifacts`, and it listens on 127.0.0.1:5000 (`GLS_MLFLOW_HOST/PORT`).
"""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING

import mlflow

from green_light_platform.db.admin import ensure_database

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from mlflow import MlflowClient

    from gravity_model.settings import GravityModelSettings

log = logging.getLogger(__name__)

EXPERIMENT_NAME = "accident_gravity"


def mlflow_server_command(settings: GravityModelSettings) -> list[str]:
    """The `mlflow server` command line (run from the venv's Python, so no PATH lookup)."""
    return [
        sys.executable,
        "-m",
        "mlflow",
        "server",
        "--backend-store-uri",
        settings.backend_store_uri,
        "--artifacts-destination",
        str(settings.artifacts_dir),
        "--host",
        settings.mlflow.host,
        "--port",
        str(settings.mlflow.port),
    ]


def ensure_tracking_database(settings: GravityModelSettings) -> bool:
    """Create the `mlflow` database and the artifacts folder when missing; True if created."""
    settings.artifacts_dir.mkdir(parents=True, exist_ok=True)
    created = ensure_database(settings.database.url, settings.mlflow.database)
    if created:
        log.info("created the MLflow database", extra={"database": settings.mlflow.database})
    return created


@contextmanager
def mlflow_uris(tracking_uri: str) -> Iterator[None]:
    """MLflow's fluent API (runs, `log_model`) aimed at `tracking_uri` for the block only, so
    a caller's own process-wide URIs are as it left them afterwards."""
    previous = mlflow.get_tracking_uri(), mlflow.get_registry_uri()
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    try:
        yield
    finally:
        mlflow.set_tracking_uri(previous[0])
        mlflow.set_registry_uri(previous[1])


def experiment_id(client: MlflowClient, artifacts_dir: Path | None = None) -> str:
    """The experiment's id, created when missing. In a local store (not a server) a new
    experiment keeps its artifacts in `artifacts_dir` rather than `./mlruns` of whatever the
    working folder is; a server decides where artifacts go itself."""
    experiment = client.get_experiment_by_name(EXPERIMENT_NAME)
    if experiment is not None:
        return experiment.experiment_id
    local = artifacts_dir is not None and not client.tracking_uri.startswith(("http:", "https:"))
    return client.create_experiment(
        EXPERIMENT_NAME, artifact_location=artifacts_dir.as_uri() if local else None
    )
