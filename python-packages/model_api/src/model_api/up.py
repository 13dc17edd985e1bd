"""What `gls up` runs of this package: the API, and a refresh once a first model exists.

Declared through the `gls.services` and `gls.bootstrap` entry-point groups of the platform.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

import httpx

from road_accidents_database_ingestion.services import ServiceSpec

if TYPE_CHECKING:
    from road_accidents_database_ingestion.settings import GlsSettings

log = logging.getLogger(__name__)

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


def refresh(url: str, username: str, password: str) -> dict[str, object]:
    """Log in as an admin and have the API at `url` load the champion; the model it serves."""
    with httpx.Client(base_url=url, timeout=120) as client:
        login = client.post("/token", data={"username": username, "password": password})
        headers = {"Authorization": f"Bearer {login.raise_for_status().json()['access_token']}"}
        return client.post("/refresh", headers=headers).raise_for_status().json()["model"]


def bootstrap(settings: GlsSettings) -> None:
    """Have the API load the champion the gravity model's bootstrap may just have trained.

    Runs after `gravity_model`'s step (steps run by name); without it the API would pick the
    champion up at its next alias check (GLS_MODEL_POLL_SECONDS).
    """
    try:
        model = refresh(URL, settings.admin_username, settings.admin_password.get_secret_value())
    except httpx.HTTPError as error:
        log.warning("model_api did not load a model", extra={"reason": str(error)})
        return
    log.info("model_api serves", extra={"model": model["name"], "version": model["version"]})
