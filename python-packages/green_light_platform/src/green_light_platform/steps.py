"""The steps of the platform's bring-up, declared by the packages, ordered by dependency.

Each package declares its steps through the `gls.steps` entry-point group (a callable
returning a list of `Service` and `Task`): a `Service` is a process to supervise (MLflow,
model_api, ...), a `Task` runs once per bring-up and must be idempotent (migrate, ingest, a
first training, ...). A step names the steps it comes `after` (or `before`); the graph is
sorted topologically, so no package needs to know the numbers of another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    import httpx

STEPS_GROUP = "gls.steps"


@dataclass(frozen=True)
class Service:
    """A long-running process: started detached, healthy when `health_url` answers 2xx."""

    name: str
    command: list[str]
    url: str
    health_url: str
    login: str = ""
    env: dict[str, str] = field(default_factory=dict)
    env_factory: Callable[[], dict[str, str]] | None = None
    """More variables, computed when it starts (secrets it must not create at declaration)."""
    start_timeout_s: float = 120.0
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()
    """Steps this service does itself once it runs (Airflow ingests and trains): a bring-up
    that starts it does not run them, and what comes after them may go on."""
    prepare: Callable[[], object] | None = None
    """Run before each start (create a database, a folder, ...); must be idempotent."""
    health: Callable[[], bool] | None = None
    """A check of its own, for a service whose health is not one URL answering 2xx."""
    smoke: Callable[[httpx.Client], str] | None = None
    """What `gls smoke` checks beyond `url` and `health_url` answering 2xx (a login, a query):
    returns what it saw, raises `smoke.SmokeError` when the service answers wrongly."""


@dataclass(frozen=True)
class Task:
    """Work done once per bring-up; running it again when nothing changed changes nothing."""

    name: str
    run: Callable[[], object]
    description: str = ""
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()


Step = Service | Task


class StepGraphError(ValueError):
    """The declared steps name a step nobody declares, or depend on each other in a cycle."""


def declared_steps() -> list[Step]:
    """Every step the installed packages declare, in the order of their entry points."""
    steps: list[Step] = []
    for entry in sorted(entry_points(group=STEPS_GROUP), key=lambda e: e.name):
        steps.extend(entry.load()())
    return steps


def needs(steps: Iterable[Step]) -> dict[str, set[str]]:
    """For each step, the steps that must be done before it."""
    by_name = {s.name: s for s in steps}
    required: dict[str, set[str]] = {name: set() for name in by_name}
    for step in by_name.values():
        for other in (*step.after, *step.before, *step.replaces):
            if other not in by_name:
                raise StepGraphError(f"step {step.name!r} refers to unknown step {other!r}")
        required[step.name].update(step.after)
        for later in step.before:
            required[later].add(step.name)
    return required


def ordered(steps: list[Step], targets: Iterable[str] | None = None) -> list[Step]:
    """The steps in an order that respects every `after`/`before`, declaration order otherwise;
    with `targets`, only those and what they need."""
    before = needs(steps)
    wanted = set(before)
    if targets is not None:
        wanted = set()
        pending = list(targets)
        while pending:
            name = pending.pop()
            if name not in before:
                raise StepGraphError(f"no step is named {name!r}")
            if name not in wanted:
                wanted.add(name)
                pending.extend(before[name])
    done: list[Step] = []
    placed: set[str] = set()
    remaining = [s for s in steps if s.name in wanted]
    while remaining:
        ready = next((s for s in remaining if before[s.name] & wanted <= placed), None)
        if ready is None:
            cycle = ", ".join(s.name for s in remaining)
            raise StepGraphError(f"the steps {cycle} depend on each other in a cycle")
        done.append(ready)
        placed.add(ready.name)
        remaining.remove(ready)
    return done
