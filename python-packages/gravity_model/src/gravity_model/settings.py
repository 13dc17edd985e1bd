"""Settings of the gravity model: where MLflow is and how cautious promotion is.

Derived from the platform's `GlsSettings`, so the database, `Volumes/` and logging settings
are read the same way as everywhere else; the names added here start with `GLS_`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field
from sqlalchemy import make_url

from road_accidents_database_ingestion.settings import GlsSettings

if TYPE_CHECKING:
    from pathlib import Path


class GravityModelSettings(GlsSettings):
    """`GlsSettings` plus the MLflow server and the champion's promotion rule."""

    mlflow_tracking_uri: str = Field(
        "http://127.0.0.1:5000", validation_alias="GLS_MLFLOW_TRACKING_URI"
    )
    mlflow_host: str = Field("127.0.0.1", validation_alias="GLS_MLFLOW_HOST")
    mlflow_port: int = Field(5000, validation_alias="GLS_MLFLOW_PORT")
    mlflow_database: str = Field("mlflow", validation_alias="GLS_MLFLOW_DB")
    promotion_margin: float = Field(
        0.002,
        ge=0,
        validation_alias="GLS_PROMOTION_MARGIN",
        description="How much the primary metric of a new version must exceed the champion's.",
    )

    @property
    def mlflow_artifacts_dir(self) -> Path:
        """Where the MLflow server keeps run and model artifacts."""
        return (self.volumes_dir / "mlflow" / "artifacts").resolve()

    @property
    def mlflow_backend_store_uri(self) -> str:
        """The `mlflow` database on the RoadAccidents server, as MLflow's SQLAlchemy URL."""
        url = make_url(self.database_url).set(database=self.mlflow_database)
        return url.render_as_string(hide_password=False)
