"""Settings of model_api: the platform sections it needs plus its own auth and serving ones.

The JWT secret has no default: production refuses to start without one, other environments
get a random secret per process (tokens then die with the process, which is what a developer
restarting the server expects) and a warning saying so.
"""

from __future__ import annotations

import logging
import secrets
from functools import cache
from pathlib import Path  # noqa: TC003 - pydantic reads the annotation at runtime
from typing import Self

from pydantic import Field, SecretStr, field_validator, model_validator

from green_light_platform.settings import (
    ApiServerSettings,
    DatabaseSettings,
    LoggingSettings,
    MlflowSettings,
    RuntimeSettings,
    Section,
    ServiceAccountSettings,
    Settings,
)

log = logging.getLogger(__name__)

MIN_SECRET_LENGTH = 32


@cache
def _process_secret() -> str:
    log.warning(
        "GLS_JWT_SECRET is not set: using a random secret for this process only;"
        " tokens stop working when it restarts and are not shared between workers"
    )
    return secrets.token_urlsafe(MIN_SECRET_LENGTH)


class AuthSettings(Section):
    """Tokens, sign-up and login throttling."""

    jwt_secret: SecretStr | None = Field(None, validation_alias="GLS_JWT_SECRET")
    jwt_expire_minutes: float = Field(60, gt=0, validation_alias="GLS_JWT_EXPIRE_MINUTES")
    signup_enabled: bool | None = Field(
        None,
        validation_alias="GLS_SIGNUP_ENABLED",
        description="Unset: off in production, on elsewhere.",
    )
    login_max_failures: int = Field(5, gt=0, validation_alias="GLS_LOGIN_MAX_FAILURES")
    login_window_seconds: float = Field(300, gt=0, validation_alias="GLS_LOGIN_WINDOW_SECONDS")
    user_cache_seconds: float = Field(
        5,
        ge=0,
        validation_alias="GLS_API_USER_CACHE_SECONDS",
        description="How long a replica may act on a user's role or disabled flag it read.",
    )
    predict_rate_per_second: float = Field(
        20,
        ge=0,
        validation_alias="GLS_API_PREDICT_RATE_PER_SECOND",
        description="Prediction requests per second each user may make, sustained (0: no limit).",
    )
    predict_burst: int = Field(
        100,
        gt=0,
        validation_alias="GLS_API_PREDICT_BURST",
        description="Prediction requests a user may make at once above the sustained rate.",
    )

    @field_validator("jwt_secret")
    @classmethod
    def _strong(cls, secret: SecretStr | None) -> SecretStr | None:
        if secret is not None and len(secret.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(f"GLS_JWT_SECRET must be at least {MIN_SECRET_LENGTH} characters")
        return secret


class ServingSettings(Section):
    """Which model is served, how big a batch may be, and how the prediction log is written."""

    model_alias: str = Field("champion", validation_alias="GLS_MODEL_ALIAS")
    model_poll_seconds: float = Field(
        60,
        ge=0,
        validation_alias="GLS_MODEL_POLL_SECONDS",
        description="How often each replica checks where the alias points (0: only on refresh).",
    )
    batch_limit: int = Field(10_000, gt=0, validation_alias="GLS_API_BATCH_LIMIT")
    prediction_log_flush_rows: int = Field(
        1000, gt=0, validation_alias="GLS_PREDICTION_LOG_FLUSH_ROWS"
    )
    prediction_log_flush_seconds: float = Field(
        2, gt=0, validation_alias="GLS_PREDICTION_LOG_FLUSH_SECONDS"
    )
    prediction_log_max_pending: int = Field(
        200_000,
        gt=0,
        validation_alias="GLS_PREDICTION_LOG_MAX_PENDING",
        description="Rows kept in memory for the database; beyond, they are spilled to a file.",
    )
    prediction_log_spill_dir: Path | None = Field(
        None,
        validation_alias="GLS_PREDICTION_LOG_SPILL_DIR",
        description="Where rows the memory cannot keep wait (default Volumes/model_api/spill).",
    )
    prediction_log_spill_max_bytes: int = Field(
        256 * 2**20,
        gt=0,
        validation_alias="GLS_PREDICTION_LOG_SPILL_MAX_BYTES",
        description="Size of the spill folder beyond which rows are dropped (and counted).",
    )
    model_load_attempts: int = Field(
        10,
        gt=0,
        validation_alias="GLS_MODEL_LOAD_ATTEMPTS",
        description="Tries at loading the first model in the background, before the poller's.",
    )
    model_load_backoff_seconds: float = Field(
        1, gt=0, validation_alias="GLS_MODEL_LOAD_BACKOFF_SECONDS"
    )
    model_load_backoff_max_seconds: float = Field(
        30, gt=0, validation_alias="GLS_MODEL_LOAD_BACKOFF_MAX_SECONDS"
    )


class LimitsSettings(Section):
    """What a request may weigh, where browsers may call from, and how the API's database
    connections wait: every wait is bounded, so a fault answers 503 instead of hanging."""

    max_body_bytes: int = Field(
        16 * 2**20,
        gt=0,
        validation_alias="GLS_API_MAX_BODY_BYTES",
        description="Largest request body; a larger one is answered 413 before it is read.",
    )
    cors_origins: str = Field(
        "",
        validation_alias="GLS_API_CORS_ORIGINS",
        description="Comma-separated origins browsers may call the API from (none by default).",
    )
    db_pool_size: int = Field(5, gt=0, validation_alias="GLS_API_DB_POOL_SIZE")
    db_max_overflow: int = Field(5, ge=0, validation_alias="GLS_API_DB_MAX_OVERFLOW")
    db_pool_timeout: float = Field(
        2,
        gt=0,
        validation_alias="GLS_API_DB_POOL_TIMEOUT",
        description="Seconds a request waits for a free connection before answering 503.",
    )
    db_connect_timeout: int = Field(3, gt=0, validation_alias="GLS_API_DB_CONNECT_TIMEOUT")
    db_statement_timeout: float = Field(
        5,
        gt=0,
        validation_alias="GLS_API_DB_STATEMENT_TIMEOUT",
        description="Seconds after which one of the API's queries is cancelled (503).",
    )

    @property
    def origins(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]


class ApiSettings(Settings):
    """Everything model_api reads from the environment and `.env`."""

    runtime: RuntimeSettings = Field(default_factory=RuntimeSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    mlflow: MlflowSettings = Field(default_factory=MlflowSettings)
    server: ApiServerSettings = Field(default_factory=ApiServerSettings)
    service_account: ServiceAccountSettings = Field(default_factory=ServiceAccountSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    serving: ServingSettings = Field(default_factory=ServingSettings)
    limits: LimitsSettings = Field(default_factory=LimitsSettings)

    @model_validator(mode="after")
    def _secret_present_in_production(self) -> Self:
        if self.auth.jwt_secret is None and self.runtime.production:
            raise ValueError("GLS_JWT_SECRET must be set when GLS_ENVIRONMENT=production")
        return self

    @property
    def signup_allowed(self) -> bool:
        """Sign-up as configured, else off in production (accounts come from an admin)."""
        if self.auth.signup_enabled is not None:
            return self.auth.signup_enabled
        return not self.runtime.production

    @property
    def spill_dir(self) -> Path:
        return self.serving.prediction_log_spill_dir or self.runtime.volume("model_api", "spill")

    @property
    def signing_key(self) -> str:
        """The HS256 key: the configured secret, else this process's random one."""
        if self.auth.jwt_secret is not None:
            return self.auth.jwt_secret.get_secret_value()
        return _process_secret()
