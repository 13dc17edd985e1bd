"""Fixtures of the ingestion package's tests (the database and environment ones come from the
platform's pytest plugin)."""

from __future__ import annotations

import pytest

from .ingestion_support import REAL_2018, SAMPLE, require_shared


@pytest.fixture
def real_sample():
    """The real 2021 sample in ../shared (a failure in CI when absent, else a skip)."""
    return require_shared(SAMPLE)


@pytest.fixture
def real_2018():
    """The real whole-year 2018 lieux and vehicules files in ../shared."""
    return require_shared(REAL_2018)
