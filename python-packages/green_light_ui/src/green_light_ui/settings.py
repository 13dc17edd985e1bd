"""Settings of the Streamlit UI: where it listens and where model_api answers (no database
password: the UI needs none of the admin's secrets)."""

from __future__ import annotations

from pydantic import Field

from green_light_platform.settings import (
    ApiServerSettings,
    LoggingSettings,
    RuntimeSettings,
    Section,
    Settings,
)


class UiServerSettings(Section):
    host: str = Field("127.0.0.1", validation_alias="GLS_UI_HOST")
    port: int = Field(8501, validation_alias="GLS_UI_PORT")


class UiSettings(Settings):
    runtime: RuntimeSettings = Field(default_factory=RuntimeSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    model_api: ApiServerSettings = Field(default_factory=ApiServerSettings)
    server: UiServerSettings = Field(default_factory=UiServerSettings)
