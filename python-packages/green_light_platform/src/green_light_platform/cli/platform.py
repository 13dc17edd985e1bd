"""`gls up`, `gls down` and `gls status`: the whole local platform in one command each.

`up` runs the bring-up graph the installed packages declare (database, migrations, demo data
when the data directory is empty, ingestion, MLflow, a first champion, model_api, ...) and
prints every address; running it again changes nothing that is already in place.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from green_light_platform.bringup import StepOutcome, bring_down, bring_up, services
from green_light_platform.cli.runtime import exit_on, load_settings
from green_light_platform.db.embedded import EmbeddedPostgresError, platform_server
from green_light_platform.settings import PlatformSettings
from green_light_platform.smoke import run_smoke
from green_light_platform.steps import Service, StepGraphError
from green_light_platform.supervisor import ServiceError, Supervisor


def _endpoints(settings: PlatformSettings, outcomes: list[StepOutcome]) -> Table:
    table = Table(title="Green Light Services is up", title_justify="left")
    for name in ("service", "address", "login", "state"):
        table.add_column(name, overflow="fold")
    database = settings.database
    table.add_row(
        "RoadAccidents PostgreSQL",
        f"{database.postgres_host}:{database.postgres_port}/{database.postgres_db}"
        '  (psql "$(.venv/bin/gls db url)")',
        f"{database.admin_username} / ADMIN_PASSWORD from .env",
        "external" if database.external else "embedded",
    )
    for outcome in outcomes:
        if isinstance(outcome.step, Service):
            step = outcome.step
            table.add_row(step.name, step.url, step.login, outcome.outcome)
    return table


def _report(outcome: StepOutcome) -> None:
    typer.echo(f"{outcome.step.name}: {outcome.outcome}")


def up() -> None:
    """Start everything, seed and ingest demo data when there is none, print every URL."""
    settings = load_settings(PlatformSettings)
    with exit_on(EmbeddedPostgresError, ServiceError, StepGraphError):
        outcomes = bring_up(on_step=_report)
    Console(width=max(Console().width, 120)).print(_endpoints(settings, outcomes))


def down() -> None:
    """Stop every service `gls up` started, then the database."""
    with exit_on(EmbeddedPostgresError):
        bring_down(on_stop=lambda name: typer.echo(f"{name}: stopped"))


def status() -> None:
    """Say what runs and whether it answers."""
    settings = load_settings(PlatformSettings)
    if settings.database.external:
        typer.echo("RoadAccidents PostgreSQL: external (GLS_DATABASE_URL)")
    else:
        typer.echo(f"RoadAccidents PostgreSQL: {platform_server(settings).status().describe()}")
    supervisor = Supervisor.of(settings.runtime)
    for service in services():
        pid = supervisor.pid(service)
        state = "stopped" if pid is None else f"running, pid {pid}"
        if pid is not None:
            state += ", healthy" if supervisor.healthy(service) else ", not answering"
        typer.echo(f"{service.name}: {state} ({service.url})")


def smoke() -> None:
    """Check that every service `gls up` started answers as it should, logins included;
    exit 1 when one does not."""
    settings = load_settings(PlatformSettings)
    results = run_smoke(settings)
    table = Table(title="Green Light Services smoke test", title_justify="left")
    for name in ("service", "address", "result", "what was checked"):
        table.add_column(name, overflow="fold")
    colours = {"ok": "green", "failed": "red", "skipped": "yellow"}
    for result in results:
        state = f"[{colours[result.state]}]{result.state}[/]"
        table.add_row(result.name, result.url, state, result.detail)
    Console(width=max(Console().width, 120)).print(table)
    failed = [r.name for r in results if r.state == "failed"]
    if failed:
        typer.secho(f"smoke test failed: {', '.join(failed)}", err=True, fg="red")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(up)
    app.command()(down)
    app.command()(status)
    app.command()(smoke)
