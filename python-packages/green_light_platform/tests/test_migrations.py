"""Alembic owns the schema: upgrade to head, down to base and up again, idempotently."""

from __future__ import annotations

import psycopg
from sqlalchemy import inspect

from green_light_platform.db import migrate
from green_light_platform.db.engine import make_engine
from green_light_platform.settings import to_libpq_url


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_creates_the_registry_and_is_idempotent(empty_database_url):
    assert migrate.current_revision(empty_database_url) is None
    migrate.upgrade(empty_database_url)
    assert migrate.current_revision(empty_database_url) == migrate.head_revision()
    assert {
        "source_files",
        "ingested_years",
        "rejects",
        "unknown_values",
        "column_profiles",
    } <= tables(empty_database_url)

    migrate.upgrade(empty_database_url)
    assert migrate.current_revision(empty_database_url) == migrate.head_revision()


def test_downgrade_to_base_removes_everything_and_upgrade_restores(empty_database_url):
    migrate.upgrade(empty_database_url)
    migrate.downgrade(empty_database_url, "base")
    assert tables(empty_database_url) <= {"alembic_version"}
    assert migrate.current_revision(empty_database_url) is None
    migrate.upgrade(empty_database_url)
    assert {"source_files", "rejects"} <= tables(empty_database_url)


def test_each_revision_downgrades_one_step(empty_database_url):
    migrate.upgrade(empty_database_url)
    while (revision := migrate.current_revision(empty_database_url)) is not None:
        migrate.downgrade(empty_database_url, "-1")
        assert migrate.current_revision(empty_database_url) != revision


def test_fixture_databases_are_fresh_and_migrated(database_url):
    with psycopg.connect(to_libpq_url(database_url)) as conn:
        assert conn.execute("SELECT count(*) FROM source_files").fetchone() == (0,)
        conn.execute(
            "INSERT INTO source_files (path, year, table_name, size_bytes, sha256)"
            " VALUES ('x', 2021, 'lieux', 1, 'abc')"
        )
    assert migrate.current_revision(database_url) == migrate.head_revision()


def test_a_second_fixture_database_does_not_see_the_first_ones_rows(database_url):
    with psycopg.connect(to_libpq_url(database_url)) as conn:
        assert conn.execute("SELECT count(*) FROM source_files").fetchone() == (0,)
