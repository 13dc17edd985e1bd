"""The configuration of the local Airflow of `gls up`: one environment for every process.

All Airflow processes (api-server, scheduler, dag-processor, triggerer and the tasks they
fork) get the same `AIRFLOW__*` variables from `airflow_environment`, so they share the JWT
secret, the metadata database (`airflow`, on the RoadAccidents server) and the executor. The
tasks also get absolute paths for our own settings, since Airflow may run them elsewhere.
"""

from __future__ import annotations

import json
import os
import secrets
from base64 import urlsafe_b64encode
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import make_url

if TYPE_CHECKING:
    from green_light_pipelines.settings import AirflowServiceSettings

ADMIN_ROLE = "admin"


class AirflowConfigError(RuntimeError):
    """Airflow cannot be configured as asked (a secret missing in production)."""


def airflow_home(settings: AirflowServiceSettings) -> Path:
    return settings.runtime.volume("airflow")


def _generated_secrets(settings: AirflowServiceSettings) -> dict[str, str]:
    """The secrets not set in the environment, generated once per `Volumes/` (development)."""
    path = airflow_home(settings) / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    values = {
        "jwt_secret": secrets.token_urlsafe(64),
        "secret_key": secrets.token_urlsafe(32),
        "fernet_key": urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps(values))
    return values


def _secrets(settings: AirflowServiceSettings) -> dict[str, str]:
    airflow = settings.airflow
    given = {
        "jwt_secret": airflow.jwt_secret,
        "secret_key": airflow.secret_key,
        "fernet_key": airflow.fernet_key,
    }
    missing = [name for name, value in given.items() if value is None]
    if missing and settings.runtime.production:
        names = ", ".join(f"GLS_AIRFLOW_{name.upper()}" for name in missing)
        raise AirflowConfigError(f"{names} must be set when GLS_ENVIRONMENT=production")
    generated = _generated_secrets(settings) if missing else {}
    return {
        name: value.get_secret_value() if value is not None else generated[name]
        for name, value in given.items()
    }


def metadata_url(settings: AirflowServiceSettings) -> str:
    """Airflow's own database on the RoadAccidents server, with the psycopg 3 driver for both
    its sync and async engines (Airflow would otherwise want asyncpg)."""
    url = make_url(settings.database.url).set(database=settings.airflow.database)
    return url.render_as_string(hide_password=False)


def passwords_file(settings: AirflowServiceSettings) -> Path:
    return airflow_home(settings) / "simple_auth_manager_passwords.json"


def write_passwords_file(settings: AirflowServiceSettings) -> None:
    """The Green Light admin's login for the simple auth manager (read at every login)."""
    path = passwords_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    admin = settings.admin
    path.write_text(json.dumps({admin.admin_username: admin.admin_password.get_secret_value()}))


def airflow_environment(settings: AirflowServiceSettings) -> dict[str, str]:
    """The variables of every local Airflow process (and of `airflow db migrate`)."""
    home = airflow_home(settings)
    airflow = settings.airflow
    keys = _secrets(settings)
    database = metadata_url(settings)
    env_file = os.environ.get("GLS_ENV_FILE", ".env")
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(airflow.dags_folder.resolve()),
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": str(airflow.parallelism),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__FERNET_KEY": keys["fernet_key"],
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{airflow.url}/execution/",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{settings.admin.admin_username}:{ADMIN_ROLE}",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords_file(settings)),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": database,
        "AIRFLOW__API__BASE_URL": airflow.url,
        "AIRFLOW__API__SECRET_KEY": keys["secret_key"],
        "AIRFLOW__API_AUTH__JWT_SECRET": keys["jwt_secret"],
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "True",
        "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(
            airflow.scheduler_health_port
        ),
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(airflow.worker_log_port),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(airflow.trigger_log_port),
        # Latency on a small machine: see the README's pipeline benchmark.
        "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.2",
        "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "1",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        # Our tasks read the platform's settings; Airflow may run them in another folder.
        "GLS_ENV_FILE": str(Path(env_file).resolve()),
        "GLS_VOLUMES_DIR": str(settings.runtime.volumes_dir.resolve()),
        "ROAD_ACCIDENTS_DATA_DIRECTORIES": str(settings.ingestion.data_directories.resolve()),
    }
