"""The `gls` command line: one entry point for every package of the platform.

The platform's own commands (`gls db ...`, `gls up`, `gls down`, `gls status`) are registered
here; every other package adds its own through the `gls.commands` entry-point group (a
callable taking the root Typer app), so each package stays installable alone and
`gls --help` shows whatever is installed.
"""

from __future__ import annotations

from importlib.metadata import entry_points

import typer

from green_light_platform.cli import platform
from green_light_platform.cli.db import db_app
from green_light_platform.cli.runtime import load_settings
from green_light_platform.logs import configure_logging
from green_light_platform.settings import LoggingSettings

app = typer.Typer(
    name="gls",
    help="Green Light Services: road-accident data, gravity model and services.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db_app, name="db")
platform.register(app)


@app.callback()
def _configure() -> None:
    """Configure logging from the settings before any command runs."""
    settings = load_settings(LoggingSettings)
    configure_logging(settings.level, settings.format)


def _register_plugins() -> None:
    for entry in entry_points(group="gls.commands"):
        entry.load()(app)


_register_plugins()


def main() -> None:
    app()
