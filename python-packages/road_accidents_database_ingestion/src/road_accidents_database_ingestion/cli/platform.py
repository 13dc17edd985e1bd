"""`gls up`, `gls down` and `gls status`: the whole local platform in one command each.

`up` starts the embedded database, migrates it, seeds demo data when the data directory is
empty, ingests it, starts every declared service (MLflow, model_api, UI, ...) and runs the
installed packages' bootstrap steps (such as a first training); running it again changes
nothing that is already in place.
"""

from __future__ import annotations

from importlib.metadata import entry_points

import typer
from rich.console import Console
from rich.table import Table

from road_accidents_database_ingestion.cli.db import embedded_server
from road_accidents_database_ingestion.cli.runtime import load_settings
from road_accidents_database_ingestion.db import migrate
from road_accidents_database_ingestion.db.embedded import EmbeddedPostgresError
from road_accidents_database_ingestion.db.engine import connect
from road_accidents_database_ingestion.discovery import discover_year_folders
from road_accidents_database_ingestion.loader import ensure_reference_data
from road_accidents_database_ingestion.pipeline import ingest
from road_accidents_database_ingestion.services import (
    ServiceError,
    declared_services,
    supervisor,
)
from road_accidents_database_ingestion.settings import GlsSettings

BOOTSTRAP_ORDER = 15
"""Bootstrap steps (a first training) run after the services ordered below this (MLflow) and
before the others (model_api, which then finds a champion at start-up)."""
DEMO_YEARS = range(2005, 2024)
DEMO_SCALE = 0.05


def _start_database(settings: GlsSettings) -> None:
    server = embedded_server()
    server.start()
    server.ensure_database(
        settings.admin_username, settings.admin_password.get_secret_value(), settings.postgres_db
    )
    migrate.upgrade(settings.database_url)
    with connect(settings.database_url) as conn:
        ensure_reference_data(conn)


def _seed_and_ingest(settings: GlsSettings) -> None:
    from road_accidents_database_ingestion.demo import generate_demo_data

    data_dir = settings.data_directories
    data_dir.mkdir(parents=True, exist_ok=True)
    if not discover_year_folders(data_dir):
        typer.echo(f"data directory empty: writing demo BAAC files into {data_dir}")
        generate_demo_data(data_dir, list(DEMO_YEARS), scale=DEMO_SCALE, seed=42)
    report = ingest(
        settings.database_url,
        data_dir,
        max_reject_share=settings.ingest_max_reject_share,
        max_unknown_share=settings.ingest_max_unknown_share,
    )
    loaded = sum(o.status == "loaded" for o in report.outcomes)
    failed = [f"{o.year}: {o.reason}" for o in report.outcomes if o.status == "failed"]
    typer.echo(f"ingestion: {loaded} year(s) loaded, {len(report.outcomes) - loaded} unchanged")
    for line in failed:
        typer.secho(f"  failed {line}", fg="yellow", err=True)


def _run_bootstrap_steps(settings: GlsSettings) -> None:
    for entry in sorted(entry_points(group="gls.bootstrap"), key=lambda e: e.name):
        entry.load()(settings)


def _endpoints(settings: GlsSettings) -> Table:
    table = Table(title="Green Light Services is up", title_justify="left")
    for name in ("service", "address", "login"):
        table.add_column(name, overflow="fold")
    table.add_row(
        "RoadAccidents PostgreSQL",
        f"{settings.postgres_host}:{settings.postgres_port}/{settings.postgres_db}"
        '  (psql "$(.venv/bin/gls db url)")',
        f"{settings.admin_username} / ADMIN_PASSWORD from .env",
    )
    for spec in declared_services(settings):
        table.add_row(spec.name, spec.url, spec.login)
    return table


def up() -> None:
    """Start everything, seed and ingest demo data when there is none, print every URL."""
    settings = load_settings()
    bootstrapped = settings.up_services.strip().lower() != "all"
    try:
        _start_database(settings)
        _seed_and_ingest(settings)
        services = supervisor(settings)
        specs = [s for s in declared_services(settings) if settings.wants_service(s.name)]
        for spec in specs:
            if spec.order > BOOTSTRAP_ORDER and not bootstrapped:
                _run_bootstrap_steps(settings)
                bootstrapped = True
            started = services.start(spec)
            typer.echo(f"{spec.name}: {'started' if started else 'already running'}")
        if not bootstrapped:
            _run_bootstrap_steps(settings)
    except (EmbeddedPostgresError, ServiceError) as error:
        typer.secho(str(error), err=True, fg="red")
        raise typer.Exit(1) from error
    Console(width=max(Console().width, 120)).print(_endpoints(settings))


def down() -> None:
    """Stop every service `gls up` started, then the database."""
    settings = load_settings()
    services = supervisor(settings)
    for spec in reversed(declared_services(settings)):
        if services.stop(spec):
            typer.echo(f"{spec.name}: stopped")
    try:
        stopped = embedded_server().stop()
    except EmbeddedPostgresError as error:
        typer.secho(str(error), err=True, fg="red")
        raise typer.Exit(1) from error
    typer.echo("RoadAccidents PostgreSQL: stopped" if stopped else "database was not running")


def status() -> None:
    """Say what runs and whether it answers."""
    settings = load_settings()
    typer.echo(f"RoadAccidents PostgreSQL: {embedded_server().status().describe()}")
    services = supervisor(settings)
    for spec in declared_services(settings):
        pid = services.pid(spec)
        state = "stopped" if pid is None else f"running, pid {pid}"
        if pid is not None:
            state += ", healthy" if services.healthy(spec) else ", not answering"
        typer.echo(f"{spec.name}: {state} ({spec.url})")


def register(app: typer.Typer) -> None:
    app.command()(up)
    app.command()(down)
    app.command()(status)
