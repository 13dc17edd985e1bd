"""The platform's settings, in small sections read from the environment and `.env`.

A section is one concern (the database, logging, MLflow, where model_api answers, ...) with
the variable names users know from the 2024 project (`ADMIN_USERNAME`,
`ROAD_ACCIDENTS_POSTGRES_*`, ...); new names start with `GLS_`. A package's settings compose
only the sections it needs (`Settings` subclasses with one field per section), so the UI never
holds the database password and model_api never carries the promotion margin. Precedence is
the same everywhere: environment over `.env` (or the file `GLS_ENV_FILE` names) over defaults.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_FILE_VARIABLE = "GLS_ENV_FILE"


def env_file() -> Path:
    """The `.env` file to read: `GLS_ENV_FILE` when set, else `.env` in the working directory."""
    return Path(os.environ.get(ENV_FILE_VARIABLE, ".env"))


class Section(BaseSettings):
    """One concern's settings; every field names its variable with `validation_alias`."""

    model_config = SettingsConfigDict(
        env_file_encoding="utf-8", extra="ignore", populate_by_name=True, frozen=True
    )

    def __init__(self, **values: object) -> None:
        values.setdefault("_env_file", env_file())
        super().__init__(**values)


class Settings(BaseModel):
    """A package's settings: one field per section it needs, each read when it is built."""

    model_config = ConfigDict(frozen=True)


class RuntimeSettings(Section):
    """Where the process runs: its environment and the folder of runtime data."""

    environment: Literal["development", "test", "production"] = Field(
        "development", validation_alias="GLS_ENVIRONMENT"
    )
    volumes_dir: Path = Field(Path("Volumes"), validation_alias="GLS_VOLUMES_DIR")

    @property
    def production(self) -> bool:
        return self.environment == "production"

    def volume(self, *parts: str) -> Path:
        """An absolute path under `Volumes/` (services may change their working folder)."""
        return self.volumes_dir.resolve().joinpath(*parts)


class LoggingSettings(Section):
    level: str = Field("INFO", validation_alias="GLS_LOG_LEVEL")
    format: Literal["console", "json"] = Field("console", validation_alias="GLS_LOG_FORMAT")


class AdminSettings(Section):
    """The Green Light admin: owner of RoadAccidents and admin of every service's UI."""

    admin_username: str = Field("admin", validation_alias="ADMIN_USERNAME")
    admin_password: SecretStr = Field(validation_alias="ADMIN_PASSWORD")


class ServiceAccountSettings(Section):
    """The pipelines' account on model_api (role `service`: reload and predict, no user
    management); model_api creates it when a password is set, Airflow logs in with it."""

    service_username: str = Field("pipelines", validation_alias="GLS_SERVICE_USERNAME")
    service_password: SecretStr | None = Field(None, validation_alias="GLS_SERVICE_PASSWORD")


class DatabaseAddressSettings(Section):
    """Where the RoadAccidents database is, whoever logs in (the admin, the UI's reader)."""

    postgres_db: str = Field("RoadAccidents", validation_alias="ROAD_ACCIDENTS_POSTGRES_DB")
    postgres_host: str = Field("localhost", validation_alias="ROAD_ACCIDENTS_POSTGRES_HOST")
    postgres_port: int = Field(5433, validation_alias="ROAD_ACCIDENTS_POSTGRES_PORT")


class DatabaseSettings(AdminSettings, DatabaseAddressSettings):
    """The RoadAccidents database, reached as its owner (the admin) unless a URL is given."""

    url_override: str | None = Field(
        None,
        validation_alias="GLS_DATABASE_URL",
        description="Full PostgreSQL URL of RoadAccidents; wins over the ROAD_ACCIDENTS_* parts.",
    )

    @property
    def external(self) -> bool:
        """Whether the database is given by URL, so `gls up` must not start an embedded one."""
        return self.url_override is not None

    @property
    def url(self) -> str:
        """SQLAlchemy URL (psycopg 3 driver) of the RoadAccidents database."""
        if self.url_override:
            return to_sqlalchemy_url(self.url_override)
        user = quote(self.admin_username, safe="")
        password = quote(self.admin_password.get_secret_value(), safe="")
        return (
            f"postgresql+psycopg://{user}:{password}@{self.postgres_host}:{self.postgres_port}"
            f"/{quote(self.postgres_db, safe='')}"
        )

    @property
    def libpq_url(self) -> str:
        """The same URL in the form `psql` and psycopg accept."""
        return to_libpq_url(self.url)


