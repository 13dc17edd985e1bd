"""Settings of the gravity model: the database it reads, MLflow, and how cautious promotion is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field
from sqlalchemy import make_url

from green_light_platform.settings import (
    DatabaseSettings,
    MlflowSettings,
    RuntimeSettings,
    Section,
    Settings,
)

if TYPE_CHECKING:
    from pathlib import Path


class PromotionSettings(Section):
    margin: float = Field(
        0.002,
        ge=0,
        validation_alias="GLS_PROMOTION_MARGIN",
        description="How much the primary metric of a new version must exceed the champion's.",
    )


class GravityModelSettings(Settings):
    """What training and the MLflow server need."""

    runtime: RuntimeSettings = Field(default_factory=RuntimeSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    mlflow: MlflowSettings = Field(default_factory=MlflowSettings)
    promotion: PromotionSettings = Field(default_factory=PromotionSettings)

    @property
    def artifacts_dir(self) -> Path:
        """Where the MLflow server (or a local store) keeps run and model artifacts."""
        return self.runtime.volume("mlflow", "artifacts")

    @property
    def backend_store_uri(self) -> str:
        """The `mlflow` database on the RoadAccidents server, as MLflow's SQLAlchemy URL."""
        url = make_url(self.database.url).set(database=self.mlflow.database)
        return url.render_as_string(hide_password=False)
