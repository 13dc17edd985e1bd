"""`gls up`, `gls down` and `gls status`: the whole local platform in one command each."""

from __future__ import annotations

import typer

from road_accidents_database_ingestion.cli.db import embedded_server
from road_accidents_database_ingestion.cli.runtime import load_settings
from road_accidents_database_ingestion.db import migrate
from road_accidents_database_ingestion.db.embedded import EmbeddedPostgresError


def up() -> None:
    """Start the embedded database, migrate it and print how to reach everything."""
    settings = load_settings()
    server = embedded_server()
    try:
        server.start()
        server.ensure_database(
            settings.admin_username,
            settings.admin_password.get_secret_value(),
            settings.postgres_db,
        )
    except EmbeddedPostgresError as error:
        typer.secho(str(error), err=True, fg="red")
        raise typer.Exit(1) from error
    migrate.upgrade(settings.database_url)
    typer.echo(
        "\nGreen Light Services is up\n"
        f"  RoadAccidents PostgreSQL  {settings.postgres_host}:{settings.postgres_port}"
        f"  database {settings.postgres_db}, user {settings.admin_username},"
        " password ADMIN_PASSWORD from .env\n"
        f'  connection URL            gls db url   (psql "$(.venv/bin/gls db url)")\n'
    )


def down() -> None:
    """Stop everything `gls up` started."""
    try:
        stopped = embedded_server().stop()
    except EmbeddedPostgresError as error:
        typer.secho(str(error), err=True, fg="red")
        raise typer.Exit(1) from error
    typer.echo("embedded PostgreSQL stopped" if stopped else "nothing was running")


def status() -> None:
    """Say what runs."""
    current = embedded_server().status()
    typer.echo(f"RoadAccidents PostgreSQL: {current.describe()}")


def register(app: typer.Typer) -> None:
    app.command()(up)
    app.command()(down)
    app.command()(status)
