"""`gls smoke`: every service of the running platform answers as it should, logins included.

The checks come from the declared steps, so a new service joins by declaring itself: each
`Service` that `gls up` starts must answer its `url` and `health_url` with 2xx, then pass its
own `smoke` check (a login, a query) when it declares one. The RoadAccidents database must
accept its owner and hold the schema. Nothing here knows a service by name.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import httpx
import psycopg

from green_light_platform.bringup import services
from green_light_platform.db.engine import connect
from green_light_platform.settings import PlatformSettings

if TYPE_CHECKING:
    from collections.abc import Callable

    from green_light_platform.steps import Service

log = logging.getLogger(__name__)

TIMEOUT_S = 15.0
DATABASE = "RoadAccidents PostgreSQL"


class SmokeError(RuntimeError):
    """A service answered, but not as it should."""


@dataclass(frozen=True)
class SmokeResult:
    name: str
    url: str
    state: Literal["ok", "failed", "skipped"]
    detail: str


def expect(response: httpx.Response, *statuses: int) -> httpx.Response:
    """The response when its status is one of `statuses` (2xx when none), else a SmokeError
    naming the request, the status and the start of the body."""
    wanted = statuses or tuple(range(200, 300))
    if response.status_code not in wanted:
        request = response.request
        raise SmokeError(
            f"{request.method} {request.url} answered {response.status_code}:"
            f" {response.text[:200].strip()!r}"
        )
    return response


def bearer_token(response: httpx.Response) -> str:
    """The `access_token` of a login response (model_api, Airflow)."""
    token = expect(response).json().get("access_token")
    if not token:
        raise SmokeError(f"{response.request.url} gave no access_token")
    return str(token)


def check_service(client: httpx.Client, service: Service) -> str:
    """The service is healthy (its own health check, else its health URL answers 2xx), its
    URL answers 2xx, then its own smoke check passes."""
    if service.health is not None:
        if not service.health():
            raise SmokeError(f"{service.name} is not healthy ({service.health_url})")
    else:
        expect(client.get(service.health_url))
    expect(client.get(service.url))
    if service.smoke is None:
        return "answers"
    return service.smoke(client)


def check_database(settings: PlatformSettings) -> str:
    """The admin logs in to RoadAccidents and finds the migrated schema."""
    with connect(settings.database.url) as conn:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    if row is None:
        raise SmokeError("RoadAccidents has no schema revision: run `gls db migrate`")
    return f"admin login ok, schema at revision {row[0]}"


def run_smoke(settings: PlatformSettings | None = None) -> list[SmokeResult]:
    """Check the database and every declared service `gls up` starts; never raises."""
    settings = settings or PlatformSettings()
    database = settings.database
    results = [
        _result(
            DATABASE,
            f"{database.postgres_host}:{database.postgres_port}/{database.postgres_db}",
            lambda: check_database(settings),
        )
    ]
    with httpx.Client(timeout=TIMEOUT_S, follow_redirects=True) as client:
        for service in services():
            if not settings.up.wants(service.name):
                results.append(SmokeResult(service.name, service.url, "skipped", "GLS_UP_SERVICES"))
                continue
            results.append(
                _result(service.name, service.url, lambda s=service: check_service(client, s))
            )
    return results


def _result(name: str, url: str, check: Callable[[], str]) -> SmokeResult:
    try:
        detail = check()
    except (SmokeError, httpx.HTTPError, psycopg.Error, ValueError, KeyError) as error:
        log.warning("smoke check failed", extra={"service": name, "error": str(error)})
        return SmokeResult(name, url, "failed", f"{type(error).__name__}: {error}")
    return SmokeResult(name, url, "ok", detail)
