"""What every command needs: settings read once, with a readable error when they are wrong."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, TypeVar

import typer
from pydantic import ValidationError

from road_accidents_database_ingestion.settings import GlsSettings, env_file

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

Settings = TypeVar("Settings", bound=GlsSettings)


def _problem(error: ErrorDetails) -> str:
    where = ".".join(str(part) for part in error["loc"])  # empty for a whole-settings rule
    return f"  {where}: {error['msg']}" if where else f"  {error['msg']}"


@cache
def load_settings(kind: type[Settings] = GlsSettings) -> Settings:  # type: ignore[assignment]
    """The settings of `kind` (a package's own extend `GlsSettings`), or an exit with one line
    per invalid or missing variable."""
    try:
        return kind()
    except ValidationError as error:
        problems = "\n".join(_problem(e) for e in error.errors())
        typer.secho(
            f"invalid settings (environment and {env_file()}):\n{problems}", err=True, fg="red"
        )
        raise typer.Exit(2) from error
