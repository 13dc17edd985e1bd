"""PostgreSQL lost in the middle of an ingestion: the year stays whole, and a rerun completes.

A year already loaded (demo data, seed 1) is replaced by a new version (seed 2) while the
test takes the database away at a chosen statement. The moment is found, not guessed: a
reader holds a lock on `persons` (as a dashboard's long query would), so the ingestion's
statement on that table waits in the server, where a watcher thread sees it in
`pg_stat_activity` and strikes: it terminates the backend, SIGKILLs it (the server then
restarts every connection) or SIGKILLs the whole server, which the test restarts. Afterwards
the old year is there whole, in the tables and in the registry, and a rerun loads the new one.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest

from baac_demo_data import generate_demo_data
from green_light_platform.db.admin import create_database
from green_light_platform.db.embedded import EmbeddedPostgres
from green_light_platform.db.migrate import upgrade
from green_light_platform.settings import to_libpq_url
from green_light_platform.testing import embedded_server
from road_accidents_database_ingestion.pipeline import ingest
from road_accidents_database_ingestion.tables import BY_BAAC_NAME

from .ingestion_support import counts, query

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

YEAR = 2021
SCALE = 0.01
STAGING_PERSONS = f'CREATE TABLE "persons_{YEAR}_staging"%'
SWAP_PERSONS = f'DROP TABLE IF EXISTS "persons_{YEAR}"'
EXCLUSIVE = "LOCK TABLE persons IN ACCESS EXCLUSIVE MODE"
"""Blocks the persons staging table's `CREATE TABLE ... (LIKE persons)`."""
READING = "SELECT count(*) FROM persons"
"""Holds ACCESS SHARE on persons and its partitions: the swap's DROP of the old one waits."""


@dataclass(frozen=True)
class Versions:
    old: Path
    new: Path
    new_counts: dict[str, int]


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> Versions:
    """Two versions of the same year's files, in two data directories."""
    root = tmp_path_factory.mktemp("versions")
    generate_demo_data(root / "old", [YEAR], scale=SCALE, seed=1)
    report = generate_demo_data(root / "new", [YEAR], scale=SCALE, seed=2)
    new_counts = {BY_BAAC_NAME[t].name: n for t, n in report.counts()[YEAR].items()}
    return Versions(root / "old", root / "new", new_counts)


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    """A server of this module's own: the tests kill its processes."""
    with embedded_server(tmp_path_factory.mktemp("killed-server")) as server:
        yield server


@pytest.fixture
def own_database_url(own_server: EmbeddedPostgres) -> str:
    url = create_database(own_server.url(), f"gls_kill_{uuid.uuid4().hex[:10]}")
    upgrade(url)
    return url


def _year_state(url: str) -> tuple[dict[str, int], list[tuple], list[tuple]]:
    """Rows per table, the registry's year row, and the files it counts as loaded."""
    return (
        counts(url),
        query(
            url,
            "SELECT status, folder, fingerprint, accidents, places, vehicles, persons"
            " FROM ingested_years WHERE year = %s",
            YEAR,
        ),
        query(
            url,
            "SELECT path, sha256 FROM source_files WHERE year = %s AND status = 'loaded'"
            " ORDER BY path",
            YEAR,
        ),
    )


class Blocker:
    """A session holding the locks of `statement` in an open transaction until released, as a
    long reader would."""

    def __init__(self, url: str, statement: str) -> None:
        self.conn = psycopg.connect(to_libpq_url(url))
        self.conn.execute(statement)
        self.pid = self.conn.info.backend_pid

    def release(self) -> None:
        """Give the lock back (a server restart may already have ended the session)."""
        with contextlib.suppress(psycopg.OperationalError):
            self.conn.rollback()
        self.conn.close()


class Watcher(threading.Thread):
    """Waits until a statement like `pattern` waits for a lock in the database, then strikes
    its backend with `strike(pid)`; `struck` is the statement it saw."""

    def __init__(self, url: str, pattern: str, strike: Callable[[int], None]) -> None:
        super().__init__(daemon=True)
        self.url, self.pattern, self.strike = url, pattern, strike
        self.struck: str | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with psycopg.connect(to_libpq_url(self.url), autocommit=True) as conn:
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    row = conn.execute(
                        "SELECT pid, query FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock' AND query LIKE %s",
                        (self.pattern,),
                    ).fetchone()
                    if row:
                        self.struck = row[1]
                        self.strike(row[0])
                        return
                    time.sleep(0.01)
        except BaseException as error:  # reported by the test
            self.error = error


def _interrupted_ingest(url: str, versions: Versions, watcher: Watcher, blocker: Blocker) -> None:
    """Ingest the new version while `watcher` strikes; the ingestion must fail, not hang."""
    watcher.start()
    try:
        with pytest.raises(psycopg.OperationalError):
            ingest(url, versions.new)
    finally:
        watcher.join(timeout=30)
        blocker.release()
    assert watcher.error is None, watcher.error
    assert watcher.struck is not None


