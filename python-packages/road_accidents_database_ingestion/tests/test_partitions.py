"""A year is staged apart and swapped in as its partitions: whole, with no index left to build,
nothing left behind, and the old year serving until the swap."""

from __future__ import annotations

import logging

import psycopg
import pytest

from green_light_platform.db import migrate
from green_light_platform.settings import to_libpq_url
from road_accidents_database_ingestion import staging
from road_accidents_database_ingestion.discovery import YearFolder
from road_accidents_database_ingestion.pipeline import ingest, ingest_year

from .ingestion_support import TABLES, counts, query, sample_year

LOADED = {"accidents": 382, "places": 382, "vehicles": 646, "persons": 907}

STAGING_TABLES = "SELECT relname FROM pg_class WHERE relname LIKE '%%\\_staging' ORDER BY 1"


def partitions(database_url: str, table: str) -> list[str]:
    return [
        name
        for (name,) in query(
            database_url,
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = %s::regclass ORDER BY 1",
            table,
        )
    ]


needs_sample = pytest.mark.usefixtures("real_sample")


@needs_sample
def test_a_loaded_year_is_a_partition_that_adopted_every_index(database_url, tmp_path):
    sample_year(tmp_path)
    assert ingest(database_url, tmp_path).ok
    assert counts(database_url) == LOADED
    assert query(database_url, STAGING_TABLES) == []
    for table in TABLES:
        assert partitions(database_url, table) == [f"{table}_2021", f"{table}_default"]
        indexes = query(
            database_url,
            "SELECT c.relname, parent.relname FROM pg_index x"
            " JOIN pg_class c ON c.oid = x.indexrelid"
            " LEFT JOIN pg_inherits i ON i.inhrelid = x.indexrelid"
            " LEFT JOIN pg_class parent ON parent.oid = i.inhparent"
            " WHERE x.indrelid = %s::regclass ORDER BY 1",
            f"{table}_2021",
        )
        parents = query(
            database_url,
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = %s::regclass",
            table,
        )
        # Each of the parent's indexes has its staged twin, under the parent's name for it.
        expected = {(f"{table}_2021" + p.removeprefix(table), p) for (p,) in parents}
        assert set(indexes) == expected, table


@needs_sample
def test_leftover_staging_tables_of_a_killed_run_are_dropped(database_url, tmp_path):
    with psycopg.connect(to_libpq_url(database_url)) as conn:
        for table in TABLES:
            conn.execute(f"CREATE TABLE {table}_2021_staging (LIKE {table}, killed_run text)")
    sample_year(tmp_path)
    assert ingest(database_url, tmp_path).ok
    assert counts(database_url) == LOADED
    assert query(database_url, STAGING_TABLES) == []


@needs_sample
def test_rows_written_straight_into_the_parent_are_replaced_by_a_load(database_url, tmp_path):
    with psycopg.connect(to_libpq_url(database_url)) as conn:
        conn.execute(
            "INSERT INTO accidents (num_acc, year, month, day, accident_date, dep,"
            " source_file_id, source_line) VALUES (202199999999, 2021, 1, 1, '2021-01-01',"
            " '75', 0, 2), (202099999999, 2020, 1, 1, '2020-01-01', '75', 0, 2)"
        )
    sample_year(tmp_path)
    assert ingest(database_url, tmp_path).ok
    assert query(database_url, "SELECT year, count(*) FROM accidents GROUP BY 1 ORDER BY 1") == [
        (2020, 1),
        (2021, 382),
    ]


@needs_sample
def test_a_year_failing_while_staged_keeps_the_old_year_serving(
    database_url, tmp_path, monkeypatch
):
    folder = YearFolder(2021, sample_year(tmp_path))
    assert ingest_year(database_url, folder).status == "loaded"
    before = query(database_url, "SELECT num_acc, com_current FROM accidents ORDER BY 1")
    real = staging.stage_table

    def failing(conn: psycopg.Connection, table, constants: staging.Constants, payloads) -> None:
        if table.name == "persons":
            raise RuntimeError("server went away")
        real(conn, table, constants, payloads)

    monkeypatch.setattr(staging, "stage_table", failing)
    with pytest.raises(RuntimeError, match="server went away"):
        ingest_year(database_url, folder, force=True)
    assert counts(database_url) == LOADED
    assert query(database_url, "SELECT num_acc, com_current FROM accidents ORDER BY 1") == before
    assert query(database_url, STAGING_TABLES) == []
    assert partitions(database_url, "accidents") == ["accidents_2021", "accidents_default"]


