"""Getting a token: the OAuth2 password form (`/token`) and the 2024 JSON routes."""

import logging
import math
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm

from model_api.deps import CurrentUser, ServicesDep, unauthorized
from model_api.routes import errors
from model_api.schemas import Credentials, Message, Signup, Token
from model_api.security import create_access_token, verify_password
from model_api.services import Services
from model_api.users import UsernameTakenError

log = logging.getLogger(__name__)

router = APIRouter(tags=["authentication"])


def _token(services: Services, username: str) -> Token:
    lifetime = timedelta(minutes=services.settings.auth.jwt_expire_minutes)
    return Token(
        access_token=create_access_token(username, services.settings.signing_key, lifetime),
        expires_in=math.floor(lifetime.total_seconds()),
    )


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _login(services: Services, username: str, password: str, client: str) -> Token:
    """Check the credentials behind the throttle; the same for the form and JSON routes."""
    wait = services.throttle.retry_after(username, client)
    if wait is not None:
        services.metrics.login_throttled.inc()
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"too many failed logins for {username!r}: retry in {math.ceil(wait)} s",
            headers={"Retry-After": str(math.ceil(wait))},
        )
    found = services.users.credentials(username)
    if not verify_password(password, found[1] if found else None) or found is None:
        services.throttle.record_failure(username, client)
        services.metrics.login_failures.inc()
        log.info("login failed", extra={"username": username, "client": client})
        raise unauthorized("incorrect username or password")
    user = found[0]
    if user.disabled:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "account disabled")
    services.throttle.reset(username, client)
    log.info("login", extra={"username": username, "client": client})
    return _token(services, username)


@router.post("/token", responses=errors(401, 403, 429))
def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    services: ServicesDep,
) -> Token:
    """OAuth2 password flow (form fields `username`, `password`): the /docs Authorize button."""
    return _login(services, form.username, form.password, _client(request))


@router.post("/user/login", responses=errors(400, 401, 403, 429))
def login(credentials: Credentials, request: Request, services: ServicesDep) -> Token:
    """JSON login of the 2024 API: `{"username", "password"}` -> `{"access_token", ...}`."""
    return _login(services, credentials.username, credentials.password, _client(request))


@router.post("/user/signup", status_code=status.HTTP_201_CREATED, responses=errors(400, 403, 409))
def signup(body: Signup, services: ServicesDep) -> Token:
    """Create an account with the `user` role and log it in (unless signup is switched off)."""
    if not services.settings.signup_allowed:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "signup is disabled: ask an admin")
    try:
        services.users.create(body.username, body.password)
    except UsernameTakenError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, "username already taken") from error
    services.user_cache.forget(body.username)
    log.info("signup", extra={"username": body.username})
    return _token(services, body.username)


@router.get("/secured", responses=errors(401))
async def secured(user: CurrentUser) -> Message:
    """Answers only with a valid token (the 2024 API's check)."""
    return Message(message=f"Hello {user.username}, your token is valid (role {user.role}).")
