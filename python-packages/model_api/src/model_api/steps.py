"""What the platform's bring-up runs of this package: the API, once there is a champion.

Declared through the `gls.steps` entry-point group; it comes after the first champion, so the
API finds a model to serve at start-up.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from green_light_platform.settings import AdminSettings, ApiServerSettings
from green_light_platform.smoke import SmokeError, bearer_token, expect
from green_light_platform.steps import Service, Step

if TYPE_CHECKING:
    import httpx


def smoke(client: httpx.Client, url: str, admin: AdminSettings) -> str:
    """The admin gets a token at /token, /users/me knows it, /ready says a model serves."""
    password = admin.admin_password.get_secret_value()
    token = bearer_token(
        client.post(f"{url}/token", data={"username": admin.admin_username, "password": password})
    )
    me = expect(client.get(f"{url}/users/me", headers={"Authorization": f"Bearer {token}"}))
    if me.json().get("username") != admin.admin_username:
        raise SmokeError(f"{url}/users/me does not name {admin.admin_username}: {me.text[:200]}")
    ready = expect(client.get(f"{url}/ready"))
    return f"{admin.admin_username} logged in (token), ready: {ready.json()}"


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
            smoke=lambda client: smoke(client, url, admin),
        )
    ]
