"""Fixtures of the model_api tests: a real MLflow registry, a real database, a real server.

The registry is made once per run the way the platform makes it: demo BAAC files for two
years are ingested into a fresh database and `gravity_model.training.train` trains twice,
registering `accident_gravity` version 1 (champion) and version 2 (challenger). Each test
gets its own copy of the tracking database (artifacts are shared, read-only), so tests that
move the alias do not see each other. The app runs under uvicorn in a thread, on a socket
bound to a free port, and tests talk to it over HTTP with httpx (`api_support.serve`).
"""

from __future__ import annotations

import shutil
from contextlib import ExitStack
from typing import TYPE_CHECKING

import pytest
from mlflow import MlflowClient

from gravity_model.registry import MODEL_NAME
from gravity_model.tracking import EXPERIMENT_NAME
from gravity_model.training import train
from road_accidents_database_ingestion.db.admin import temporary_database
from road_accidents_database_ingestion.db.engine import connect
from road_accidents_database_ingestion.demo import generate_demo_data
from road_accidents_database_ingestion.loader import ensure_reference_data
from road_accidents_database_ingestion.pipeline import ingest

from .api_support import RunningApi, api_settings, serve

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path


@pytest.fixture(scope="session")
def registry_template(postgres_server_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tracking database where training registered v1 (champion) and v2 (challenger)."""
    folder = tmp_path_factory.mktemp("mlflow")
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    MlflowClient(uri).create_experiment(
        EXPERIMENT_NAME, artifact_location=(folder / "artifacts").as_uri()
    )
    generate_demo_data(folder / "baac", [2021, 2022], scale=0.005, seed=1)
    with temporary_database(postgres_server_url, "gls_api_training") as database_url:
        with connect(database_url) as conn:
            ensure_reference_data(conn)
        ingest(database_url, folder / "baac")
        train(database_url, uri, seed=1, reference_split=False)
        train(database_url, uri, seed=2, promote="never", reference_split=False)
    return folder / "mlflow.db"


@pytest.fixture
def tracking_uri(registry_template: Path, tmp_path: Path) -> str:
    """This test's own copy of the registry: champion = version 1, challenger = version 2."""
    database = tmp_path / "mlflow.db"
    shutil.copy(registry_template, database)
    return f"sqlite:///{database}"


@pytest.fixture
def registry(tracking_uri: str) -> MlflowClient:
    """A client of this test's registry (to move aliases, add versions)."""
    return MlflowClient(tracking_uri, registry_uri=tracking_uri)


@pytest.fixture
def promote(registry: MlflowClient) -> Callable[[str], None]:
    """Make a version the champion, as the training's champion gate does."""
    return lambda version: registry.set_registered_model_alias(MODEL_NAME, "champion", version)


@pytest.fixture
def start_api(database_url: str, tracking_uri: str) -> Iterator[Callable[..., RunningApi]]:
    """Start the app with the test settings plus `overrides`; stopped after the test."""
    with ExitStack() as stack:
        yield lambda **overrides: stack.enter_context(
            serve(api_settings(database_url, tracking_uri, **overrides))
        )


@pytest.fixture
def api(start_api: Callable[..., RunningApi]) -> RunningApi:
    """The app with the test settings, serving the champion version 1."""
    return start_api()
