"""Accounts: anyone sees their own; admins list, create, change and disable them."""

import logging
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status
from fastapi.concurrency import run_in_threadpool

from model_api.deps import AdminUser, CurrentUser, ServicesDep
from model_api.routes import errors
from model_api.schemas import USERNAME_PATTERN, UserCreate, UserOut, UserUpdate
from model_api.users import Role, User, UsernameTakenError

log = logging.getLogger(__name__)

router = APIRouter(prefix="/users", tags=["users"])

UsernamePath = Annotated[str, Path(min_length=1, max_length=64, pattern=USERNAME_PATTERN)]


def _out(user: User) -> UserOut:
    return UserOut(
        username=user.username, role=user.role, disabled=user.disabled, created_at=user.created_at
    )


@router.get("/me", responses=errors(401))
async def me(user: CurrentUser) -> UserOut:
    return _out(user)


@router.get("", responses=errors(401, 403))
async def list_users(_: AdminUser, services: ServicesDep) -> list[UserOut]:
    return [_out(user) for user in await run_in_threadpool(services.users.list)]


@router.post("", status_code=status.HTTP_201_CREATED, responses=errors(400, 401, 403, 409))
def create_user(body: UserCreate, admin: AdminUser, services: ServicesDep) -> UserOut:
    """Create an account with any role (works even when signup is switched off)."""
    try:
        user = services.users.create(body.username, body.password, body.role)
    except UsernameTakenError as error:
        raise HTTPException(status.HTTP_409_CONFLICT, "username already taken") from error
    services.user_cache.forget(body.username)
    log.info(
        "user created", extra={"username": user.username, "role": user.role, "by": admin.username}
    )
    return _out(user)


@router.patch("/{username}", responses=errors(400, 401, 403, 404, 409))
def update_user(
    username: UsernamePath, body: UserUpdate, admin: AdminUser, services: ServicesDep
) -> UserOut:
    """Change a role, disable or re-enable an account, or set a new password."""
    if username == admin.username and (body.role not in (None, Role.ADMIN) or body.disabled):
        raise HTTPException(status.HTTP_409_CONFLICT, "admins cannot demote or disable themselves")
    user = services.users.update(
        username, role=body.role, disabled=body.disabled, password=body.password
    )
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no user {username!r}")
    services.user_cache.forget(username)
    log.info(
        "user updated",
        extra={"username": username, "changes": body.model_fields_set, "by": admin.username},
    )
    return _out(user)
