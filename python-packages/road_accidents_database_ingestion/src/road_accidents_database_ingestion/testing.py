"""Pytest fixtures giving tests a real, fresh and migrated PostgreSQL database.

Registered as a pytest plugin by this package, so every package's tests can use them. The
server is the one in `GLS_TEST_DATABASE_URL` when set (CI points it at a database of its
own); otherwise an embedded server is started for the run in a temporary folder. Each test
gets its own database, cloned from a template migrated once per run, and dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from typing import TYPE_CHECKING

import pytest

from road_accidents_database_ingestion.db.admin import (
    create_database,
    database_name,
    drop_database,
    temporary_database,
)
from road_accidents_database_ingestion.db.embedded import EmbeddedPostgres, free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

TEST_DATABASE_URL_VARIABLE = "GLS_TEST_DATABASE_URL"


@pytest.fixture(scope="session")
def postgres_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a PostgreSQL server where the tests may create and drop databases."""
    configured = os.environ.get(TEST_DATABASE_URL_VARIABLE)
    if configured:
        yield configured
        return
    server = EmbeddedPostgres(
        data_dir=tmp_path_factory.mktemp("embedded-postgres"), port=free_port(), host_auth="trust"
    )
    server.start()
    try:
        yield server.url()
    finally:
        server.destroy()


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
