"""What the platform's bring-up runs of this package (entry point `gls.steps`): the Streamlit
server, its read-only database login created or updated just before it starts (so a bring-up
that starts no UI needs no reader password)."""

from __future__ import annotations

import sys

from green_light_platform.settings import DatabaseSettings
from green_light_platform.steps import Service, Step
from green_light_ui.settings import UiDatabaseSettings, UiServerSettings, address_only


def create_login() -> str:
    from green_light_ui.roles import ensure_reader_login

    reader = UiDatabaseSettings()
    return ensure_reader_login(
        DatabaseSettings().url, reader.user, reader.password.get_secret_value()
    )


def steps() -> list[Step]:
    """`gls serve ui` at the configured address, after model_api; healthy when Streamlit's
    health endpoint answers."""
    server, database = UiServerSettings(), DatabaseSettings()
    url = f"http://{server.host}:{server.port}"
    env = {"GLS_UI_DATABASE_URL": address_only(database.url)} if database.external else {}
    return [
        Service(
            name="ui",
            command=[sys.executable, "-m", "green_light_platform.cli", "serve", "ui"],
            url=url,
            health_url=f"{url}/_stcore/health",
            login="model_api's users (ADMIN_USERNAME / ADMIN_PASSWORD from .env) to predict",
            env=env,
            after=("migrate", "model_api"),
            prepare=create_login,
        ),
    ]
