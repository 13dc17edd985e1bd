"""The FastAPI application: `create_app(settings)` for tests and embedding, and the factory
uvicorn runs (`uvicorn --factory model_api.app:app_from_environment`, or `gls serve api`).
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from importlib.metadata import version
from typing import TYPE_CHECKING

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exception_handlers import http_exception_handler
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from psycopg.errors import QueryCanceled
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from green_light_platform.logs import configure_logging
from model_api.log_sampling import Sampled
from model_api.metrics import ApiMetrics, MetricsMiddleware
from model_api.middleware import BodySizeLimit, SecurityHeaders
from model_api.routes import auth, model, predictions, status, users
from model_api.services import Services
from model_api.serving import BackgroundLoader, follow_alias_every
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
        settings.mlflow.bound_client()
        services = await run_in_threadpool(Services.start, settings, metrics)
        app.state.services = services
        serving = settings.serving
        loader = BackgroundLoader(
            services.holder,
            attempts=serving.model_load_attempts,
            backoff=serving.model_load_backoff_seconds,
            backoff_max=serving.model_load_backoff_max_seconds,
        )
        loader.start()
        app.state.loader = loader
        follower = (
            asyncio.create_task(follow_alias_every(services.holder, serving.model_poll_seconds))
            if serving.model_poll_seconds
            else None
        )
        try:
            yield
        finally:
            loader.stop()
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
    limits = settings.limits
    app.add_middleware(BodySizeLimit, max_bytes=limits.max_body_bytes)
    if limits.origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=limits.origins,
            allow_methods=["GET", "POST", "PATCH"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(SecurityHeaders, production=settings.runtime.production)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_exception_handler(DBAPIError, _database_unavailable)
    app.add_exception_handler(PoolTimeoutError, _database_unavailable)
    app.add_exception_handler(StarletteHTTPException, _unparsable_body)
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
_unavailable_log = Sampled()


async def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
    """A route that needs the database while it is unreachable, or while every connection
    of the pool is taken for longer than GLS_API_DB_POOL_TIMEOUT: a quick, honest 503 (not a
    500, not a hang), and a hint of when to try again; the pool reconnects by itself once the
    database is back."""
    busy = isinstance(error, PoolTimeoutError)
    cancelled = isinstance(getattr(error, "orig", None), QueryCanceled)
    reason = "busy" if busy else "slow" if cancelled else "unreachable"
    request.app.state.services.metrics.database_unavailable.labels(reason).inc()
    count = _unavailable_log.due(reason)
    if count is not None:
        log.warning(
            "database unavailable: answering 503",
            extra={
                "path": request.url.path,
                "reason": reason,
                "error": type(error).__name__,
                "requests_since_last_line": count,
            },
        )
    detail = {
        "busy": "database busy: every connection is in use, try again shortly",
        "slow": "database too slow: the query was cancelled (GLS_API_DB_STATEMENT_TIMEOUT)",
        "unreachable": "database unreachable: try again shortly",
    }[reason]
    return JSONResponse(
        {"detail": detail}, status_code=503, headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)}
    )


async def _unparsable_body(request: Request, error: Exception) -> JSONResponse:
    """FastAPI answers 400 to a body its JSON parser gave up on; when it gave up because the
    body nests deeper than Python's recursion limit, say so with a 422 like other invalid
    bodies."""
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 400 and isinstance(error.__cause__, RecursionError):
        error = HTTPException(422, "request body nested too deeply to be parsed")
    return await http_exception_handler(request, error)


def app_from_environment() -> FastAPI:
    """The app configured from the environment and `.env`, with the platform's logging."""
    settings = ApiSettings()
    configure_logging(settings.logging.level, settings.logging.format)
    return create_app(settings)
