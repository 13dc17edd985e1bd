"""Settings of the Streamlit UI: the shared platform settings plus where model_api answers."""

from __future__ import annotations

from pydantic import Field

from road_accidents_database_ingestion.settings import GlsSettings


class UiSettings(GlsSettings):
    model_api_url: str = Field("http://127.0.0.1:8001", validation_alias="GLS_MODEL_API_URL")
    ui_port: int = Field(8501, validation_alias="GLS_UI_PORT")
