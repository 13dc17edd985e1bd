"""`gls serve api`: run model_api with uvicorn (registered through `gls.commands`)."""

from __future__ import annotations

import typer

from green_light_platform.cli.runtime import load_settings, serve_group
from model_api.settings import ApiSettings


def serve_api(
    host: str | None = typer.Option(
        None, help="Address to bind (default GLS_MODEL_API_HOST); 0.0.0.0 in a container."
    ),
    port: int | None = typer.Option(None, help="Port to bind (default GLS_MODEL_API_PORT)."),
    reload: bool = typer.Option(False, help="Restart on code changes (development)."),
) -> None:
    """The model API (FastAPI under uvicorn); OpenAPI docs at /docs."""
    settings = load_settings(ApiSettings)  # refuse invalid settings before uvicorn starts
    import uvicorn  # here, not at the top: every `gls` command imports this module

    uvicorn.run(
        "model_api.app:app_from_environment",
        factory=True,
        host=host or settings.server.host,
        port=port or settings.server.port,
        reload=reload,
        log_config=None,
        access_log=False,
    )


def register(app: typer.Typer) -> None:
    serve_group(app).command("api")(serve_api)
