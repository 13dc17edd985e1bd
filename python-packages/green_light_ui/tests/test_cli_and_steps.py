"""`gls serve ui` and the UI's bring-up step: its server on the port of its settings, after
model_api, its read-only login created just before it starts."""

from __future__ import annotations

import psycopg

from green_light_platform.steps import Service, declared_steps, ordered
from green_light_ui.settings import address_only


def test_gls_serve_ui_is_a_command(gls_cli):
    done = gls_cli("serve", "--help")
    assert done.returncode == 0, done.stderr
    assert "ui" in done.stdout and "api" in done.stdout
    assert gls_cli("serve", "ui", "--help").returncode == 0


def test_gls_serve_ui_refuses_to_start_without_its_login(gls_cli):
    done = gls_cli("serve", "ui", "--port", "1")
    assert done.returncode == 2
    assert "GLS_UI_DATABASE_PASSWORD" in done.stderr


def test_the_ui_is_a_service_after_model_api(clean_environment, monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "x")
    monkeypatch.setenv("GLS_UI_PORT", "9599")
    steps = ordered(declared_steps())
    names = [s.name for s in steps]
    ui = steps[names.index("ui")]
    assert isinstance(ui, Service)
    assert ui.health_url == "http://127.0.0.1:9599/_stcore/health"
    assert ui.command[-2:] == ["serve", "ui"]
    assert names.index("migrate") < names.index("model_api") < names.index("ui")
    assert ui.env == {}  # the embedded database: the UI reads ROAD_ACCIDENTS_POSTGRES_*


def test_starting_the_ui_creates_its_login_first(database_url, clean_environment, monkeypatch):
    for name, value in {
        "GLS_DATABASE_URL": database_url,
        "ADMIN_PASSWORD": "x",
        "GLS_UI_DATABASE_USER": "gls_ui_bringup",
        "GLS_UI_DATABASE_PASSWORD": "bring-up-password",
    }.items():
        monkeypatch.setenv(name, value)
    ui = next(s for s in declared_steps() if s.name == "ui")
    assert ui.env == {"GLS_UI_DATABASE_URL": address_only(database_url)}
    assert "gls_ui_bringup" in ui.prepare()
    with psycopg.connect(database_url) as conn:
        assert conn.execute(
            "SELECT pg_has_role('gls_ui_bringup', 'gls_reader', 'member')"
        ).fetchone() == (True,)
