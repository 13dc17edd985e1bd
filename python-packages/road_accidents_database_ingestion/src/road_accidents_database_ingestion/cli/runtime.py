"""What every command needs: settings read once, with a readable error when they are wrong."""

from __future__ import annotations

from functools import cache

import typer
from pydantic import ValidationError

from road_accidents_database_ingestion.settings import GlsSettings, env_file


@cache
def load_settings() -> GlsSettings:
    """The settings, or an exit with one line per invalid or missing variable."""
    try:
        return GlsSettings()
    except ValidationError as error:
        problems = "\n".join(
            f"  {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        typer.secho(
            f"invalid settings (environment and {env_file()}):\n{problems}", err=True, fg="red"
        )
        raise typer.Exit(2) from error
