"""The UI composes the platform's sections: same names, same precedence, no database secret."""

from __future__ import annotations

from green_light_ui.settings import UiSettings


def test_ui_settings_read_the_platform_sections(clean_environment, monkeypatch):
    (clean_environment / "ui.env").write_text("GLS_MODEL_API_URL=http://api:8000/\n")
    monkeypatch.setenv("GLS_ENV_FILE", str(clean_environment / "ui.env"))
    monkeypatch.setenv("GLS_UI_PORT", "9501")
    settings = UiSettings()
    assert settings.model_api.url == "http://api:8000"
    assert settings.server.port == 9501


def test_the_ui_needs_no_admin_password(clean_environment):
    settings = UiSettings()
    assert "database" not in UiSettings.model_fields
    assert settings.model_api.url == "http://127.0.0.1:8001"
