"""The platform's settings: one definition read from the environment and `.env`.

Every Green Light Services package derives its own settings class from `GlsSettings`, so the
names users know from the 2024 project (`ADMIN_USERNAME`, `ROAD_ACCIDENTS_POSTGRES_*`, ...)
and the precedence rules (environment over `.env` over defaults) are defined here only.
New names start with `GLS_`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_FILE_VARIABLE = "GLS_ENV_FILE"
DEFAULT_MAX_REJECT_SHARE = 0.02
DEFAULT_MAX_UNKNOWN_SHARE = 0.05


def env_file() -> Path:
    """The `.env` file to read: `GLS_ENV_FILE` when set, else `.env` in the working directory."""
    return Path(os.environ.get(ENV_FILE_VARIABLE, ".env"))


class GlsSettings(BaseSettings):
    """Settings shared by every package of the platform."""

    model_config = SettingsConfigDict(
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        frozen=True,
    )

    admin_username: str = Field("admin", validation_alias="ADMIN_USERNAME")
    admin_password: SecretStr = Field(validation_alias="ADMIN_PASSWORD")
    postgres_db: str = Field("RoadAccidents", validation_alias="ROAD_ACCIDENTS_POSTGRES_DB")
    postgres_host: str = Field("localhost", validation_alias="ROAD_ACCIDENTS_POSTGRES_HOST")
    postgres_port: int = Field(5433, validation_alias="ROAD_ACCIDENTS_POSTGRES_PORT")
    database_url_override: str | None = Field(
        None,
        validation_alias=AliasChoices("GLS_DATABASE_URL"),
        description="Full SQLAlchemy URL of RoadAccidents; wins over the ROAD_ACCIDENTS_* parts.",
    )
    data_directories: Path = Field(
        Path("Volumes/road_accidents_data_directories"),
        validation_alias="ROAD_ACCIDENTS_DATA_DIRECTORIES",
    )
    ingest_max_reject_share: float = Field(
        DEFAULT_MAX_REJECT_SHARE,
        ge=0,
        le=1,
        validation_alias="GLS_INGEST_MAX_REJECT_SHARE",
        description="Share of rejected rows above which a file, and its year, fails.",
    )
    ingest_max_unknown_share: float = Field(
        DEFAULT_MAX_UNKNOWN_SHARE,
        ge=0,
        le=1,
        validation_alias="GLS_INGEST_MAX_UNKNOWN_SHARE",
        description="Share of one column's values that are no code of it (kept as NULL) above"
        " which a file, and its year, fails.",
    )
    up_services: str = Field(
        "all",
        validation_alias="GLS_UP_SERVICES",
        description="Services `gls up` starts: `all`, `none` or a comma-separated list of names.",
    )
    volumes_dir: Path = Field(Path("Volumes"), validation_alias="GLS_VOLUMES_DIR")
    environment: Literal["development", "test", "production"] = Field(
        "development", validation_alias="GLS_ENVIRONMENT"
    )
    log_level: str = Field("INFO", validation_alias="GLS_LOG_LEVEL")
    log_format: Literal["console", "json"] = Field("console", validation_alias="GLS_LOG_FORMAT")

    def __init__(self, **values: object) -> None:
        values.setdefault("_env_file", env_file())
        super().__init__(**values)

    @property
    def database_url(self) -> str:
        """SQLAlchemy URL (psycopg 3 driver) of the RoadAccidents database."""
        if self.database_url_override:
            return to_sqlalchemy_url(self.database_url_override)
        user = quote(self.admin_username, safe="")
        password = quote(self.admin_password.get_secret_value(), safe="")
        return (
            f"postgresql+psycopg://{user}:{password}@{self.postgres_host}:{self.postgres_port}"
            f"/{quote(self.postgres_db, safe='')}"
        )

    def wants_service(self, name: str) -> bool:
        """Whether `gls up` should start the service `name`."""
        choice = self.up_services.strip().lower()
        if choice in ("all", "none"):
            return choice == "all"
        return name.lower() in {n.strip().lower() for n in choice.split(",")}

    @property
    def libpq_url(self) -> str:
        """The same URL in the form `psql` and psycopg accept."""
        return to_libpq_url(self.database_url)

    @property
    def embedded_data_dir(self) -> Path:
        """Where `gls db start` keeps the embedded server's cluster."""
        return self.volumes_dir / "db" / "embedded"


def to_sqlalchemy_url(url: str) -> str:
    """Name the psycopg 3 driver in a PostgreSQL URL, whatever form it came in."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    raise ValueError(f"not a PostgreSQL URL: {url.split('@')[-1]!r}")


def to_libpq_url(url: str) -> str:
    """Drop the SQLAlchemy driver name so that libpq tools accept the URL."""
    return "postgresql://" + to_sqlalchemy_url(url).removeprefix("postgresql+psycopg://")
