"""`gls db ...`: the embedded PostgreSQL server and the schema migrations."""

from __future__ import annotations

from typing import Annotated

import typer

from road_accidents_database_ingestion.cli.runtime import load_settings
from road_accidents_database_ingestion.db import migrate
from road_accidents_database_ingestion.db.embedded import EmbeddedPostgres, EmbeddedPostgresError

db_app = typer.Typer(help="The RoadAccidents database: embedded server and migrations.")


def embedded_server() -> EmbeddedPostgres:
    """The development server described by the settings (port, folder under Volumes/)."""
    settings = load_settings()
    return EmbeddedPostgres(
        data_dir=settings.embedded_data_dir.resolve(), port=settings.postgres_port
    )


@db_app.command()
def start() -> None:
    """Start the embedded PostgreSQL and create the RoadAccidents database and admin role."""
    settings = load_settings()
    server = embedded_server()
    try:
        started = server.start()
        server.ensure_database(
            settings.admin_username,
            settings.admin_password.get_secret_value(),
            settings.postgres_db,
        )
    except EmbeddedPostgresError as error:
        typer.secho(str(error), err=True, fg="red")
        raise typer.Exit(1) from error
    state = "started" if started else "already running"
    typer.echo(
        f"embedded PostgreSQL {state} on port {server.port}, database {settings.postgres_db}"
    )


@db_app.command()
def stop() -> None:
    """Stop the embedded PostgreSQL (its data stays under Volumes/)."""
    try:
        stopped = embedded_server().stop()
    except EmbeddedPostgresError as error:
        typer.secho(str(error), err=True, fg="red")
        raise typer.Exit(1) from error
    typer.echo("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")


@db_app.command()
def status() -> None:
    """Tell whether the embedded server runs; exit code 0 when it runs, 3 when it does not."""
    current = embedded_server().status()
    typer.echo(f"embedded PostgreSQL: {current.describe()}")
    if not current.running:
        raise typer.Exit(3)


@db_app.command()
def url() -> None:
    """Print the RoadAccidents connection URL (for psql, pgAdmin or a notebook)."""
    typer.echo(load_settings().libpq_url)


@db_app.command(name="migrate")
def migrate_command(
    revision: Annotated[str, typer.Option(help="Target revision; default the latest.")] = "head",
) -> None:
    """Upgrade the RoadAccidents schema (idempotent)."""
    database_url = load_settings().database_url
    migrate.upgrade(database_url, revision)
    typer.echo(f"schema at revision {migrate.current_revision(database_url)}")


@db_app.command()
def downgrade(revision: Annotated[str, typer.Argument(help="Target revision, or `base`.")]) -> None:
    """Take the schema down to an earlier revision (drops the tables of later ones)."""
    database_url = load_settings().database_url
    migrate.downgrade(database_url, revision)
    typer.echo(f"schema at revision {migrate.current_revision(database_url)}")
