"""What routes depend on, as `Annotated` aliases: the services, the caller, the model.

All dependencies are `async def`: they do no blocking work on the hot path (a user is read
from the database only on a cache miss, in a worker thread), and async dependencies avoid a
thread hop per request.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer

from model_api.security import InvalidTokenError
from model_api.services import Services
from model_api.serving import Serving
from model_api.users import User

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


async def _services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(_services)]


def unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"}
    )


async def _current_user(
    services: ServicesDep, token: Annotated[str, Depends(oauth2_scheme)]
) -> User:
    try:
        username = services.tokens.username(token)
    except InvalidTokenError as error:
        raise unauthorized(str(error)) from error
    fresh, user = services.user_cache.cached(username)
    if not fresh:
        user = await run_in_threadpool(services.user_cache.load, username)
    if user is None:
        raise unauthorized("the token's user no longer exists")
    if user.disabled:
        raise unauthorized("account disabled")
    return user


CurrentUser = Annotated[User, Depends(_current_user)]


async def _predicting(user: CurrentUser, services: ServicesDep) -> User:
    wait = services.prediction_rate.retry_after(user.username)
    if wait is not None:
        services.metrics.rate_limited.inc()
        seconds = math.ceil(wait)
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"too many predictions for {user.username!r}: retry in {seconds} s"
            " (GLS_API_PREDICT_RATE_PER_SECOND)",
            headers={"Retry-After": str(seconds)},
        )
    return user


PredictingUser = Annotated[User, Depends(_predicting)]
"""A user within their prediction rate limit."""


async def _admin(user: CurrentUser) -> User:
    if not user.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this needs the admin role")
    return user


AdminUser = Annotated[User, Depends(_admin)]


async def _reloader(user: CurrentUser) -> User:
    if not user.may_reload:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this needs the admin or service role")
    return user


ReloaderUser = Annotated[User, Depends(_reloader)]
"""An admin, or the pipelines' service account: may reload the served model."""


MODEL_RETRY_AFTER_S = 5


async def _serving(services: ServicesDep) -> Serving:
    serving = services.holder.serving
    if serving is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            f"no model to serve: {services.holder.problem}. The API keeps trying to load it;"
            " without a champion, train and promote one (gls train), then POST /refresh.",
            headers={"Retry-After": str(MODEL_RETRY_AFTER_S)},
        )
    return serving


ServingDep = Annotated[Serving, Depends(_serving)]
