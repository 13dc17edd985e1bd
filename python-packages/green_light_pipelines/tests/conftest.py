"""Airflow for the pipelines' tests: a throwaway home and SQLite metadata (Airflow's own; our
data goes to the real PostgreSQL of the `database_url` fixtures), set before anything imports
airflow, migrated once per run."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import pytest

from baac_demo_data import generate_demo_data, write_broken_variant
from green_light_platform.db.admin import create_database, database_name, drop_database
from green_light_platform.db.embedded import free_port

from .pipelines_support import BROKEN, GOOD, SERVICE

DAGS_FOLDER = Path(__file__).resolve().parents[3] / "Airflow" / "dags"

_home = Path(tempfile.mkdtemp(prefix="gls-airflow-tests-"))
atexit.register(shutil.rmtree, _home, ignore_errors=True)
for name in [n for n in os.environ if n.startswith("AIRFLOW")]:
    del os.environ[name]
os.environ.update(
    {
        "AIRFLOW_HOME": str(_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_FOLDER),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(_home / "logs"),
    }
)


@pytest.fixture(scope="session")
def airflow_metadata() -> Path:
    """Airflow's metadata database, migrated once (`airflow db migrate`, as `gls up` does)."""
    done = subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return _home


@pytest.fixture
def data_directory(tmp_path, database_url, monkeypatch):
    """Two good generated years and one whose files lost a column."""
    root = tmp_path / "baac"
    generated = generate_demo_data(tmp_path / "generated", [*GOOD, BROKEN], scale=0.002, seed=5)
    for year in generated.years:
        if year.year == BROKEN:
            write_broken_variant(year.folder, root / str(BROKEN), "missing_column", seed=1)
        else:
            generate_demo_data(root, [year.year], scale=0.002, seed=5)
    monkeypatch.setenv("GLS_DATABASE_URL", database_url)
    monkeypatch.setenv("ROAD_ACCIDENTS_DATA_DIRECTORIES", str(root))
    monkeypatch.setenv("GLS_VOLUMES_DIR", str(tmp_path / "Volumes"))
    monkeypatch.setenv("ADMIN_PASSWORD", "unused")
    return root


@pytest.fixture
def platform(seeded_database_url, postgres_server_url, tmp_path, monkeypatch):
    """A copy of the seeded database, an empty MLflow store, and model_api serving from them
    (no champion yet) as `gls serve api` runs it."""
    name = f"gls_train_dag_{uuid.uuid4().hex[:10]}"
    database_url = create_database(
        postgres_server_url, name, template=database_name(seeded_database_url)
    )
    port = free_port()
    variables = {
        "GLS_DATABASE_URL": database_url,
        "GLS_MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path / 'mlflow.db'}",
        "GLS_VOLUMES_DIR": str(tmp_path / "Volumes"),
        "GLS_MODEL_API_PORT": str(port),
        "GLS_SERVICE_USERNAME": SERVICE[0],
        "GLS_SERVICE_PASSWORD": SERVICE[1],
        "ADMIN_PASSWORD": "an-admin-password",
        "GLS_MODEL_POLL_SECONDS": "0",
    }
    for key, value in variables.items():
        monkeypatch.setenv(key, value)
    api = subprocess.Popen(
        [sys.executable, "-m", "green_light_platform.cli", "serve", "api"],
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.3)
    try:
        yield url
    finally:
        api.terminate()
        api.wait(30)
        drop_database(postgres_server_url, name)
