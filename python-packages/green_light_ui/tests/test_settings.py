"""The UI derives its settings from the platform's: same names, same precedence."""

from __future__ import annotations

from green_light_ui.settings import UiSettings


def test_ui_settings_extend_the_platform_settings(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GLS_ENV_FILE", str(tmp_path / "ui.env"))
    (tmp_path / "ui.env").write_text("ADMIN_PASSWORD=x\nGLS_MODEL_API_URL=http://api:8000\n")
    monkeypatch.setenv("ROAD_ACCIDENTS_POSTGRES_DB", "FromEnvironment")
    settings = UiSettings()
    assert settings.model_api_url == "http://api:8000"
    assert settings.postgres_db == "FromEnvironment"
    assert settings.ui_port == 8501
