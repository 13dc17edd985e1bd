"""Settings of the Streamlit UI: where it listens, where model_api and MLflow answer, its own
read-only login to the database (never the admin's: the UI holds none of the admin's secrets).

The reader's password has no default in code; the committed `.env` has a development one.
"""

from __future__ import annotations

from urllib.parse import quote

import psycopg
from pydantic import Field, SecretStr

from green_light_platform.settings import (
    ApiServerSettings,
    DatabaseAddressSettings,
    LoggingSettings,
    MlflowSettings,
    RuntimeSettings,
    Section,
    Settings,
    to_libpq_url,
)


class UiServerSettings(Section):
    host: str = Field("127.0.0.1", validation_alias="GLS_UI_HOST")
    port: int = Field(8501, validation_alias="GLS_UI_PORT")


class UiDatabaseSettings(DatabaseAddressSettings):
    """The UI's login to RoadAccidents: a member of the read-only role `gls_reader`."""

    user: str = Field("gls_ui", validation_alias="GLS_UI_DATABASE_USER")
    password: SecretStr = Field(validation_alias="GLS_UI_DATABASE_PASSWORD")
    address_override: str | None = Field(
        None,
        validation_alias="GLS_UI_DATABASE_URL",
        description="URL of the server and database to read (its user and password are"
        " ignored: the UI always logs in as GLS_UI_DATABASE_USER).",
    )
    statement_timeout_s: float = Field(20, gt=0, validation_alias="GLS_UI_STATEMENT_TIMEOUT")

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the database as the reader."""
        host, port, dbname = self.postgres_host, self.postgres_port, self.postgres_db
        if self.address_override:
            params = psycopg.conninfo.conninfo_to_dict(to_libpq_url(self.address_override))
            host = str(params.get("host", host))
            port = int(params.get("port", port))
            dbname = str(params.get("dbname", dbname))
        user = quote(self.user, safe="")
        password = quote(self.password.get_secret_value(), safe="")
        return f"postgresql+psycopg://{user}:{password}@{host}:{port}/{quote(dbname, safe='')}"


class UiSettings(Settings):
    runtime: RuntimeSettings = Field(default_factory=RuntimeSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    model_api: ApiServerSettings = Field(default_factory=ApiServerSettings)
    mlflow: MlflowSettings = Field(default_factory=MlflowSettings)
    """The tracking server the model page reads the registry from."""
    server: UiServerSettings = Field(default_factory=UiServerSettings)
    database: UiDatabaseSettings = Field(default_factory=UiDatabaseSettings)


def address_only(url: str) -> str:
    """A database URL without its credentials (to hand a server's address to the UI)."""
    params = psycopg.conninfo.conninfo_to_dict(to_libpq_url(url))
    host, port = params.get("host", "localhost"), params.get("port", 5432)
    return f"postgresql://{host}:{port}/{quote(str(params.get('dbname', '')), safe='')}"
