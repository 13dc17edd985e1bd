"""What `gls up` runs of this package: the API, started after the first training.

Declared through the `gls.services` entry-point group of the platform; its order puts it after
the bootstrap steps, so the API finds a champion at start-up.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from road_accidents_database_ingestion.services import ServiceSpec

if TYPE_CHECKING:
    from road_accidents_database_ingestion.settings import GlsSettings

HOST, PORT = "127.0.0.1", 8001
URL = f"http://{HOST}:{PORT}"


def services(settings: GlsSettings) -> list[ServiceSpec]:
    """`gls serve api` on 127.0.0.1:8001, after MLflow; healthy when /health answers."""
    command = [sys.executable, "-m", "road_accidents_database_ingestion.cli", "serve", "api"]
    return [
        ServiceSpec(
            name="model_api",
            command=[*command, "--host", HOST, "--port", str(PORT)],
            url=f"{URL}/docs",
            health_url=f"{URL}/health",
            login=f"{settings.admin_username} / ADMIN_PASSWORD from .env",
            order=20,
        )
    ]
