"""Fixtures of the gravity model's tests; `database_url` comes from the gls pytest plugin.

The folder is put on `sys.path` so that tests import the data helper as `data` (pytest runs
with `--import-mode=importlib`, which does not do it).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def mlflow_store_template(tmp_path_factory) -> str:
    """An MLflow SQLite store created once: creating its schema takes seconds."""
    path = tmp_path_factory.mktemp("mlflow-template") / "mlflow.db"
    MlflowClient(f"sqlite:///{path}").search_experiments()
    return str(path)


@pytest.fixture
def tracking_uri(tmp_path, monkeypatch, mlflow_store_template) -> str:
    """A fresh, real MLflow tracking store and registry; artifacts in the test's folder."""
    monkeypatch.chdir(tmp_path)
    store = tmp_path / "mlflow.db"
    shutil.copy(mlflow_store_template, store)
    return f"sqlite:///{store}"
