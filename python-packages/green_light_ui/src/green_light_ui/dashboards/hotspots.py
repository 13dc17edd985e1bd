"""Hot spots: the H3 cells where accidents concentrate over a period, ranked by a
severity-weighted count, with their KSI share, trend and dominant conditions."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import h3
import pandas as pd
from sqlalchemy import Engine, text

from green_light_ui import queries
from green_light_ui.database import frame
from green_light_ui.labels import label

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from green_light_ui.dashboards.overview import Period

WEIGHTS: dict[str, int] = {"fatal": 10, "hospitalised": 5, "other": 1}
"""Weight of an accident by its worst injury: fatal, someone hospitalised, otherwise."""

SEVERITIES: dict[str, str] = {
    "all": "Every injury accident",
    "ksi": "KSI accidents (killed or hospitalised)",
    "fatal": "Fatal accidents",
}
"""What a hot spot counts (the minimum number of accidents applies to these)."""

TREND_STEADY = 0.10
"""A change of the yearly count below 10% between the period's halves reads as steady."""


def cell_hex(cell: int) -> str:
    return h3.int_to_str(int(cell))


def cell_centre(cell: str) -> tuple[float, float]:
    return h3.cell_to_latlng(cell)


def cell_outline(cell: str) -> list[list[float]]:
    """The hexagon as [lon, lat] vertices, as map layers take them."""
    return [[lon, lat] for lat, lon in h3.cell_to_boundary(cell)]


@dataclass(frozen=True)
class HotspotFilters:
    period: Period
    min_accidents: int = 3
    severity: str = "all"
    road_categories: tuple[int, ...] = ()
    road_users: tuple[int, ...] = ()
    vehicle_categories: tuple[int, ...] = ()
    limit: int = 50

    @property
    def middle(self) -> int:
        """Last year of the period's first half (its trend compares the halves)."""
        return self.period.first + self.period.years // 2 - 1


def trend(early: int, late: int, filters: HotspotFilters) -> float | None:
    """Relative change of the yearly count from the period's first half to its second."""
    early_years = filters.middle - filters.period.first + 1
    late_years = filters.period.last - filters.middle
    if early_years < 1 or late_years < 1 or not early:
        return None
    return (late / late_years) / (early / early_years) - 1


ONE_YEAR_TREND = "n/a (one year)"
"""The trend of every spot when the period is a single year: there are no halves to compare."""


def trend_label(change: float | None, years: int) -> str:
    """How a spot's trend reads over a period of `years` years ("new": none in its first half)."""
    if years < 2:
        return ONE_YEAR_TREND
    if change is None or change != change:
        return "new" if change is None else "n/a"
    if abs(change) < TREND_STEADY:
        return "steady"
    return f"{'rising' if change > 0 else 'falling'} ({change:+.0%})"


def hotspot_floor(engine: Engine) -> int:
    """The fewest accidents that make a cell a candidate (set by the analytics migration)."""
    return int(frame(engine, queries.HOTSPOT_FLOOR).iloc[0, 0])


def rank_hotspots(engine: Engine, filters: HotspotFilters) -> pd.DataFrame:
    """The ranked hot spots with their figures and dominant conditions, best first."""
    involving = bool(filters.road_users or filters.vehicle_categories)
    params: dict[str, object] = {
        **filters.period.params(),
        "middle": filters.middle,
        "min_accidents": filters.min_accidents,
        "road_categories": list(filters.road_categories),
        "limit": filters.limit,
        **{f"w_{k}": v for k, v in WEIGHTS.items()},
    }
    if involving:
        params |= {
            "road_users": list(filters.road_users),
            "vehicle_categories": list(filters.vehicle_categories),
        }
        query = queries.HOTSPOT_RANKING_INVOLVING[filters.severity]
    else:
        query = queries.HOTSPOT_RANKING[filters.severity]
    with engine.connect() as db:
        ranked = frame(db, query, **params)
        if ranked.empty:
            return ranked
        conditions = dominant_conditions(db, [int(c) for c in ranked["cell"]], filters.period)
    ranked.insert(0, "rank", range(1, len(ranked) + 1))
    ranked["ksi_share"] = ranked["ksi_accidents"] / ranked["accidents"]
    ranked["trend"] = [
        trend(int(e or 0), int(la or 0), filters)
        for e, la in zip(ranked["early_accidents"], ranked["late_accidents"], strict=True)
    ]
    ranked["trend_label"] = [trend_label(t, filters.period.years) for t in ranked["trend"]]
    ranked = ranked.merge(conditions, on="cell", how="left")
    ranked["cell"] = [cell_hex(c) for c in ranked["cell"]]
    centres = [cell_centre(c) for c in ranked["cell"]]
    ranked["lat"] = [lat for lat, _ in centres]
    ranked["lon"] = [lon for _, lon in centres]
    return ranked


