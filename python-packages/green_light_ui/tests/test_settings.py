"""The UI composes the platform's sections: same names, same precedence, its own login."""

from __future__ import annotations

from green_light_ui.settings import UiSettings, address_only


def test_ui_settings_read_the_platform_sections(clean_environment, monkeypatch):
    (clean_environment / "ui.env").write_text(
        "GLS_MODEL_API_URL=http://api:8000/\nGLS_UI_DATABASE_PASSWORD=from-the-file\n"
        "ROAD_ACCIDENTS_POSTGRES_HOST=db\n"
    )
    monkeypatch.setenv("GLS_ENV_FILE", str(clean_environment / "ui.env"))
    monkeypatch.setenv("GLS_UI_PORT", "9501")
    settings = UiSettings()
    assert settings.model_api.url == "http://api:8000"
    assert settings.server.port == 9501
    assert settings.database.url == (
        "postgresql+psycopg://gls_ui:from-the-file@db:5433/RoadAccidents"
    )


def test_the_ui_holds_no_admin_password(clean_environment, monkeypatch):
    monkeypatch.setenv("GLS_UI_DATABASE_PASSWORD", "reader")
    assert "admin" not in UiSettings.model_fields
    assert "admin_password" not in type(UiSettings().database).model_fields


def test_a_given_address_keeps_the_readers_credentials(clean_environment, monkeypatch):
    monkeypatch.setenv("GLS_UI_DATABASE_PASSWORD", "p@ss")
    monkeypatch.setenv("GLS_UI_DATABASE_URL", "postgresql://admin:secret@h:5432/db")
    assert UiSettings().database.url == "postgresql+psycopg://gls_ui:p%40ss@h:5432/db"
    assert address_only("postgresql://admin:secret@h:5432/db") == "postgresql://h:5432/db"
