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
from pathlib import Path

import pytest

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
