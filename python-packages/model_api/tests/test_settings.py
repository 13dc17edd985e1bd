"""Settings: no JWT secret in production means no start; elsewhere a per-process one."""

from __future__ import annotations

import logging

import pytest
from pydantic import ValidationError

from model_api.settings import ApiSettings, _process_secret


@pytest.fixture
def environment(clean_environment, monkeypatch):
    """Only what the test sets: no caller variables, no `.env` (the cwd is empty)."""
    monkeypatch.setenv("ADMIN_PASSWORD", "pw")
    return monkeypatch


def test_production_refuses_to_start_without_a_jwt_secret(environment):
    environment.setenv("GLS_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="GLS_JWT_SECRET must be set"):
        ApiSettings()


def test_short_secrets_are_refused(environment):
    environment.setenv("GLS_JWT_SECRET", "secret")
    with pytest.raises(ValidationError, match="at least 32 characters"):
        ApiSettings()


def test_production_uses_the_configured_secret(environment):
    environment.setenv("GLS_ENVIRONMENT", "production")
    environment.setenv("GLS_JWT_SECRET", "s" * 40)
    assert ApiSettings().signing_key == "s" * 40


def test_development_gets_one_random_secret_per_process_and_a_warning(environment, caplog):
    _process_secret.cache_clear()  # as in a fresh process
    with caplog.at_level(logging.WARNING):
        first, second = ApiSettings().signing_key, ApiSettings().signing_key
    assert first == second
    assert len(first) >= 32
    [warning] = [r for r in caplog.records if "GLS_JWT_SECRET is not set" in r.getMessage()]
    assert warning.levelno == logging.WARNING


def test_service_settings_come_from_the_environment(environment):
    environment.setenv("GLS_SIGNUP_ENABLED", "false")
    environment.setenv("GLS_API_BATCH_LIMIT", "50")
    environment.setenv("GLS_JWT_EXPIRE_MINUTES", "5")
    environment.setenv("GLS_MLFLOW_TRACKING_URI", "http://mlflow:5000")
    settings = ApiSettings()
    assert settings.auth.signup_enabled is False
    assert settings.serving.batch_limit == 50
    assert settings.auth.jwt_expire_minutes == 5
    assert settings.mlflow.tracking_uri == "http://mlflow:5000"


def test_model_api_carries_no_training_setting():
    assert "promotion" not in ApiSettings.model_fields
