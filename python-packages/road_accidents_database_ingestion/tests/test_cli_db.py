"""`gls db ...` and `gls up/down` as a user runs them, on an embedded server in a temp folder."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import psycopg
import pytest

from road_accidents_database_ingestion.db.embedded import free_port

from .ingestion_support import sample_year

GLS = [sys.executable, "-m", "road_accidents_database_ingestion.cli"]


@pytest.fixture
def gls_env(clean_environment: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GLS_", "ROAD_ACCIDENTS_"))}
    env.update(
        ADMIN_USERNAME="cli_admin",
        ADMIN_PASSWORD="cli-pass",
        ROAD_ACCIDENTS_POSTGRES_PORT=str(free_port()),
        GLS_VOLUMES_DIR=str(clean_environment / "Volumes"),
        GLS_ENV_FILE=str(clean_environment / "missing.env"),
        GLS_UP_SERVICES="none",
        ROAD_ACCIDENTS_DATA_DIRECTORIES=str(clean_environment / "data"),
    )
    yield env
    subprocess.run([*GLS, "db", "stop"], env=env, capture_output=True, check=False)


def gls(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GLS, *args], env=env, capture_output=True, text=True, check=False)


@pytest.mark.usefixtures("real_sample")
def test_up_status_url_down(gls_env):
    sample_year(Path(gls_env["ROAD_ACCIDENTS_DATA_DIRECTORIES"]))
    first = gls(gls_env, "up")
    assert first.returncode == 0, first.stderr
    assert "RoadAccidents" in first.stdout
    assert "1 year(s) loaded" in first.stdout

    url = gls(gls_env, "db", "url").stdout.strip()
    assert f":{gls_env['ROAD_ACCIDENTS_POSTGRES_PORT']}/RoadAccidents" in url
    with psycopg.connect(url) as conn:
        names = {
            r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'")
        }
    assert {"source_files", "alembic_version"} <= names

    second = gls(gls_env, "up")
    assert second.returncode == 0, second.stderr
    assert "Running upgrade" not in second.stderr, "a second `up` must change nothing"
    assert "0 year(s) loaded, 1 unchanged" in second.stdout

    status = gls(gls_env, "db", "status")
    assert status.returncode == 0
    assert "running" in status.stdout

    assert gls(gls_env, "down").returncode == 0
    stopped = gls(gls_env, "db", "status")
    assert stopped.returncode == 3
    assert "stopped" in stopped.stdout


def test_missing_admin_password_is_reported_by_name(gls_env):
    del gls_env["ADMIN_PASSWORD"]
    result = gls(gls_env, "db", "status")
    assert result.returncode == 2
    assert "ADMIN_PASSWORD" in result.stderr


def test_every_command_plugin_imports_on_its_own():
    """A plugin imported before the `cli` package must not close an import cycle with it."""
    plugins = sorted({entry.module for entry in entry_points(group="gls.commands")})
    assert plugins, "no gls.commands plugin is installed"
    for plugin in plugins:
        done = subprocess.run(
            [sys.executable, "-c", f"import {plugin}"], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, f"{plugin}: {done.stderr}"
