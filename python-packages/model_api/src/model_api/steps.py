"""What the platform's bring-up runs of this package: the API, once there is a champion.

Declared through the `gls.steps` entry-point group; it comes after the first champion, so the
API finds a model to serve at start-up.
"""

from __future__ import annotations

import sys

from green_light_platform.settings import AdminSettings, ApiServerSettings
from green_light_platform.steps import Service, Step


def steps() -> list[Step]:
    """`gls serve api` at the configured address; healthy when /health answers."""
    server, admin = ApiServerSettings(), AdminSettings()
    url = f"http://{server.host}:{server.port}"
    return [
        Service(
            name="model_api",
            command=[sys.executable, "-m", "green_light_platform.cli", "serve", "api"],
            url=f"{url}/docs",
            health_url=f"{url}/health",
            login=f"{admin.admin_username} / ADMIN_PASSWORD from .env",
            after=("migrate", "MLflow", "first-champion"),
        )
    ]
