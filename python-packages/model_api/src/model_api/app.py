"""The FastAPI application: `create_app(settings)` for tests and embedding, and the factory
uvicorn runs (`uvicorn --factory model_api.app:app_from_environment`, or `gls serve api`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
from contextlib import asynccontextmanager
from importlib.metadata import version
from typing import TYPE_CHECKING

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError

from green_light_platform.logs import configure_logging
from model_api.metrics import ApiMetrics, MetricsMiddleware
from model_api.routes import auth, model, predictions, status, users
from model_api.services import Services
from model_api.serving import follow_alias_every
from model_api.settings import ApiSettings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

log = logging.getLogger(__name__)

DESCRIPTION = """
Predicts how likely an accident in a given scenario is to **kill or seriously injure** someone,
with the champion gravity model registered in MLflow.

Get a token with `POST /token` (the **Authorize** button) or `POST /user/login`, then call the
prediction routes with `Authorization: Bearer <token>`. Admins also reload the model and
manage users.
"""


def create_app(settings: ApiSettings) -> FastAPI:
    metrics = ApiMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await run_in_threadpool(Services.start, settings, metrics)
        app.state.services = services
        # Everything loaded so far (libraries, the model) lives as long as the process: out
        # of the collector's sight, full collections stop pausing requests for tens of ms.
        gc.collect()
        gc.freeze()
        follower = (
            asyncio.create_task(
                follow_alias_every(services.holder, settings.serving.model_poll_seconds)
            )
            if settings.serving.model_poll_seconds
            else None
        )
        try:
            yield
        finally:
            if follower is not None:
                follower.cancel()
            await run_in_threadpool(services.close)

    app = FastAPI(
        title="Green Light Services model API",
        description=DESCRIPTION,
        version=version("model_api"),
        lifespan=lifespan,
        # Observability is /metrics (Prometheus) and the JSON logs. FastAPI's native
        # OpenTelemetry hook would look up the (unconfigured) providers on every request:
        # a tenth of a prediction's CPU time.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_exception_handler(DBAPIError, _database_unavailable)
    for router in (
        status.router,
        auth.router,
        users.router,
        predictions.build_router(settings.serving.batch_limit),
        model.router,
    ):
        app.include_router(router)
    return app


DATABASE_RETRY_AFTER_S = 5


async def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
    """A route that needs the database while it is unreachable: a quick, honest 503 (not a
    500), and a hint of when to try again; the pool reconnects by itself once it is back."""
    log.warning(
        "database unavailable",
        extra={"path": request.url.path, "error": type(error).__name__},
    )
    return JSONResponse(
        {"detail": "database unreachable: try again shortly"},
        status_code=503,
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
    )


def app_from_environment() -> FastAPI:
    """The app configured from the environment and `.env`, with the platform's logging."""
    settings = ApiSettings()
    configure_logging(settings.logging.level, settings.logging.format)
    return create_app(settings)
