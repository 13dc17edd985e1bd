"""The accounts of model_api in PostgreSQL (`api_users`), and a short cache.

The table is defined once, by its migration in the platform's schema history; the store
reflects it from the database instead of declaring it a second time.

`User` never carries the password hash: only `UserStore.credentials` returns it, for the login
check, so no route can leak it by serialising a user.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Column, MetaData, Table, select
from sqlalchemy.exc import IntegrityError

from model_api.security import hash_password, verify_password

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import Engine, RowMapping

log = logging.getLogger(__name__)


class Role(StrEnum):
    ADMIN = "admin"
    USER = "user"
    SERVICE = "service"
    """A machine account (the pipelines): may reload the model and predict, nothing else."""


PUBLIC_COLUMNS = ("id", "username", "role", "disabled", "created_at")
"""What a `User` is made of: everything but the password hash."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: Role
    disabled: bool
    created_at: datetime

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def may_reload(self) -> bool:
        return self.role in (Role.ADMIN, Role.SERVICE)


class UsernameTakenError(Exception):
    pass


def storable(username: str) -> bool:
    """PostgreSQL text cannot hold NUL: such a name cannot exist, and must not reach a query."""
    return "\x00" not in username


def _user(row: RowMapping) -> User:
    return User(
        id=row["id"],
        username=row["username"],
        role=Role(row["role"]),
        disabled=row["disabled"],
        created_at=row["created_at"],
    )


class UserStore:
    """Reads and writes `api_users`; every method is one short transaction."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._table: Table | None = None

    @property
    def table(self) -> Table:
        """`api_users` as the migrations made it (reflected once, on first use)."""
        if self._table is None:
            self._table = Table("api_users", MetaData(), autoload_with=self._engine)
        return self._table

    @property
    def _public(self) -> list[Column]:
        return [self.table.c[name] for name in PUBLIC_COLUMNS]

    def get(self, username: str) -> User | None:
        if not storable(username):
            return None
        # Built before taking a connection: a first use reflects the table with another one.
        statement = select(*self._public).where(self.table.c.username == username)
        with self._engine.connect() as conn:
            row = conn.execute(statement).mappings().first()
        return _user(row) if row else None

    def credentials(self, username: str) -> tuple[User, str] | None:
        """The user and their password hash, for the login check only."""
        if not storable(username):
            return None
        statement = select(*self._public, self.table.c.password_hash).where(
            self.table.c.username == username
        )
        with self._engine.connect() as conn:
            row = conn.execute(statement).mappings().first()
        return (_user(row), row["password_hash"]) if row else None

    def list(self) -> list[User]:
        statement = select(*self._public).order_by(self.table.c.id)
        with self._engine.connect() as conn:
            return [_user(row) for row in conn.execute(statement).mappings()]

    def create(self, username: str, password: str, role: Role = Role.USER) -> User:
        statement = (
            self.table.insert()
            .values(username=username, password_hash=hash_password(password), role=role.value)
            .returning(*self._public)
        )
        try:
            with self._engine.begin() as conn:
                row = conn.execute(statement).mappings().one()
        except IntegrityError as error:
            raise UsernameTakenError(username) from error
        return _user(row)

    def update(
        self,
        username: str,
        *,
        role: Role | None = None,
        disabled: bool | None = None,
        password: str | None = None,
    ) -> User | None:
        """Change what is given; None when there is no such user."""
        values: dict[str, object] = {}
        if role is not None:
            values["role"] = role.value
        if disabled is not None:
            values["disabled"] = disabled
        if password is not None:
            values["password_hash"] = hash_password(password)
        if not values:
            return self.get(username)
        statement = (
            self.table.update()
            .where(self.table.c.username == username)
            .values(**values)
            .returning(*self._public)
        )
        with self._engine.begin() as conn:
            row = conn.execute(statement).mappings().first()
        return _user(row) if row else None

    def ensure_account(self, username: str, password: str, role: Role) -> User:
        """Make `username` an enabled account of `role` whose password is `password`.

        The environment stays the source of truth for the accounts it names (the admin, the
        pipelines' service account): changing their password in `.env` and restarting is how
        an operator resets it.
        """
        found = self.credentials(username)
        if found is None:
            try:
                user = self.create(username, password, role)
            except UsernameTakenError:  # another replica bootstrapped it at the same moment
                return self.ensure_account(username, password, role)
            log.info("account created", extra={"username": username, "role": role.value})
            return user
        user, password_hash = found
        update = self.update(
            username,
            role=role,
            disabled=False,
            password=None if verify_password(password, password_hash) else password,
        )
        assert update is not None
        return update


class UserCache:
    """Users as read at most `ttl` seconds ago, so authenticating a request rarely hits the DB.

    Changes made through this process are seen at once (`forget`); those made by another
    replica within `ttl` seconds.
    """

    def __init__(self, store: UserStore, ttl: float) -> None:
        self._store = store
        self._ttl = ttl
        self._entries: dict[str, tuple[float, User | None]] = {}

    def cached(self, username: str) -> tuple[bool, User | None]:
        """(True, user-or-None) when a fresh answer is in memory, else (False, None)."""
        entry = self._entries.get(username)
        if entry is None or time.monotonic() - entry[0] > self._ttl:
            return False, None
        return True, entry[1]

    def load(self, username: str) -> User | None:
        """Read the user from the database and remember the answer (blocking)."""
        user = self._store.get(username)
        self._entries[username] = (time.monotonic(), user)
        return user

    def forget(self, username: str) -> None:
        self._entries.pop(username, None)
