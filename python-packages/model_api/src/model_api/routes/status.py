"""The routes nobody needs a token for: hello, liveness, readiness, Prometheus metrics."""

from fastapi import APIRouter, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from model_api.deps import ServicesDep
from model_api.metrics import CONTENT_TYPE_LATEST
from model_api.schemas import Health, Message, Readiness
from model_api.services import Services

router = APIRouter(tags=["status"])


@router.get("/")
async def hello() -> Message:
    """The greeting of the 2024 API; the documentation is at /docs."""
    return Message(message="Green Light Services model API: see /docs")


@router.get("/health")
async def health() -> Health:
    """Liveness: the process answers (whether or not a model is loaded)."""
    return Health()


def _database_problem(services: Services) -> str | None:
    try:
        with services.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        return f"database unreachable: {error.__class__.__name__}"
    return None


@router.get(
    "/ready",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Not ready: `problems` says why."}},
)
async def ready(services: ServicesDep) -> JSONResponse:
    """Readiness: a model is loaded, the database answers and the accounts are written."""
    problems = []
    model = services.holder.serving is not None
    if not model:
        problems.append(f"model not loaded: {services.holder.problem}")
    database_problem = await run_in_threadpool(_database_problem, services)
    if database_problem:
        problems.append(database_problem)
    if services.accounts.problem:
        problems.append(services.accounts.problem)
    body = Readiness(
        ready=not problems, model=model, database=database_problem is None, problems=problems
    )
    return JSONResponse(
        body.model_dump(),
        status_code=status.HTTP_200_OK if body.ready else status.HTTP_503_SERVICE_UNAVAILABLE,
    )


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format."}},
)
async def metrics(services: ServicesDep) -> Response:
    """Requests, latencies, prediction distribution, model version, log writer health."""
    return Response(services.metrics.render(), media_type=CONTENT_TYPE_LATEST)
