"""The model being served: what it is, and reloading the champion (admin)."""

import logging

from fastapi import APIRouter, HTTPException, status
from fastapi.concurrency import run_in_threadpool

from model_api.deps import CurrentUser, ReloaderUser, ServicesDep, ServingDep
from model_api.routes import errors
from model_api.schemas import ModelDescription, Refreshed
from model_api.services import Services
from model_api.serving import ModelLoadError, Serving

log = logging.getLogger(__name__)

router = APIRouter(tags=["model"])


def _describe(serving: Serving, services: Services) -> ModelDescription:
    model = serving.model
    return ModelDescription(
        name=model.name,
        version=str(model.version),
        alias=model.alias,
        threshold=model.threshold,
        metrics=dict(model.metrics),
        data_years=list(model.data_years),
        trained_at=model.trained_at,
        loaded_at=serving.loaded_at,
        fast_path=model.scorer is not None,
        last_refresh_error=services.holder.problem,
    )


@router.get("/model", responses=errors(401, 503))
async def describe(_: CurrentUser, services: ServicesDep, serving: ServingDep) -> ModelDescription:
    """Version, training data years, evaluation metrics and threshold of the served model."""
    return _describe(serving, services)


async def _refresh(user: ReloaderUser, services: ServicesDep) -> Refreshed:
    """Load the current champion fully, then swap it in; on failure keep serving the old one."""
    previous = services.holder.serving
    try:
        serving = await run_in_threadpool(services.holder.load)
    except ModelLoadError as error:
        raise HTTPException(
            status.HTTP_502_BAD_GATEWAY,
            f"{error}; still serving "
            + (f"version {previous.model.version}" if previous else "no model"),
        ) from error
    log.info("model refreshed", extra={"by": user.username, "version": serving.model.version})
    return Refreshed(
        previous_version=None if previous is None else str(previous.model.version),
        model=_describe(serving, services),
    )


router.post("/refresh", responses=errors(401, 403, 502))(_refresh)
router.get(
    "/refresh",
    responses=errors(401, 403, 502),
    description="The 2024 API's `GET /refresh`; prefer `POST /refresh`.",
    operation_id="refresh_get",
    deprecated=True,
)(_refresh)
