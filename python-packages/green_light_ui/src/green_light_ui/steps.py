"""What the platform's bring-up runs of this package (entry point `gls.steps`): the UI's
read-only database login, then the Streamlit server."""

from __future__ import annotations

import sys

from green_light_platform.settings import DatabaseSettings
from green_light_platform.steps import Service, Step, Task
from green_light_ui.settings import UiDatabaseSettings, UiServerSettings, address_only


def create_login() -> str:
    from green_light_ui.roles import ensure_reader_login

    reader = UiDatabaseSettings()
    return ensure_reader_login(
        DatabaseSettings().url, reader.user, reader.password.get_secret_value()
    )


def steps() -> list[Step]:
    """`gls serve ui` at the configured address, once its login exists; healthy when
    Streamlit's health endpoint answers."""
    server, database = UiServerSettings(), DatabaseSettings()
    url = f"http://{server.host}:{server.port}"
    env = {"GLS_UI_DATABASE_URL": address_only(database.url)} if database.external else {}
    return [
        Task("ui-login", create_login, "the UI's read-only database login", after=("migrate",)),
        Service(
            name="ui",
            command=[sys.executable, "-m", "green_light_platform.cli", "serve", "ui"],
            url=url,
            health_url=f"{url}/_stcore/health",
            login="model_api's users (ADMIN_USERNAME / ADMIN_PASSWORD from .env) to predict",
            env=env,
            after=("ui-login", "model_api"),
        ),
    ]
