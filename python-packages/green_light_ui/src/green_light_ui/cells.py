"""The hot-spot cell of an accident: an H3 hexagon of resolution 9 (about 0.1 km², some 300 m
across), small enough to be one junction or one stretch of road."""

from __future__ import annotations

from h3.api import basic_int

RESOLUTION = 9


def cell_of(lat: float, lon: float) -> int:
    """The hot-spot cell of a point (as a 64-bit H3 index)."""
    return basic_int.latlng_to_cell(lat, lon, RESOLUTION)
