"""Fixtures of the ingestion package's tests (the database ones come from the gls plugin)."""

from __future__ import annotations

import pytest

from road_accidents_database_ingestion.settings import GlsSettings

from .ingestion_support import REAL_2018, SAMPLE, require_shared

SETTING_VARIABLES = [
    field.validation_alias
    for field in GlsSettings.model_fields.values()
    if isinstance(field.validation_alias, str)
] + ["GLS_DATABASE_URL", "GLS_ENV_FILE"]


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path):
    """No setting from the caller's environment or `.env`: the test's folder is the cwd."""
    for name in SETTING_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def real_sample():
    """The real 2021 sample in ../shared (a failure in CI when absent, else a skip)."""
    return require_shared(SAMPLE)


@pytest.fixture
def real_2018():
    """The real whole-year 2018 lieux and vehicules files in ../shared."""
    return require_shared(REAL_2018)
