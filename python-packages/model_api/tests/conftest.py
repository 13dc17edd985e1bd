"""Fixtures of the model_api tests: a real MLflow registry, a real database, a real server.

The registry is made once per run the way the platform makes it: the bring-up of `gls up`
(the `trained_registry` fixture of the platform's plugin) ingests demo BAAC files for two
years and registers `accident_gravity` version 1 (champion); a second training adds version
2 (challenger). Each test
gets its own copy of the tracking database (artifacts are shared, read-only), so tests that
move the alias do not see each other. The app runs under uvicorn in a thread, on a socket
bound to a free port, and tests talk to it over HTTP with httpx (`api_support.serve`).
"""

from __future__ import annotations

import shutil
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from mlflow import MlflowClient

from gravity_model.registry import MODEL_NAME
from gravity_model.training import train
from green_light_platform.db.admin import temporary_database
from green_light_platform.db.embedded import EmbeddedPostgres
from green_light_platform.testing import embedded_server

from .api_support import RunningApi, api_settings, serve

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from green_light_platform.testing import TrainedRegistry


@pytest.fixture(scope="session")
def registry_template(trained_registry: TrainedRegistry) -> Path:
    """A tracking database where the bring-up registered v1 (champion) and a second training
    v2 (challenger)."""
    store = trained_registry.folder / "with-challenger.db"
    shutil.copy(trained_registry.store, store)
    train(
        trained_registry.database_url,
        f"sqlite:///{store}",
        seed=2,
        promote="never",
        reference_split=False,
    )
    return store


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
def start_api(
    database_url: str, tracking_uri: str, tmp_path: Path
) -> Iterator[Callable[..., RunningApi]]:
    """Start the app with the test settings plus `overrides` (its `Volumes/` in the test's
    folder); stopped after the test."""
    volumes = {"volumes_dir": tmp_path / "Volumes"}
    with ExitStack() as stack:
        yield lambda **overrides: stack.enter_context(
            serve(api_settings(database_url, tracking_uri, **(volumes | overrides)))
        )


@pytest.fixture
def api(start_api: Callable[..., RunningApi]) -> RunningApi:
    """The app with the test settings, serving the champion version 1."""
    return start_api()


@pytest.fixture(scope="session")
def stoppable_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    """A PostgreSQL server of the tests' own, which they stop and start (an outage)."""
    with embedded_server(tmp_path_factory.mktemp("stoppable-postgres")) as server:
        yield server


@pytest.fixture
def stoppable_database(stoppable_server: EmbeddedPostgres) -> Iterator[str]:
    """URL of a migrated database on `stoppable_server`; the server runs again afterwards."""
    with temporary_database(stoppable_server.url(), "gls_outage") as url:
        try:
            yield url
        finally:
            stoppable_server.start()
