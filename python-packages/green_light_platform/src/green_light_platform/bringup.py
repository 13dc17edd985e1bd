"""The whole platform up and down: one function each, for `gls up`, tests and benchmarks.

`bring_up` runs the declared steps in dependency order: tasks run (they are idempotent),
services start unless they run already. The platform's own steps are `database` (the
embedded PostgreSQL, unless `GLS_DATABASE_URL` names an external server) and `migrate`.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from green_light_platform.db import migrate
from green_light_platform.settings import PlatformSettings
from green_light_platform.steps import Service, Step, Task, declared_steps, needs, ordered
from green_light_platform.supervisor import Supervisor

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

log = logging.getLogger(__name__)


def start_database(settings: PlatformSettings) -> str:
    """Start the embedded server and create RoadAccidents owned by the admin; say what it did."""
    if settings.database.external:
        return "external (GLS_DATABASE_URL)"
    from green_light_platform.db.embedded import platform_server

    server = platform_server(settings)
    started = server.start()
    database = settings.database
    server.ensure_database(
        database.admin_username, database.admin_password.get_secret_value(), database.postgres_db
    )
    return "started" if started else "already running"


def stop_database(settings: PlatformSettings) -> bool:
    """Stop the embedded server; False when it was not running or the database is external."""
    if settings.database.external:
        return False
    from green_light_platform.db.embedded import platform_server

    return platform_server(settings).stop()


def steps() -> list[Step]:
    """The platform's own steps (entry point `gls.steps`)."""
    settings = PlatformSettings()
    return [
        Task("database", lambda: start_database(settings), "RoadAccidents PostgreSQL"),
        Task(
            "migrate",
            lambda: migrate.upgrade(settings.database.url),
            "the schema at its latest revision",
            after=("database",),
        ),
    ]


@dataclass(frozen=True)
class StepOutcome:
    step: Step
    outcome: str


def bring_up(
    targets: Iterable[str] | None = None,
    *,
    start_services: bool = True,
    on_step: Callable[[StepOutcome], None] | None = None,
) -> list[StepOutcome]:
    """Run the declared steps (all, or `targets` and what they need) in dependency order.

    Services start only with `start_services` and when `GLS_UP_SERVICES` wants them; a step
    that needs a service left stopped is skipped, and so are the steps after it; a step that a
    started service replaces (Airflow ingests and trains) is left to it. A step that raises
    stops the bring-up with its error (the services started so far keep running).
    """
    settings = PlatformSettings()
    supervisor = Supervisor.of(settings.runtime)
    declared = declared_steps()
    required = needs(declared)
    run = ordered(declared, targets)
    replaced = {
        name: step.name
        for step in run
        if isinstance(step, Service) and start_services and settings.up.wants(step.name)
        for name in step.replaces
    }
    unavailable: set[str] = set()
    outcomes: list[StepOutcome] = []
    for step in run:
        missing = sorted(required[step.name] & unavailable)
        if step.name in replaced:
            outcome = f"done by {replaced[step.name]}"
        elif missing:
            unavailable.add(step.name)
            outcome = f"skipped: needs {', '.join(missing)}"
        elif isinstance(step, Service):
            if start_services and settings.up.wants(step.name):
                outcome = "started" if supervisor.start(step) else "already running"
            else:
                unavailable.add(step.name)
                outcome = "not started"
        else:
            log.info("step", extra={"step": step.name, "what": step.description})
            result = step.run()
            outcome = result if isinstance(result, str) else "done"
        outcomes.append(StepOutcome(step, outcome))
        if on_step is not None:
            on_step(outcomes[-1])
    return outcomes


@contextmanager
def platform_environment(variables: dict[str, str]) -> Iterator[None]:
    """The process environment with `variables` set, restored on exit."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def bring_up_with(variables: dict[str, str], targets: Iterable[str]) -> list[StepOutcome]:
    """The bring-up up to `targets` with these settings, tasks only (no service starts): what
    tests and benchmarks use for "demo data, reference, ingestion, a first champion"."""
    with platform_environment(variables):
        return bring_up(targets, start_services=False)


def services() -> list[Service]:
    """The declared services in start order."""
    return [s for s in ordered(declared_steps()) if isinstance(s, Service)]


def bring_down(on_stop: Callable[[str], None] | None = None) -> None:
    """Stop every service in reverse start order, then the embedded database."""
    settings = PlatformSettings()
    supervisor = Supervisor.of(settings.runtime)
    for service in reversed(services()):
        if supervisor.stop(service) and on_stop is not None:
            on_stop(service.name)
    if stop_database(settings) and on_stop is not None:
        on_stop("RoadAccidents PostgreSQL")
