"""The `gls` command line: one entry point for every package of the platform.

Commands of this package are registered here; other packages add theirs through the
`gls.commands` entry-point group (a callable taking the root Typer app), so each package
stays installable alone and `gls --help` shows whatever is installed.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

import typer

from road_accidents_database_ingestion.cli import demo, ingest, platform
from road_accidents_database_ingestion.cli.db import db_app
from road_accidents_database_ingestion.cli.runtime import load_settings
from road_accidents_database_ingestion.logs import configure_logging

log = logging.getLogger(__name__)

app = typer.Typer(
    name="gls",
    help="Green Light Services: road-accident data, gravity model and services.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db_app, name="db")
platform.register(app)
ingest.register(app)
demo.register(app)


@app.callback()
def _configure() -> None:
    """Configure logging from the settings before any command runs."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)


def _register_plugins() -> None:
    for entry in entry_points(group="gls.commands"):
        entry.load()(app)


_register_plugins()


def main() -> None:
    app()
