"""`gls serve ui`: run the Streamlit dashboards (registered through `gls.commands`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from green_light_platform.cli.runtime import load_settings, serve_group
from green_light_ui.settings import UiSettings

APP = Path(__file__).with_name("app.py")


def streamlit_command(host: str, port: int) -> list[str]:
    """The Streamlit server of the dashboards: headless, no usage statistics, no file watcher."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        f"--server.address={host}",
        f"--server.port={port}",
        "--server.headless=true",
        "--server.fileWatcherType=none",
        "--browser.gatherUsageStats=false",
        "--global.developmentMode=false",
        "--client.toolbarMode=minimal",
    ]


def serve_ui(
    host: str | None = typer.Option(
        None, help="Address to bind (default GLS_UI_HOST); 0.0.0.0 in a container."
    ),
    port: int | None = typer.Option(None, help="Port to bind (default GLS_UI_PORT)."),
) -> None:
    """The Streamlit dashboards; they read the database as the read-only GLS_UI_DATABASE_USER."""
    settings = load_settings(UiSettings)  # refuse invalid settings before Streamlit starts
    command = streamlit_command(host or settings.server.host, port or settings.server.port)
    settings.mlflow.bound_client()  # the model page gives up in seconds, not minutes
    os.execv(command[0], command)  # noqa: S606 - the same process, so supervisors can stop it


def register(app: typer.Typer) -> None:
    serve_group(app).command("ui")(serve_ui)
