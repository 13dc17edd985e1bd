"""The MLflow tracking server of the platform: its command line and its database.

`make up` (and `gls up`) start `mlflow_server_command(settings)` after
`ensure_tracking_database(settings)`: the backend store is the database `mlflow` on the
RoadAccidents PostgreSQL server, artifacts are proxied by the server and kept under
`Volumes/mlflow/artifacts`, and it listens on 127.0.0.1:5000 (`GLS_MLFLOW_HOST/PORT`).
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from psycopg import sql

from road_accidents_database_ingestion.db.engine import connect

if TYPE_CHECKING:
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
        settings.mlflow_backend_store_uri,
        "--artifacts-destination",
        str(settings.mlflow_artifacts_dir),
        "--host",
        settings.mlflow_host,
        "--port",
        str(settings.mlflow_port),
    ]


def ensure_tracking_database(settings: GravityModelSettings) -> bool:
    """Create the `mlflow` database and the artifacts folder when missing; True if created."""
    settings.mlflow_artifacts_dir.mkdir(parents=True, exist_ok=True)
    with connect(settings.database_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (settings.mlflow_database,)
        ).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(settings.mlflow_database)))
    log.info("created the MLflow database", extra={"database": settings.mlflow_database})
    return True
