"""Pytest fixtures giving tests a real PostgreSQL and, on request, a platform brought up.

Registered as a pytest plugin (entry point `pytest11`), so every package's tests can use
them. The server is the one in `GLS_TEST_DATABASE_URL` when set (CI points it at a database
of its own); otherwise an embedded server is started for the run in a temporary folder. Each
test gets its own database, cloned from a template migrated once per run, and dropped
afterwards. `seeded_database_url` and `trained_registry` run the same bring-up as `gls up`
(demo data, reference, ingestion, a first training) into databases of the run's own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from green_light_platform.bringup import bring_up_with
from green_light_platform.db.admin import (
    create_database,
    database_name,
    drop_database,
    temporary_database,
)
from green_light_platform.db.embedded import EmbeddedPostgres, free_port
from green_light_platform.db.engine import connect
from green_light_platform.reliability_report import record_environment
from green_light_platform.settings import setting_variables

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

TEST_DATABASE_URL_VARIABLE = "GLS_TEST_DATABASE_URL"
SEED_YEARS = "2021-2022"
SEED_SCALE = "0.005"


@contextmanager
def embedded_server(folder: Path) -> Iterator[EmbeddedPostgres]:
    """An embedded PostgreSQL in `folder` on a free port (trust auth), destroyed afterwards:
    the run's server, or one a fault test may stop or kill without touching the others."""
    server = EmbeddedPostgres(data_dir=folder, port=free_port(), host_auth="trust")
    server.start()
    try:
        yield server
    finally:
        server.destroy()


def real_data(config: pytest.Config, folder: str) -> Path:
    """`folder` of the real BAAC rows in `../shared/data` beside the checkout: skipped when
    absent, except in CI (`CI=true`), where its absence is a failure."""
    path = config.rootpath.parent / "shared" / "data" / folder
    if not path.is_dir():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"real data missing in CI: {path}")
        pytest.skip(f"real data not present: {path}")
    return path


@pytest.fixture(scope="session")
def real_2021_sample(request: pytest.FixtureRequest) -> Path:
    """The first 382 real accidents of 2021, all four files (2019+ layout)."""
    return real_data(request.config, "baac-2021-sample")


@pytest.fixture(scope="session")
def real_2018_places_vehicles(request: pytest.FixtureRequest) -> Path:
    """The whole real 2018 `lieux` and `vehicules` files (2005-2018 layout)."""
    return real_data(request.config, "baac-2018-places-vehicles")


@pytest.fixture(scope="session")
def postgres_server_url(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[str]:
    """URL of a PostgreSQL server where the tests may create and drop databases."""
    configured = os.environ.get(TEST_DATABASE_URL_VARIABLE)
    if configured:
        _note_server(pytestconfig, configured, "from " + TEST_DATABASE_URL_VARIABLE)
        yield configured
        return
    with embedded_server(tmp_path_factory.mktemp("embedded-postgres")) as server:
        _note_server(pytestconfig, server.url(), "embedded")
        yield server.url()


def _note_server(config: pytest.Config, url: str, origin: str) -> None:
    """The server's version, for the reliability report's account of the run."""
    with connect(url) as conn:
        (version,) = conn.execute("SHOW server_version").fetchone() or ("unknown",)
    record_environment(config, "PostgreSQL", f"{version} ({origin})")


@pytest.fixture(scope="session")
def migrated_template(postgres_server_url: str) -> Iterator[str]:
    """Name of a database migrated to head once per run, cloned by `database_url`."""
    with temporary_database(postgres_server_url, "gls_template") as url:
        yield database_name(url)


@pytest.fixture
def database_url(postgres_server_url: str, migrated_template: str) -> Iterator[str]:
    """URL of a fresh database at the latest schema revision, dropped after the test."""
    name = f"gls_test_{uuid.uuid4().hex[:12]}"
    url = create_database(postgres_server_url, name, template=migrated_template)
    try:
        yield url
    finally:
        drop_database(postgres_server_url, name)


@pytest.fixture
def empty_database_url(postgres_server_url: str) -> Iterator[str]:
    """URL of a fresh database with no schema at all (for migration tests)."""
    name = f"gls_empty_{uuid.uuid4().hex[:12]}"
    url = create_database(postgres_server_url, name)
    try:
        yield url
    finally:
        drop_database(postgres_server_url, name)


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No setting from the caller's environment or `.env`: the test's folder is the cwd."""
    for name in setting_variables():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@dataclass(frozen=True)
class GlsCli:
    """`gls` run as a user runs it, in a process of its own with `env` as its environment."""

    env: dict[str, str]

    def __call__(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "green_light_platform.cli", *args]
        return subprocess.run(  # noqa: S603 - our own CLI
            command, env=self.env, capture_output=True, text=True, check=False, timeout=timeout
        )


@pytest.fixture
def gls_cli(clean_environment: Path) -> Iterator[GlsCli]:
    """`gls` with a platform of its own in the test's folder: an embedded server on a free
    port, `Volumes/` and the data directory there, no service; `gls down` afterwards."""
    env = {k: v for k, v in os.environ.items() if k not in setting_variables()}
    env.update(
        ADMIN_USERNAME="cli_admin",
        ADMIN_PASSWORD="cli-pass",
        ROAD_ACCIDENTS_POSTGRES_PORT=str(free_port()),
        GLS_VOLUMES_DIR=str(clean_environment / "Volumes"),
        GLS_ENV_FILE=str(clean_environment / "missing.env"),
        GLS_UP_SERVICES="none",
        ROAD_ACCIDENTS_DATA_DIRECTORIES=str(clean_environment / "data"),
    )
    cli = GlsCli(env)
    try:
        yield cli
    finally:
        cli("down")


@pytest.fixture(scope="session")
def seeded_database_url(
    postgres_server_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database where the bring-up wrote demo data (2021-2022) and ingested it. Read only:
    tests that change rows clone it (`create_database(..., template=...)`)."""
    folder = tmp_path_factory.mktemp("seeded")
    with temporary_database(postgres_server_url, "gls_seeded") as url:
        bring_up_with(_seed_variables(url, folder), ["ingest"])
        yield url


@dataclass(frozen=True)
class TrainedRegistry:
    """An MLflow store (SQLite) where the bring-up registered a first champion."""

    database_url: str
    tracking_uri: str
    store: Path
    folder: Path


@pytest.fixture(scope="session")
def trained_registry(
    seeded_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> TrainedRegistry:
    """The bring-up's first training on `seeded_database_url`: version 1 is the champion."""
    folder = tmp_path_factory.mktemp("registry")
    store = folder / "mlflow.db"
    tracking_uri = f"sqlite:///{store}"
    variables = _seed_variables(seeded_database_url, folder) | {
        "GLS_MLFLOW_TRACKING_URI": tracking_uri
    }
    bring_up_with(variables, ["first-champion"])
    return TrainedRegistry(seeded_database_url, tracking_uri, store, folder)


def _seed_variables(database_url: str, folder: Path) -> dict[str, str]:
    return {
        "GLS_DATABASE_URL": database_url,
        "ROAD_ACCIDENTS_DATA_DIRECTORIES": str(folder / "baac"),
        "GLS_VOLUMES_DIR": str(folder / "Volumes"),
        "GLS_DEMO_YEARS": SEED_YEARS,
        "GLS_DEMO_SCALE": SEED_SCALE,
        "GLS_DEMO_SEED": "1",
        "ADMIN_PASSWORD": os.environ.get("ADMIN_PASSWORD", "test-admin-password"),
    }
