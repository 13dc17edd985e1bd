"""The embedded PostgreSQL server: start, status, idempotent start, clean stop, restart."""

from __future__ import annotations

import stat
import tempfile
from pathlib import Path

import psycopg
import pytest

from green_light_platform.db.embedded import (
    EmbeddedPostgres,
    EmbeddedPostgresError,
    free_port,
    server_binaries,
)


@pytest.fixture
def server(tmp_path):
    embedded = EmbeddedPostgres(data_dir=tmp_path / "cluster", port=free_port())
    yield embedded
    embedded.destroy()


def test_lifecycle_start_status_stop(server):
    assert not server.status().running

    assert server.start() is True
    status = server.status()
    assert status.running
    assert status.accepting_connections
    assert status.pid is not None

    assert server.start() is False, "a second start must be harmless"
    assert server.status().pid == status.pid

    server.ensure_database("gls_admin", "s3cret", "RoadAccidents")
    server.ensure_database("gls_admin", "s3cret", "RoadAccidents")
    with psycopg.connect(server.url("gls_admin", "s3cret", "RoadAccidents")) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("RoadAccidents",)

    assert server.stop() is True
    assert not server.status().running
    assert server.stop() is False
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(server.url("gls_admin", "s3cret", "RoadAccidents"), connect_timeout=2)


def test_data_survives_a_restart(server):
    server.start()
    server.ensure_database("gls_admin", "s3cret", "RoadAccidents")
    url = server.url("gls_admin", "s3cret", "RoadAccidents")
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE kept (x int)")
        conn.execute("INSERT INTO kept VALUES (42)")
    server.stop()
    server.start()
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT x FROM kept").fetchone() == (42,)


def test_tcp_clients_need_the_password(server):
    server.start()
    server.ensure_database("gls_admin", "s3cret", "RoadAccidents")
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(server.url("gls_admin", "wrong", "RoadAccidents"), connect_timeout=2)


def test_changed_password_is_applied_on_next_ensure(server):
    server.start()
    server.ensure_database("gls_admin", "old", "RoadAccidents")
    server.ensure_database("gls_admin", "new", "RoadAccidents")
    with psycopg.connect(server.url("gls_admin", "new", "RoadAccidents")) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_a_taken_port_gives_a_clear_error(tmp_path, server):
    server.start()
    clash = EmbeddedPostgres(data_dir=tmp_path / "other", port=server.port)
    with pytest.raises(EmbeddedPostgresError, match=f"port {server.port}.*already taken"):
        clash.start()


def _modes(paths):
    return {path: (path.stat().st_mode, path.stat().st_uid, path.stat().st_gid) for path in paths}


def test_starting_changes_no_permission_outside_its_own_folders(tmp_path):
    """As root too: the cluster lives in a folder only its owner may enter (pytest's temporary
    folders are 0700), and neither that folder's parents nor the wheel's are opened."""
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    server = EmbeddedPostgres(data_dir=private / "cluster", port=free_port())
    watched = [
        *private.resolve().parents,
        private,
        *server_binaries().resolve().parents,
        server_binaries(),
        Path(tempfile.gettempdir()),
    ]
    before = _modes(watched)
    try:
        server.start()
        with psycopg.connect(server.superuser_conninfo()) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        server.destroy()
    assert _modes(watched) == before
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
