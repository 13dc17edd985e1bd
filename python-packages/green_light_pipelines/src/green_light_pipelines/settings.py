"""Settings of the pipelines: Airflow itself, the SMTP server of failure alerts, and the
sections of the platform the tasks need (database, data directory, MLflow, model_api and the
service account the tasks use on it)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from green_light_platform.settings import (
    AdminSettings,
    ApiServerSettings,
    DatabaseSettings,
    MlflowSettings,
    RuntimeSettings,
    Section,
    ServiceAccountSettings,
    Settings,
)
from road_accidents_database_ingestion.settings import IngestionSection


class AirflowSection(Section):
    """The local Airflow of `gls up`. Secrets have no default: outside production, those not
    set are generated once and kept under `Volumes/airflow/` (every Airflow process must share
    them); production refuses to start without them."""

    host: str = Field("127.0.0.1", validation_alias="GLS_AIRFLOW_HOST")
    port: int = Field(8080, validation_alias="GLS_AIRFLOW_PORT")
    database: str = Field("airflow", validation_alias="GLS_AIRFLOW_DB")
    parallelism: int = Field(
        8,
        gt=0,
        validation_alias="GLS_AIRFLOW_PARALLELISM",
        description="Task slots of the LocalExecutor (each one is a forked process).",
    )
    jwt_secret: SecretStr | None = Field(None, validation_alias="GLS_AIRFLOW_JWT_SECRET")
    fernet_key: SecretStr | None = Field(None, validation_alias="GLS_AIRFLOW_FERNET_KEY")
    secret_key: SecretStr | None = Field(None, validation_alias="GLS_AIRFLOW_SECRET_KEY")
    scheduler_health_port: int = Field(8974, validation_alias="GLS_AIRFLOW_SCHEDULER_HEALTH_PORT")
    worker_log_port: int = Field(8793, validation_alias="GLS_AIRFLOW_WORKER_LOG_PORT")
    trigger_log_port: int = Field(8794, validation_alias="GLS_AIRFLOW_TRIGGER_LOG_PORT")
    dags_folder: Path = Field(Path("Airflow/dags"), validation_alias="GLS_AIRFLOW_DAGS_FOLDER")

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


class WatchSection(Section):
    poll_seconds: float = Field(
        2,
        gt=0,
        validation_alias="GLS_INGEST_WATCH_SECONDS",
        description="How often the ingestion DAG's watcher looks at the data directory.",
    )


class SmtpSection(Section):
    """Where failure alerts are sent from; without a host no e-mail is sent, a log line says so.
    An empty variable counts as unset (`.env` lists every one, compose passes them all)."""

    model_config = SettingsConfigDict(env_ignore_empty=True)

    host: str | None = Field(None, validation_alias="GLS_SMTP_HOST")
    port: int = Field(25, validation_alias="GLS_SMTP_PORT")
    user: str | None = Field(None, validation_alias="GLS_SMTP_USER")
    password: SecretStr | None = Field(None, validation_alias="GLS_SMTP_PASSWORD")
    sender: str = Field("airflow@greenlight.example", validation_alias="GLS_SMTP_FROM")
    starttls: bool = Field(False, validation_alias="GLS_SMTP_STARTTLS")


class PipelinesSettings(Settings):
    runtime: RuntimeSettings = Field(default_factory=RuntimeSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    ingestion: IngestionSection = Field(default_factory=IngestionSection)
    watch: WatchSection = Field(default_factory=WatchSection)
    mlflow: MlflowSettings = Field(default_factory=MlflowSettings)
    model_api: ApiServerSettings = Field(default_factory=ApiServerSettings)
    service_account: ServiceAccountSettings = Field(default_factory=ServiceAccountSettings)
    smtp: SmtpSection = Field(default_factory=SmtpSection)


class AirflowServiceSettings(Settings):
    """What starting the local Airflow needs."""

    runtime: RuntimeSettings = Field(default_factory=RuntimeSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    admin: AdminSettings = Field(default_factory=AdminSettings)
    ingestion: IngestionSection = Field(default_factory=IngestionSection)
    airflow: AirflowSection = Field(default_factory=AirflowSection)
