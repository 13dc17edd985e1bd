"""Map layers (deck.gl through pydeck) that read without internet: no base-map tiles, only
our points and shapes, coloured by what matters."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pydeck as pdk

from green_light_ui.dashboards.hotspots import cell_outline
from green_light_ui.labels import label

if TYPE_CHECKING:
    from collections.abc import MutableMapping

    import pandas as pd

GRAVITY_COLOURS: dict[int, list[int]] = {
    2: [128, 0, 38, 230],
    3: [227, 26, 28, 210],
    4: [253, 141, 60, 180],
    1: [140, 140, 140, 150],
}
"""Colour of an accident by its worst injury (`grav` code: killed, hospitalised, light, none)."""

_SCALE = ([255, 237, 160], [254, 178, 76], [240, 59, 32], [128, 0, 38])


GRAVITY_COLOUR_NAMES: dict[int, str] = {2: "dark red", 3: "red", 4: "orange", 1: "grey"}


def legend() -> str:
    """The accidents map's colours in words, worst injury first."""
    return " · ".join(
        f"{label('grav', code)}: {GRAVITY_COLOUR_NAMES[code]}" for code in GRAVITY_COLOURS
    )


def _ramp(values: pd.Series) -> list[list[int]]:
    """A sequential yellow-to-dark-red colour per value (grey where unknown)."""
    top = float(values.max()) if values.notna().any() else 0.0
    colours = []
    for value in values:
        if value != value or top <= 0:
            colours.append([200, 200, 200, 120])
            continue
        position = min(float(value) / top, 1.0) * (len(_SCALE) - 1)
        low = int(position)
        high = min(low + 1, len(_SCALE) - 1)
        mix = position - low
        colours.append(
            [round(a + (b - a) * mix) for a, b in zip(_SCALE[low], _SCALE[high], strict=True)]
            + [210]
        )
    return colours


MAP_WIDTH_PX = 700
"""About the width of a map in the page, for the zoom that fits the points."""


def _view(frame: pd.DataFrame, max_zoom: float = 13.0) -> pdk.ViewState:
    """Centred on the points and zoomed to hold nearly all of them (2nd-98th percentiles, so
    one mislocated accident does not zoom out to all of France)."""
    located = frame.dropna(subset=["lat", "lon"])
    if located.empty:
        return pdk.ViewState(latitude=46.6, longitude=2.4, zoom=4.6)
    lat, lon = located["lat"].astype(float), located["lon"].astype(float)
    span = max(
        float(lon.quantile(0.98) - lon.quantile(0.02)),
        # A degree of latitude is longer on the map than one of longitude at these latitudes.
        1.5 * float(lat.quantile(0.98) - lat.quantile(0.02)),
        0.005,
    )
    zoom = math.log2(MAP_WIDTH_PX * 360 / (256 * span * 1.3))
    return pdk.ViewState(
        latitude=float(lat.median()), longitude=float(lon.median()), zoom=min(zoom, max_zoom)
    )


def _deck(layers: list[pdk.Layer], view: pdk.ViewState, tooltip: dict[str, str]) -> pdk.Deck:
    return pdk.Deck(
        layers=layers, initial_view_state=view, map_provider=None, map_style=None, tooltip=tooltip
    )


def departements_map(departements: pd.DataFrame) -> pdk.Deck:
    """A bubble per departement at its population centre, coloured by KSI rate."""
    data = departements.dropna(subset=["lat", "lon"]).copy()
    data["colour"] = _ramp(data["ksi_per_100k"])
    data["rate"] = [f"{v:.1f}" if v == v else "n/a" for v in data["ksi_per_100k"]]
    layer = pdk.Layer(
        "ScatterplotLayer",
        data=data[["dep", "name", "lat", "lon", "colour", "rate", "ksi_accidents"]],
        id="departements",
        get_position=["lon", "lat"],
        get_fill_color="colour",
        get_radius=18000,
        radius_min_pixels=4,
        pickable=True,
        stroked=True,
        get_line_color=[60, 60, 60],
        line_width_min_pixels=1,
    )
    view = pdk.ViewState(latitude=46.6, longitude=2.4, zoom=4.6)
    return _deck([layer], view, {"text": "{name} ({dep})\n{rate} KSI accidents / 100,000 / year"})


def accidents_map(accidents: pd.DataFrame) -> pdk.Deck:
    """Each accident as a dot coloured by its worst injury; a click selects it."""
    data = accidents[["num_acc", "year", "lat", "lon", "worst_grav", "accident_date"]].copy()
    data["colour"] = [
        GRAVITY_COLOURS.get(int(g), GRAVITY_COLOURS[1]) if g == g else GRAVITY_COLOURS[1]
        for g in data["worst_grav"]
    ]
    data["gravity"] = [label("grav", g) for g in data["worst_grav"]]
    data["date"] = data.pop("accident_date").astype(str)
    layer = pdk.Layer(
        "ScatterplotLayer",
        data=data,
        id="accidents",
        get_position=["lon", "lat"],
        get_fill_color="colour",
        get_radius=40,
        radius_min_pixels=3,
        pickable=True,
    )
    return _deck([layer], _view(data), {"text": "{date}: {gravity}"})


def hotspots_map(hotspots: pd.DataFrame, selected: str | None = None) -> pdk.Deck:
    """The hot-spot hexagons, coloured by score; the selected one outlined."""
    data = hotspots[["rank", "cell", "lat", "lon", "score", "accidents", "commune_name"]].copy()
    data["outline"] = [cell_outline(c) for c in data["cell"]]
    data["colour"] = _ramp(data["score"].astype(float))
    data["line"] = [[0, 90, 200] if c == selected else [60, 60, 60] for c in data["cell"]]
    layer = pdk.Layer(
        "PolygonLayer",
        data=data,
        id="hotspots",
        get_polygon="outline",
        get_fill_color="colour",
        get_line_color="line",
        line_width_min_pixels=2,
        pickable=True,
        stroked=True,
    )
    dots = pdk.Layer(
        "ScatterplotLayer",
        data=data[["cell", "lat", "lon", "colour"]],
        id="hotspot-centres",
        get_position=["lon", "lat"],
        get_fill_color="colour",
        get_radius=150,
        radius_min_pixels=3,
        radius_max_pixels=8,
    )
    focus = data[data["cell"] == selected] if selected else data
    return _deck(
        [dots, layer],
        _view(focus, max_zoom=14.0 if selected else 12.0),
        {"text": "#{rank} {commune_name}\n{accidents} accidents, score {score}"},
    )


def new_pick(state: MutableMapping[str, Any], chart: str, picked: str | None) -> str | None:
    """What was just clicked on the chart `chart`; None when it is what was applied last.

    A chart's selection stays across reruns: copied into a widget on every rerun, it would
    overwrite what the person picked in that widget since. The last applied pick is kept in
    `state` (the session state)."""
    applied = f"_applied_{chart}"
    if state.get(applied) == picked:
        return None
    state[applied] = picked
    return picked
