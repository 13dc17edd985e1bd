"""Settings sections: environment over `.env` over defaults, original names kept, no secret
defaults, derived addresses defined once."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from green_light_platform.settings import (
    ApiServerSettings,
    DatabaseSettings,
    MlflowSettings,
    PlatformSettings,
    to_libpq_url,
)


def test_defaults_apply_when_nothing_is_set(clean_environment, monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "pw")
    settings = DatabaseSettings()
    assert settings.postgres_db == "RoadAccidents"
    assert settings.postgres_port == 5433
    assert settings.admin_username == "admin"


def test_dotenv_overrides_defaults(clean_environment):
    (clean_environment / ".env").write_text(
        "ADMIN_PASSWORD=from-file\nROAD_ACCIDENTS_POSTGRES_PORT=6000\nADMIN_USERNAME=alice\n"
    )
    settings = DatabaseSettings()
    assert settings.postgres_port == 6000
    assert settings.admin_username == "alice"
    assert settings.admin_password.get_secret_value() == "from-file"


def test_environment_overrides_dotenv(clean_environment, monkeypatch):
    (clean_environment / ".env").write_text(
        "ADMIN_PASSWORD=from-file\nROAD_ACCIDENTS_POSTGRES_PORT=6000\n"
    )
    monkeypatch.setenv("ROAD_ACCIDENTS_POSTGRES_PORT", "7000")
    settings = DatabaseSettings()
    assert settings.postgres_port == 7000
    assert settings.admin_password.get_secret_value() == "from-file"


def test_gls_env_file_chooses_the_file(clean_environment, monkeypatch):
    other = clean_environment / "other.env"
    other.write_text("ADMIN_PASSWORD=x\nROAD_ACCIDENTS_POSTGRES_DB=Elsewhere\n")
    monkeypatch.setenv("GLS_ENV_FILE", str(other))
    assert DatabaseSettings().postgres_db == "Elsewhere"


def test_admin_password_has_no_default(clean_environment):
    with pytest.raises(ValidationError, match="ADMIN_PASSWORD"):
        DatabaseSettings()


def test_invalid_port_is_refused_with_its_name(clean_environment, monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "pw")
    monkeypatch.setenv("ROAD_ACCIDENTS_POSTGRES_PORT", "not-a-port")
    with pytest.raises(ValidationError, match="ROAD_ACCIDENTS_POSTGRES_PORT"):
        DatabaseSettings()


def test_database_url_is_built_from_parts_and_escapes_the_password(clean_environment, monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "p@ss/word")
    monkeypatch.setenv("ROAD_ACCIDENTS_POSTGRES_HOST", "db.internal")
    settings = DatabaseSettings()
    assert settings.url == (
        "postgresql+psycopg://admin:p%40ss%2Fword@db.internal:5433/RoadAccidents"
    )
    assert settings.libpq_url.startswith("postgresql://admin:p%40ss%2Fword@db.internal")


def test_gls_database_url_wins_over_parts(clean_environment, monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "pw")
    monkeypatch.setenv("GLS_DATABASE_URL", "postgres://u:p@managed:5432/ra")
    assert DatabaseSettings().url == "postgresql+psycopg://u:p@managed:5432/ra"


def test_non_postgres_url_is_refused():
    with pytest.raises(ValueError, match="not a PostgreSQL URL"):
        to_libpq_url("mysql://u@h/db")


def test_a_package_composes_the_sections_it_needs(clean_environment, monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "pw")
    monkeypatch.setenv("GLS_VOLUMES_DIR", "elsewhere")
    monkeypatch.setenv("GLS_UP_SERVICES", "MLflow, model_api")
    settings = PlatformSettings()
    assert settings.runtime.volume("db") == clean_environment / "elsewhere" / "db"
    assert settings.up.wants("mlflow")
    assert not settings.up.wants("ui")
    assert settings.database.url.endswith("@localhost:5433/RoadAccidents")


def test_service_addresses_derive_from_one_host_and_port(clean_environment, monkeypatch):
    monkeypatch.setenv("GLS_MODEL_API_PORT", "9001")
    monkeypatch.setenv("GLS_MLFLOW_PORT", "5050")
    assert ApiServerSettings().url == "http://127.0.0.1:9001"
    assert MlflowSettings().tracking_uri == "http://127.0.0.1:5050"
    monkeypatch.setenv("GLS_MODEL_API_URL", "http://model_api:8000/")
    monkeypatch.setenv("GLS_MLFLOW_TRACKING_URI", "sqlite:///mlflow.db")
    assert ApiServerSettings().url == "http://model_api:8000"
    assert MlflowSettings().tracking_uri == "sqlite:///mlflow.db"
