"""The maps open on what they show: zoomed to hold the points, whatever the area's size."""

from __future__ import annotations

import numpy as np
import pandas as pd

from green_light_ui.maps import accidents_map


def accidents(lat: np.ndarray, lon: np.ndarray) -> pd.DataFrame:
    n = len(lat)
    return pd.DataFrame(
        {
            "num_acc": np.arange(n),
            "year": 2021,
            "lat": lat,
            "lon": lon,
            "worst_grav": 4,
            "accident_date": pd.Timestamp("2021-06-01"),
        }
    )


def test_a_departement_opens_wider_than_a_commune_and_an_outlier_does_not_zoom_out():
    rng = np.random.default_rng(5)
    town = accidents(43.6 + rng.normal(0, 0.02, 200), 1.44 + rng.normal(0, 0.03, 200))
    county = accidents(43.4 + rng.normal(0, 0.3, 200), 1.2 + rng.normal(0, 0.4, 200))
    town_zoom = accidents_map(town).initial_view_state.zoom
    county_zoom = accidents_map(county).initial_view_state.zoom
    assert 11 <= town_zoom <= 13
    assert 7 <= county_zoom <= 10
    strayed = pd.concat([town, accidents(np.array([48.85]), np.array([2.35]))])
    assert abs(accidents_map(strayed).initial_view_state.zoom - town_zoom) < 0.5


def test_a_map_without_located_accidents_shows_france():
    view = accidents_map(accidents(np.array([np.nan]), np.array([np.nan]))).initial_view_state
    assert (view.latitude, view.longitude, view.zoom) == (46.6, 2.4, 4.6)
