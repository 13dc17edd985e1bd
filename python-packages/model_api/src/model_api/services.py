"""Everything one running app holds, started and stopped together by its lifespan."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from green_light_platform.db.engine import make_engine
from model_api.accounts import Account, AccountBootstrap
from model_api.prediction_log import PredictionLogWriter
from model_api.schemas import example_record
from model_api.security import VerifiedTokens
from model_api.serving import ModelHolder, PredictionBatcher
from model_api.spill import SpillFolder
from model_api.throttling import LoginThrottle, RateLimit
from model_api.users import Role, UserCache, UserStore

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from model_api.metrics import ApiMetrics
    from model_api.settings import ApiSettings

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: ApiSettings
    metrics: ApiMetrics
    engine: Engine
    users: UserStore
    user_cache: UserCache
    tokens: VerifiedTokens
    throttle: LoginThrottle
    prediction_rate: RateLimit
    holder: ModelHolder
    prediction_log: PredictionLogWriter
    accounts: AccountBootstrap
    batcher: PredictionBatcher = field(default_factory=PredictionBatcher)

    @classmethod
    def start(cls, settings: ApiSettings, metrics: ApiMetrics) -> Services:
        """Bootstrap the admin and start the log writer (blocking); the model is loaded in
        the background (`BackgroundLoader`), so MLflow being away never delays start-up.

        Neither stops the start-up when away: the accounts are written in the background
        once the database answers (`AccountBootstrap`), the model once MLflow does.
        """
        limits = settings.limits
        engine = make_engine(
            settings.database.url,
            pool_size=limits.db_pool_size,
            max_overflow=limits.db_max_overflow,
            pool_timeout=limits.db_pool_timeout,
            connect_args={
                "connect_timeout": limits.db_connect_timeout,
                "options": f"-c statement_timeout={round(limits.db_statement_timeout * 1000)}",
            },
        )
        users = UserStore(engine)
        accounts = [
            Account(
                settings.database.admin_username,
                settings.database.admin_password.get_secret_value(),
                Role.ADMIN,
            )
        ]
        service = settings.service_account
        if service.service_password is not None:
            accounts.append(
                Account(
                    service.service_username,
                    service.service_password.get_secret_value(),
                    Role.SERVICE,
                )
            )
        bootstrap = AccountBootstrap(users, accounts)
        bootstrap.start()
        serving = settings.serving
        prediction_log = PredictionLogWriter(
            settings.database.url,
            metrics,
            SpillFolder(settings.spill_dir, serving.prediction_log_spill_max_bytes),
            flush_rows=serving.prediction_log_flush_rows,
            flush_seconds=serving.prediction_log_flush_seconds,
            max_pending=serving.prediction_log_max_pending,
            connect_timeout=limits.db_connect_timeout,
        )
        prediction_log.start()
        holder = ModelHolder(
            settings.mlflow.tracking_uri, serving.model_alias, metrics, example_record()
        )
        return cls(
            settings=settings,
            metrics=metrics,
            engine=engine,
            users=users,
            user_cache=UserCache(users, settings.auth.user_cache_seconds),
            tokens=VerifiedTokens(settings.signing_key),
            throttle=LoginThrottle(
                settings.auth.login_max_failures, settings.auth.login_window_seconds
            ),
            prediction_rate=RateLimit(
                settings.auth.predict_rate_per_second, settings.auth.predict_burst
            ),
            holder=holder,
            prediction_log=prediction_log,
            accounts=bootstrap,
        )

    def close(self) -> None:
        """Answer what is in flight, write the pending log rows, release connections."""
        self.accounts.stop()
        self.batcher.close()
        self.prediction_log.close()
        self.engine.dispose()
