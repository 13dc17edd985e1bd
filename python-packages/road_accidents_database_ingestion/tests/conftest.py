"""Fixtures of the ingestion package's tests (the database, environment and real-data ones
come from the platform's pytest plugin), under the names these tests have always used."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def real_sample(real_2021_sample: Path) -> Path:
    """The real 2021 sample in ../shared (a failure in CI when absent, else a skip)."""
    return real_2021_sample


@pytest.fixture
def real_2018(real_2018_places_vehicles: Path) -> Path:
    """The real whole-year 2018 lieux and vehicules files in ../shared."""
    return real_2018_places_vehicles