def _most_frequent(counts: Counter) -> object:
    """The most frequent known value (the lowest on a tie), None when none is known."""
    counts.pop(None, None)
    if not counts:
        return None
    most = max(counts.values())
    return min(value for value, n in counts.items() if n == most)


def _top(counts: Counter, n: int) -> list[int]:
    """The `n` codes found in most accidents (most frequent first, lowest on a tie)."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [int(code) for code, _ in ranked[:n]]


_COUNTED = ("commune", "dep", "address", "catr", "vma", "lum", "inter", "atm")
"""The single-valued conditions counted per cell (as CELL_CONDITIONS names them)."""


def dominant_conditions(db: Engine | Connection, cells: list[int], period: Period) -> pd.DataFrame:
    """Per cell: its commune, usual address and the most frequent road category, speed limit,
    light, intersection, weather, vehicle categories and road users, as labels.

    One pass of plain counters over the cells' accidents (a few thousand rows): counting
    them per cell in pandas cost several times the query itself."""
    if isinstance(db, Engine):
        with db.connect() as connection:
            return dominant_conditions(connection, cells, period)
    result = db.execute(text(queries.CELL_CONDITIONS.sql), {"cells": cells, **period.params()})
    at = {name: i for i, name in enumerate(result.keys())}
    counted: dict[int, dict[str, Counter]] = {}
    names: dict[str, str] = {}
    for row in result:
        counters = counted.setdefault(row[at["cell"]], defaultdict(Counter))
        for column in _COUNTED:
            counters[column][row[at[column]]] += 1
        counters["vehicle_categories"].update(row[at["vehicle_categories"]])
        counters["road_users"].update(row[at["road_users"]])
        if row[at["commune"]] is not None:
            names[row[at["commune"]]] = row[at["commune_name"]]
    rows = []
    for cell, counters in counted.items():
        vma = _most_frequent(counters["vma"])
        commune = _most_frequent(counters["commune"])
        rows.append(
            {
                "cell": cell,
                "commune": commune,
                "commune_name": names.get(commune) if commune is not None else None,
                "dep": _most_frequent(counters["dep"]),
                "address": _most_frequent(counters["address"]),
                "road_category": label("catr", _most_frequent(counters["catr"])),
                "speed_limit": "Not given" if vma is None else f"{int(vma)} km/h",
                "light": label("lum", _most_frequent(counters["lum"])),
                "intersection": label("inter", _most_frequent(counters["inter"])),
                "weather": label("atm", _most_frequent(counters["atm"])),
                "vehicles": ", ".join(
                    label("catv", v) for v in _top(counters["vehicle_categories"], 2)
                )
                or "Not given",
                "road_users": ", ".join(label("catu", u) for u in _top(counters["road_users"], 1))
                or "Not given",
            }
        )
    return pd.DataFrame(rows) if rows else pd.DataFrame({"cell": pd.Series(dtype="int64")})


@dataclass
class HotspotDetails:
    cell: str
    accidents: pd.DataFrame
    by_year: pd.DataFrame
    conditions: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def ksi_share(self) -> float | None:
        if self.accidents.empty:
            return None
        return float(self.accidents["ksi"].mean())


def hotspot_details(engine: Engine, cell: str, filters: HotspotFilters) -> HotspotDetails:
    """One spot: its accidents under the ranking's period, road and road-user filters (so its
    figures are the ranked row's), counts by year and by condition."""
    period = filters.period
    accidents = frame(
        engine,
        queries.CELL_ACCIDENTS,
        cell=h3.str_to_int(cell),
        road_categories=list(filters.road_categories),
        road_users=list(filters.road_users),
        vehicle_categories=list(filters.vehicle_categories),
        **period.params(),
    )
    years = pd.DataFrame({"year": range(period.first, period.last + 1)})
    counts = accidents.groupby("year").agg(
        accidents=("num_acc", "size"), ksi_accidents=("ksi", "sum")
    )
    by_year = years.merge(counts, on="year", how="left").fillna(0).astype(int)
    details = HotspotDetails(cell, accidents, by_year)
    for dimension in ("catr", "lum", "atm"):
        counted = accidents[dimension].value_counts(dropna=False)
        details.conditions[dimension] = pd.DataFrame(
            {"value": [label(dimension, v) for v in counted.index], "accidents": counted.values}
        )
    return details
