"""The accounts the environment names (the admin, the pipelines' service account), written
at start-up, and again in the background while the database does not answer.

The API must start when its database is away, as it does when MLflow is: `/health` answers,
`/ready` says why it is not ready, the routes that need the database answer 503, and the
accounts are written as soon as the database is back. A database that answers with an error
(the migrations were not run, a role without rights) is not retried: start-up fails with it.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

if TYPE_CHECKING:
    from model_api.users import Role, UserStore

log = logging.getLogger(__name__)

UNREACHABLE = (OperationalError, PoolTimeoutError)
"""What says the database is away (connection refused or lost, pool timeout), not wrong."""

FIRST_RETRY_SECONDS = 0.5
MAX_RETRY_SECONDS = 5.0
"""At most as long as the `Retry-After` the routes answer while the database is away: a
client coming back when told finds its account written."""


class Account(NamedTuple):
    username: str
    password: str
    role: Role


class AccountBootstrap:
    """Writes `accounts` once now; while the database is unreachable, again in a daemon
    thread with capped exponential back-off until it succeeds or the app stops."""

    def __init__(self, users: UserStore, accounts: list[Account]) -> None:
        self._users = users
        self._accounts = accounts
        self._stop = threading.Event()
        self.done = threading.Event()
        self.problem: str | None = None
        """Why the accounts are not written yet, for `/ready`; None once they are."""
        self._thread = threading.Thread(target=self._retry, name="account-bootstrap", daemon=True)

    def start(self) -> None:
        """Write the accounts now; if the database is away, keep trying in the background."""
        if not self._attempt():
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _attempt(self) -> bool:
        try:
            for account in self._accounts:
                self._users.ensure_account(*account)
        except UNREACHABLE as error:
            self.problem = (
                f"accounts not written yet: database unreachable ({type(error).__name__})"
            )
            return False
        self.problem = None
        self.done.set()
        return True

    def _retry(self) -> None:
        delay = FIRST_RETRY_SECONDS
        log.warning(
            "database unreachable at start-up: the API's accounts are written once it answers",
            extra={"retry_in_seconds": delay},
        )
        while not self._stop.wait(delay):
            if self._attempt():
                log.info("accounts written: the database answers again")
                return
            delay = min(delay * 2, MAX_RETRY_SECONDS)
