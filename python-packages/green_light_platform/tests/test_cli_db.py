"""`gls db ...` and `gls up/down` as a user runs them, on an embedded server in a temp folder."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

import psycopg


def test_db_start_url_status_stop(gls_cli):
    started = gls_cli("db", "start")
    assert started.returncode == 0, started.stderr
    assert "started" in started.stdout
    assert "already running" in gls_cli("db", "start").stdout

    url = gls_cli("db", "url").stdout.strip()
    assert f":{gls_cli.env['ROAD_ACCIDENTS_POSTGRES_PORT']}/RoadAccidents" in url
    assert gls_cli("db", "migrate").returncode == 0
    with psycopg.connect(url) as conn:
        owner = conn.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"
        ).fetchone()
        names = {
            r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'")
        }
    assert owner == ("cli_admin",)
    assert {"source_files", "alembic_version", "api_users"} <= names

    assert gls_cli("db", "status").returncode == 0
    assert gls_cli("db", "stop").returncode == 0
    stopped = gls_cli("db", "status")
    assert stopped.returncode == 3
    assert "stopped" in stopped.stdout


def test_missing_admin_password_is_reported_by_name(gls_cli):
    del gls_cli.env["ADMIN_PASSWORD"]
    result = gls_cli("db", "status")
    assert result.returncode == 2
    assert "ADMIN_PASSWORD" in result.stderr


def test_every_command_plugin_imports_on_its_own():
    """A plugin imported before the `cli` package must not close an import cycle with it."""
    plugins = sorted(
        {
            entry.module
            for group in ("gls.commands", "gls.steps")
            for entry in entry_points(group=group)
        }
    )
    assert len(plugins) >= 6, f"plugins missing: {plugins}"
    for plugin in plugins:
        done = subprocess.run(
            [sys.executable, "-c", f"import {plugin}"], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, f"{plugin}: {done.stderr}"
