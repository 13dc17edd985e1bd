"""A prediction at a place: its accidents' history prefills the gravity model's features (the
one feature specification), the person changes the scenario, model_api answers.

The form is built from `gravity_model.features.FEATURES`; the groups below only say where
each feature appears, and every feature appears once.
"""

from __future__ import annotations

import calendar
import hashlib
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from gravity_model.features import FEATURE_NAMES, FEATURES, Feature, feature
from green_light_ui import queries
from green_light_ui.cells import cell_of
from green_light_ui.database import frame
from green_light_ui.labels import WEEKDAYS

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from green_light_ui.dashboards.overview import Period

PlaceKind = Literal["cell", "commune", "dep"]
HISTORY_LIMIT = 2000
"""The latest accidents of a place that prefill the form."""

GROUPS: dict[str, tuple[str, ...]] = {
    "When": ("month", "weekday", "hour"),
    "Conditions": ("lum", "atm", "surf"),
    "Vehicles": (
        "vehicle_count",
        "car",
        "light_utility",
        "heavy_vehicle",
        "bus_or_coach",
        "rail_vehicle",
        "bicycle",
        "powered_two_wheeler",
        "personal_mobility_device",
        "fixed_obstacle",
        "col",
    ),
    "Persons": (
        "person_count",
        "pedestrian_count",
        "youngest_age",
        "oldest_age",
        "unprotected_occupants",
    ),
    "Place and road": (
        "dep",
        "lat",
        "lon",
        "agg",
        "inter",
        "catr",
        "circ",
        "nbv",
        "vosp",
        "prof",
        "plan",
        "infra",
        "situ",
        "vma",
    ),
}
SCENARIO_GROUPS = ("When", "Conditions", "Vehicles", "Persons")
"""What the person sets; the place and road come from the place's history."""


def numeric_choices(spec: Feature) -> dict[int, str] | None:
    """Labelled choices for the small whole-number features (month, weekday, hour)."""
    if spec.name == "month":
        return {m: calendar.month_name[m] for m in range(1, 13)}
    if spec.name == "weekday":
        return {d + 1: name for d, name in enumerate(WEEKDAYS)}
    if spec.name == "hour":
        return {h: f"{h:02d}:00-{h:02d}:59" for h in range(24)}
    return None


def choice_label(spec: Feature, value: Any) -> str:
    """How a form shows one value of a feature: labels, never raw codes."""
    if value is None:
        return "Unknown"
    if spec.kind == "boolean":
        return "Yes" if value else "No"
    try:
        if spec.kind == "categorical":
            return spec.label(value)
        choices = numeric_choices(spec)
        if choices is not None:
            return choices[int(value)]
    except KeyError:
        return f"code {value}"
    return f"{value:g}" if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class PlaceChoice:
    kind: PlaceKind
    code: str
    title: str
    point: tuple[float, float] | None = None
    """The point chosen on the map (its lat/lon go into the record)."""

    @classmethod
    def at_point(cls, lat: float, lon: float) -> PlaceChoice:
        from green_light_ui.dashboards.hotspots import cell_hex

        cell = cell_hex(cell_of(lat, lon))
        return cls("cell", cell, f"point {lat:.5f}, {lon:.5f} (cell {cell})", (lat, lon))


@dataclass(frozen=True)
class History:
    accidents: pd.DataFrame
    """The place's latest accidents (at most `HISTORY_LIMIT`), which prefill the form."""
    total: int
    """Every accident of the place in the period."""
    ksi_accidents: int

    @property
    def ksi_share(self) -> float | None:
        return self.ksi_accidents / self.total if self.total else None


def load_history(
    engine: Engine, place: PlaceChoice, period: Period, limit: int = HISTORY_LIMIT
) -> History:
    """The place's latest `limit` accidents with their features, and its counts over the
    whole period (computed apart, so that a big commune's share is not the latest only)."""
    import h3

    code: object = h3.str_to_int(place.code) if place.kind == "cell" else place.code
    with engine.connect() as db:
        rows = frame(
            db, queries.PLACE_FEATURES[place.kind], code=code, limit=limit, **period.params()
        )
        totals = frame(db, queries.PLACE_TOTALS[place.kind], code=code, **period.params())
    return History(rows, int(totals.iloc[0]["accidents"]), int(totals.iloc[0]["ksi_accidents"]))


def _typed(spec: Feature, value: Any) -> Any:
    """A value as the API's strict schema wants it (None: unknown)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if spec.kind == "categorical":
        return str(value) if all(isinstance(c, str) for c in spec.domain) else int(value)
    if spec.kind == "boolean":
        return bool(value)
    low, high = spec.domain
    return float(min(max(float(value), low), high))


def prefill(history: History, place: PlaceChoice) -> dict[str, Any]:
    """The place's usual value of every feature: the most frequent code or flag, the median
    number; unknown where the history says nothing."""
    values: dict[str, Any] = {}
    for spec in FEATURES:
        known = not history.accidents.empty
        column = history.accidents[spec.name].dropna() if known else pd.Series()
        if column.empty:
            values[spec.name] = None
        elif spec.kind == "numeric":
            median = float(column.astype(float).median())
            values[spec.name] = _typed(
                spec, median if numeric_choices(spec) is None else round(median)
            )
        else:
            values[spec.name] = _typed(spec, column.mode().iloc[0])
    if place.point is not None:
        values["lat"], values["lon"] = place.point
    return values


def form_key(place: PlaceChoice, values: dict[str, Any]) -> str:
    """The prefix of the form's widget keys: Streamlit keeps a keyed widget's value across
    reruns, so the keys change with the prefill (a new place or period shows its own)."""
    digest = hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()[:12]
    return f"f_{place.code}_{digest}"


def record(values: dict[str, Any]) -> dict[str, Any]:
    """The request record: every feature, typed, unknown as null."""
    return {name: _typed(feature(name), values.get(name)) for name in FEATURE_NAMES}


def factors(contributions: list[dict[str, Any]]) -> pd.DataFrame:
    """model_api's main factors with each value as the form shows it (labels, not codes)."""
    rows = [
        {
            "factor": c["label"],
            "value": choice_label(feature(c["feature"]), c["value"])
            if c["feature"] in FEATURE_NAMES
            else str(c["value"]),
            "direction": "raises" if c["effect"] > 0 else "lowers",
            "effect": c["effect"],
        }
        for c in contributions
    ]
    return pd.DataFrame(rows, columns=["factor", "value", "direction", "effect"])
