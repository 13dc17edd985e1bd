"""`gls db ...`: the embedded PostgreSQL server and the schema migrations."""

from __future__ import annotations

from typing import Annotated

import typer

from green_light_platform.bringup import start_database, stop_database
from green_light_platform.cli.runtime import exit_on, load_settings
from green_light_platform.db import migrate
from green_light_platform.db.embedded import EmbeddedPostgresError, platform_server
from green_light_platform.settings import DatabaseSettings, PlatformSettings

db_app = typer.Typer(help="The RoadAccidents database: embedded server and migrations.")


@db_app.command()
def start() -> None:
    """Start the embedded PostgreSQL and create the RoadAccidents database and admin role."""
    settings = load_settings(PlatformSettings)
    with exit_on(EmbeddedPostgresError):
        state = start_database(settings)
    database = settings.database
    typer.echo(
        f"RoadAccidents PostgreSQL {state}: port {database.postgres_port},"
        f" database {database.postgres_db}"
    )


@db_app.command()
def stop() -> None:
    """Stop the embedded PostgreSQL (its data stays under Volumes/)."""
    with exit_on(EmbeddedPostgresError):
        stopped = stop_database(load_settings(PlatformSettings))
    typer.echo("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")


@db_app.command()
def status() -> None:
    """Tell whether the embedded server runs; exit code 0 when it runs, 3 when it does not."""
    current = platform_server(load_settings(PlatformSettings)).status()
    typer.echo(f"embedded PostgreSQL: {current.describe()}")
    if not current.running:
        raise typer.Exit(3)


@db_app.command()
def url() -> None:
    """Print the RoadAccidents connection URL (for psql, pgAdmin or a notebook)."""
    typer.echo(load_settings(DatabaseSettings).libpq_url)


@db_app.command(name="migrate")
def migrate_command(
    revision: Annotated[str, typer.Option(help="Target revision; default the latest.")] = "head",
) -> None:
    """Upgrade the RoadAccidents schema (idempotent)."""
    database_url = load_settings(DatabaseSettings).url
    migrate.upgrade(database_url, revision)
    typer.echo(f"schema at revision {migrate.current_revision(database_url)}")


@db_app.command()
def downgrade(revision: Annotated[str, typer.Argument(help="Target revision, or `base`.")]) -> None:
    """Take the schema down to an earlier revision (drops the tables of later ones)."""
    database_url = load_settings(DatabaseSettings).url
    migrate.downgrade(database_url, revision)
    typer.echo(f"schema at revision {migrate.current_revision(database_url)}")