def _terminate(url: str) -> Callable[[int], None]:
    def strike(pid: int) -> None:
        with psycopg.connect(to_libpq_url(url), autocommit=True) as conn:
            assert conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)

    return strike


def _sigkill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


def _wait_for_server(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(to_libpq_url(url), connect_timeout=2) as conn:
                conn.execute("SELECT 1")
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _assert_old_year_whole_then_rerun_loads_the_new(
    url: str, versions: Versions, before: tuple
) -> None:
    assert _year_state(url) == before
    [outcome] = ingest(url, versions.new).outcomes
    assert outcome.status == "loaded", outcome.reason
    assert counts(url) == versions.new_counts == outcome.rows_loaded
    assert query(url, "SELECT tablename FROM pg_tables WHERE tablename LIKE '%%_staging'") == []
    assert query(
        url, "SELECT count(*) FROM source_files WHERE year = %s AND status = 'loaded'", YEAR
    ) == [(4,)]


def _load_old(url: str, versions: Versions) -> tuple:
    [outcome] = ingest(url, versions.old).outcomes
    assert outcome.status == "loaded", outcome.reason
    before = _year_state(url)
    assert before[0] != versions.new_counts
    return before


@pytest.mark.slow
@pytest.mark.reliability(
    kind="fault",
    case="ingestion: the staging connection terminated (pg_terminate_backend) while it stages"
    " a table of a year that replaces a loaded one",
    expect="the ingestion fails at once; the old year stays whole (rows and registry);"
    " a rerun drops the leftovers and loads the new year",
)
def test_staging_connection_terminated(database_url, versions):
    before = _load_old(database_url, versions)
    blocker = Blocker(database_url, EXCLUSIVE)
    watcher = Watcher(database_url, STAGING_PERSONS, _terminate(database_url))
    _interrupted_ingest(database_url, versions, watcher, blocker)
    _assert_old_year_whole_then_rerun_loads_the_new(database_url, versions, before)


@pytest.mark.slow
@pytest.mark.reliability(
    kind="fault",
    case="ingestion: the swapping connection terminated (pg_terminate_backend) in the swap,"
    " after the other tables' old partitions were dropped",
    expect="the swap's transaction rolls back: the old year stays whole (rows and registry);"
    " a rerun loads the new year",
)
def test_swapping_connection_terminated(database_url, versions):
    before = _load_old(database_url, versions)
    blocker = Blocker(database_url, READING)
    watcher = Watcher(database_url, SWAP_PERSONS, _terminate(database_url))
    _interrupted_ingest(database_url, versions, watcher, blocker)
    assert "persons_2021" in (watcher.struck or "")
    _assert_old_year_whole_then_rerun_loads_the_new(database_url, versions, before)


@pytest.mark.slow
@pytest.mark.reliability(
    kind="fault",
    case="ingestion: the server process staging a table SIGKILLed (PostgreSQL then restarts"
    " every backend and recovers)",
    expect="the ingestion fails at once; after recovery the old year is whole; a rerun loads"
    " the new year",
)
def test_staging_backend_killed(own_database_url, versions):
    url = own_database_url
    before = _load_old(url, versions)
    blocker = Blocker(url, EXCLUSIVE)
    watcher = Watcher(url, STAGING_PERSONS, _sigkill)
    _interrupted_ingest(url, versions, watcher, blocker)
    _wait_for_server(url)
    _assert_old_year_whole_then_rerun_loads_the_new(url, versions, before)


@pytest.mark.slow
@pytest.mark.reliability(
    kind="fault",
    case="ingestion: the whole PostgreSQL server SIGKILLed (postmaster and every backend)"
    " while a table is staged, and during the swap, then started again",
    expect="the ingestion fails at once; after crash recovery the old year is whole;"
    " a rerun drops the leftovers and loads the new year",
)
@pytest.mark.parametrize(
    ("lock", "statement"),
    [(EXCLUSIVE, STAGING_PERSONS), (READING, SWAP_PERSONS)],
    ids=["while staging", "during the swap"],
)
def test_server_killed(own_server, own_database_url, versions, lock, statement):
    url = own_database_url
    before = _load_old(url, versions)
    blocker = Blocker(url, lock)
    watcher = Watcher(url, statement, lambda _pid: _kill_server(own_server))
    _interrupted_ingest(url, versions, watcher, blocker)
    assert own_server.start()  # it was down: crash recovery
    _assert_old_year_whole_then_rerun_loads_the_new(url, versions, before)


def _kill_server(server: EmbeddedPostgres) -> None:
    """SIGKILL the postmaster and all its processes at once, as a power cut would."""
    postmaster = int((server.pgdata / "postmaster.pid").read_text().splitlines()[0])
    processes = [postmaster, *_children(postmaster)]
    for pid in processes:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{pid}").exists() for pid in processes):  # until reaped
        assert time.monotonic() < deadline, "server processes survived SIGKILL"
        time.sleep(0.05)


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found