@needs_sample
def test_a_failed_swap_leaves_the_old_year_and_the_next_run_cleans_up(
    database_url, tmp_path, monkeypatch
):
    folder = YearFolder(2021, sample_year(tmp_path))
    assert ingest_year(database_url, folder).status == "loaded"
    real = staging.swap_in

    def failing(conn: psycopg.Connection, year: int) -> None:
        real(conn, year)
        raise RuntimeError("lost the connection before commit")

    monkeypatch.setattr(staging, "swap_in", failing)
    with pytest.raises(RuntimeError, match="before commit"):
        ingest_year(database_url, folder, force=True)
    assert counts(database_url) == LOADED
    assert len(query(database_url, STAGING_TABLES)) == len(TABLES)

    monkeypatch.setattr(staging, "swap_in", real)
    assert ingest_year(database_url, folder, force=True).status == "loaded"
    assert counts(database_url) == LOADED
    assert query(database_url, STAGING_TABLES) == []


def test_the_migration_moves_existing_rows_into_year_partitions_and_back(empty_database_url):
    url = empty_database_url
    migrate.upgrade(url, "0003")
    with psycopg.connect(to_libpq_url(url)) as conn:
        for year in (2019, 2021):
            conn.execute(
                "INSERT INTO accidents (num_acc, year, month, day, accident_date, dep, lat, lon,"
                " source_file_id, source_line) VALUES (%s, %s, 1, 1, %s, '75', 48.8, 2.3, 1, 2)",
                (year * 100_000_000, year, f"{year}-01-01"),
            )
            conn.execute(
                "INSERT INTO persons (num_acc, year, seq, grav, source_file_id, source_line)"
                " VALUES (%s, %s, 1, 2, 1, 2)",
                (year * 100_000_000, year),
            )
    rows = "SELECT num_acc, year, lat FROM accidents ORDER BY 1"
    before = query(url, rows)

    migrate.upgrade(url)
    assert query(url, rows) == before
    assert partitions(url, "accidents") == [
        "accidents_2019",
        "accidents_2021",
        "accidents_default",
    ]
    assert partitions(url, "persons") == ["persons_2019", "persons_2021", "persons_default"]
    assert query(url, "SELECT count(*) FROM accidents_default") == [(0,)]

    migrate.downgrade(url, "0003")
    assert query(url, rows) == before
    assert query(url, "SELECT count(*) FROM persons") == [(2,)]
    kinds = query(
        url,
        "SELECT relname, relkind FROM pg_class WHERE relname = ANY(%s) ORDER BY 1",
        list(TABLES),
    )
    assert [kind for _, kind in kinds] == ["r"] * len(TABLES)
    assert partitions(url, "accidents") == []


@needs_sample
def test_the_swap_waits_out_a_long_query_without_blocking_readers(
    database_url, tmp_path, monkeypatch
):
    folder = YearFolder(2021, sample_year(tmp_path))
    assert ingest_year(database_url, folder).status == "loaded"
    monkeypatch.setattr(staging, "SWAP_LOCK_TIMEOUT", 0.2)
    monkeypatch.setattr(staging, "SWAP_ATTEMPTS", 3)
    with psycopg.connect(to_libpq_url(database_url)) as dashboard:
        dashboard.execute("SELECT count(*) FROM accidents")  # holds its locks until commit
        with pytest.raises(psycopg.errors.LockNotAvailable):
            ingest_year(database_url, folder, force=True)
        # Between attempts the locks were given back: other readers were never stuck.
        assert counts(database_url) == LOADED
    assert counts(database_url) == LOADED
    assert ingest_year(database_url, folder, force=True).status == "loaded"
    assert query(database_url, STAGING_TABLES) == []


class _EndsQueryOnRetry(logging.Handler):
    """Ends the dashboard's query when the swap says it will retry."""

    def __init__(self, dashboard: psycopg.Connection) -> None:
        super().__init__()
        self.dashboard, self.retries = dashboard, 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == "tables busy, swap retried":
            self.retries += 1
            self.dashboard.rollback()


@needs_sample
def test_a_swap_retried_after_a_query_ends_loads_the_year(database_url, tmp_path, monkeypatch):
    folder = YearFolder(2021, sample_year(tmp_path))
    assert ingest_year(database_url, folder).status == "loaded"
    monkeypatch.setattr(staging, "SWAP_LOCK_TIMEOUT", 0.2)
    with psycopg.connect(to_libpq_url(database_url)) as dashboard:
        dashboard.execute("SELECT count(*) FROM accidents")
        handler = _EndsQueryOnRetry(dashboard)
        staging.log.addHandler(handler)
        try:
            assert ingest_year(database_url, folder, force=True).status == "loaded"
        finally:
            staging.log.removeHandler(handler)
    assert handler.retries == 1
    assert counts(database_url) == LOADED