class MlflowSettings(Section):
    """The MLflow tracking server and registry: where it listens and how clients reach it."""

    host: str = Field("127.0.0.1", validation_alias="GLS_MLFLOW_HOST")
    port: int = Field(5000, validation_alias="GLS_MLFLOW_PORT")
    tracking_uri_override: str | None = Field(None, validation_alias="GLS_MLFLOW_TRACKING_URI")
    database: str = Field(
        "mlflow",
        validation_alias="GLS_MLFLOW_DB",
        description="The server's backend database, on the RoadAccidents server.",
    )
    request_timeout: int = Field(
        10,
        gt=0,
        validation_alias="GLS_MLFLOW_REQUEST_TIMEOUT",
        description="Seconds one MLflow HTTP request of a service may take.",
    )
    request_retries: int = Field(
        0,
        ge=0,
        validation_alias="GLS_MLFLOW_REQUEST_RETRIES",
        description="The MLflow client's own retries in a service (it retries for minutes).",
    )

    @property
    def tracking_uri(self) -> str:
        return self.tracking_uri_override or f"http://{self.host}:{self.port}"

    def bound_client(self) -> None:
        """Bound every MLflow HTTP request of this process. By default the client retries
        seven times with back-off growing to minutes and waits 120 s for an answer, which
        would hold a model load, a page and a shutdown that long; services retry themselves."""
        os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = str(self.request_retries)
        os.environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] = str(self.request_timeout)
        os.environ["MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR"] = "1"


class ApiServerSettings(Section):
    """Where model_api listens, and the address its clients (UI, Airflow) call."""

    host: str = Field("127.0.0.1", validation_alias="GLS_MODEL_API_HOST")
    port: int = Field(8001, validation_alias="GLS_MODEL_API_PORT")
    url_override: str | None = Field(None, validation_alias="GLS_MODEL_API_URL")

    @property
    def url(self) -> str:
        return (self.url_override or f"http://{self.host}:{self.port}").rstrip("/")


def _pgadmin_venv() -> Path:
    """`.venv-pgadmin` beside the virtualenv running us (`make install` creates both)."""
    return Path(sys.prefix).with_name(".venv-pgadmin")


class PgAdminSettings(Section):
    """pgAdmin of `make up`: where it listens, the login e-mail of the Green Light admin (its
    password is ADMIN_PASSWORD) and its own virtualenv (its pins conflict with ours)."""

    host: str = Field("127.0.0.1", validation_alias="GLS_PGADMIN_HOST")
    port: int = Field(8888, validation_alias="GLS_PGADMIN_PORT")
    email: str = Field("admin@greenlight.example", validation_alias="PGADMIN_DEFAULT_EMAIL")
    venv: Path = Field(default_factory=_pgadmin_venv, validation_alias="GLS_PGADMIN_VENV")

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


class UpSettings(Section):
    services: str = Field(
        "all",
        validation_alias="GLS_UP_SERVICES",
        description="Services `gls up` starts: `all`, `none` or a comma-separated list of names.",
    )

    def wants(self, name: str) -> bool:
        """Whether `gls up` should start the service `name`."""
        choice = self.services.strip().lower()
        if choice in ("all", "none"):
            return choice == "all"
        return name.lower() in {n.strip().lower() for n in choice.split(",")}


class PlatformSettings(Settings):
    """What `gls up`, `gls down` and `gls db` need."""

    runtime: RuntimeSettings = Field(default_factory=RuntimeSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    up: UpSettings = Field(default_factory=UpSettings)


SECRETS_BLOCK = ("# >>> secrets", "# <<< secrets")
"""The lines around `.env`'s development secrets (PROD-docker-compose-up.sh reads them too)."""


def development_secrets(path: Path | None = None) -> dict[str, str]:
    """`.env`'s secrets block: variable -> its development value; empty without the file."""
    path = path or env_file()
    if not path.is_file():
        return {}
    found: dict[str, str] = {}
    inside = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(SECRETS_BLOCK):
            inside = line.startswith(SECRETS_BLOCK[0])
        elif inside and "=" in line and not line.startswith("#"):
            name, _, value = line.partition("=")
            found[name.strip()] = value.strip()
    return found


def development_secrets_in_use(settings: BaseModel) -> list[str]:
    """The variables of `settings` (sections included) that hold `.env`'s development value of
    a secret: production must refuse to run on them."""
    development = development_secrets()
    found: list[str] = []
    for name, field in type(settings).model_fields.items():
        value = getattr(settings, name)
        if isinstance(value, BaseModel):
            found += development_secrets_in_use(value)
            continue
        alias = field.validation_alias
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(alias, str) and alias in development and value == development[alias]:
            found.append(alias)
    return sorted(set(found))


def setting_variables() -> set[str]:
    """Every variable the sections imported so far read (tests clear them)."""
    names = {ENV_FILE_VARIABLE}
    pending: list[type[Section]] = [Section]
    while pending:
        section = pending.pop()
        pending.extend(section.__subclasses__())
        names.update(
            field.validation_alias
            for field in section.model_fields.values()
            if isinstance(field.validation_alias, str)
        )
    return names


def to_sqlalchemy_url(url: str) -> str:
    """Name the psycopg 3 driver in a PostgreSQL URL, whatever form it came in."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    raise ValueError(f"not a PostgreSQL URL: {url.split('@')[-1]!r}")


def to_libpq_url(url: str) -> str:
    """Drop the SQLAlchemy driver name so that libpq tools accept the URL."""
    return "postgresql://" + to_sqlalchemy_url(url).removeprefix("postgresql+psycopg://")
