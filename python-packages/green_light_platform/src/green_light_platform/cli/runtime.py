"""What every command needs: settings read once, and one way to end on an expected error."""

from __future__ import annotations

from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, TypeVar

import typer
from pydantic import ValidationError

from green_light_platform.settings import (
    RuntimeSettings,
    Section,
    Settings,
    development_secrets_in_use,
    env_file,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pydantic_core import ErrorDetails

Kind = TypeVar("Kind", bound=Settings | Section)


def _problem(error: ErrorDetails) -> str:
    where = ".".join(str(part) for part in error["loc"])  # empty for a whole-settings rule
    return f"  {where}: {error['msg']}" if where else f"  {error['msg']}"


@cache
def load_settings(kind: type[Kind]) -> Kind:
    """The settings of `kind` (a package's `Settings` or one section), or an exit with one line
    per invalid or missing variable; in production, also an exit when a secret still holds
    its development value from `.env`."""
    try:
        settings = kind()
        production = RuntimeSettings().production
    except ValidationError as error:
        problems = "\n".join(_problem(e) for e in error.errors())
        typer.secho(
            f"invalid settings (environment and {env_file()}):\n{problems}", err=True, fg="red"
        )
        raise typer.Exit(2) from error
    if production and (unsafe := development_secrets_in_use(settings)):
        typer.secho(
            f"refusing to run with GLS_ENVIRONMENT=production: {', '.join(unsafe)} still"
            f" hold the development value of {env_file()}; set each one in the environment",
            err=True,
            fg="red",
        )
        raise typer.Exit(2)
    return settings


@contextmanager
def exit_on(*errors: type[Exception], code: int = 1, prefix: str = "") -> Iterator[None]:
    """Turn the expected `errors` of a command into one red line and exit `code`."""
    try:
        yield
    except errors as error:
        typer.secho(f"{prefix}{error}", err=True, fg="red")
        raise typer.Exit(code) from error


def serve_group(app: typer.Typer) -> typer.Typer:
    """The `gls serve` group, created by whichever package registers a server first, so every
    package that serves something (`gls serve api`, `gls serve ui`) adds its command to it."""
    for group in app.registered_groups:
        if group.name == "serve" and group.typer_instance is not None:
            return group.typer_instance
    serve = typer.Typer(help="Run the platform's services in the foreground.", no_args_is_help=True)
    app.add_typer(serve, name="serve")
    return serve
