"""One commune or departement: its KPIs beside its departement's, the nation's and its own
previous years; when, in which conditions and to whom accidents happen; where."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from green_light_ui import queries
from green_light_ui.dashboards.hotspots import WEIGHTS, cell_hex
from green_light_ui.dashboards.overview import Period
from green_light_ui.database import frame, frames_by
from green_light_ui.labels import label_codes, with_labels

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

    from green_light_ui.queries import Scope

SHOWN_KPIS = ("accidents", "ksi_accidents", "killed", "hospitalised", "lightly_injured")
"""The KPIs of the municipality page (their sums over the period)."""
PER = 10_000
"""Rates are per 10,000 inhabitants and per year."""
MAP_LIMIT = 5000
"""Accidents drawn on a place's map at most (the gravest and latest first)."""


@dataclass(frozen=True)
class Place:
    kind: Scope
    code: str
    name: str
    dep: str
    population: int | None

    @property
    def title(self) -> str:
        if self.kind == "dep":
            return f"{self.name} ({self.code})"
        return f"{self.name} ({self.dep}, INSEE {self.code})"


def place_options(engine: Engine) -> pd.DataFrame:
    """Every departement and commune with accidents, plus the former codes and names of
    merged communes, each with the label the search box matches what is typed against
    (French names as written)."""
    options = frame(engine, queries.PLACE_OPTIONS)
    for column in ("former_code", "former_name"):
        values = options[column].astype(object)
        options[column] = values.where(values.notna(), None)
    labels = []
    for kind, code, name, dep, former, former_name in options.itertuples(index=False):
        if kind == "dep":
            labels.append(f"{name} ({code}) · departement")
        elif former is None:
            labels.append(f"{name} ({dep}) · {code}")
        elif former_name is None:
            labels.append(f"{name} ({dep}) · former code {former}, now {code}")
        elif former == code:
            labels.append(f"{former_name} ({dep}) · former name of {name} · {code}")
        else:
            labels.append(f"{former_name} ({dep}) · former commune {former}, now {name} · {code}")
    options["label"] = labels
    return options


def find_place(db: Engine | Connection, kind: Scope, code: str) -> Place | None:
    rows = frame(db, queries.PLACE_POPULATION[kind], code=code)
    if rows.empty:
        return None
    row = rows.iloc[0]
    population = None if pd.isna(row["population"]) else int(row["population"])
    return Place(kind, code, str(row["name"]), str(row["dep"]), population)


def totals(by_year: pd.DataFrame, period: Period) -> pd.Series:
    """The KPIs summed over the period's years (zeros when it has none)."""
    chosen = by_year[(by_year["year"] >= period.first) & (by_year["year"] <= period.last)]
    return chosen[list(SHOWN_KPIS)].sum().astype(int)


def previous_period(period: Period) -> Period:
    return Period(period.first - period.years, period.first - 1)


@dataclass
class PlaceView:
    place: Place
    period: Period
    comparison: pd.DataFrame
    """KPIs and rates of the place, its departement (for a commune) and France."""
    by_year: pd.DataFrame
    previous: pd.Series
    breakdowns: dict[str, pd.DataFrame] = field(default_factory=dict)
    people: dict[str, pd.DataFrame] = field(default_factory=dict)
    heatmap: pd.DataFrame = field(default_factory=pd.DataFrame)
    accidents: pd.DataFrame = field(default_factory=pd.DataFrame)
    worst_places: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def current(self) -> pd.Series:
        return self.comparison.iloc[0]


def _row(name: str, kpis: pd.Series, population: float | None, years: int) -> dict[str, object]:
    row: dict[str, object] = {"area": name, "population": population, **kpis.to_dict()}
    for column in ("accidents", "ksi_accidents", "killed"):
        rate = kpis[column] / years / population * PER if population else None
        row[f"{column}_per_10k"] = rate
    return row


def load_place(engine: Engine, place: Place, period: Period) -> PlaceView:
    """Everything the municipality / departement page shows, on one connection."""
    with engine.connect() as db:
        return _load_place(db, place, period)


def _load_place(db: Connection, place: Place, period: Period) -> PlaceView:
    params = {"code": place.code, **period.params()}
    by_year = frame(db, queries.PLACE_BY_YEAR[place.kind], code=place.code)
    rows = [_row(place.title, totals(by_year, period), place.population, period.years)]
    if place.kind == "commune":
        dep = find_place(db, "dep", place.dep)
        dep_by_year = frame(db, queries.PLACE_BY_YEAR["dep"], code=place.dep)
        name = dep.title if dep else place.dep
        population = dep.population if dep else None
        rows.append(_row(name, totals(dep_by_year, period), population, period.years))
    nation = frame(db, queries.NATIONAL_TREND)
    national_population = frame(db, queries.NATIONAL_POPULATION).iloc[0]["population"]
    rows.append(_row("France", totals(nation, period), national_population, period.years))
    view = PlaceView(
        place,
        period,
        pd.DataFrame(rows),
        by_year,
        totals(by_year, previous_period(period)),
    )
    breakdowns = frames_by(db, queries.PLACE_BREAKDOWN[place.kind], "dimension", **params)
    heat = breakdowns.pop("weekday_hour", None)
    if heat is not None:
        known = heat.dropna(subset=["value"])
        view.heatmap = pd.DataFrame(
            {
                "weekday": (known["value"] // 100).astype(int),
                "hour": (known["value"] % 100).astype(int),
                "accidents": known["accidents"],
                "ksi_accidents": known["ksi_accidents"],
            }
        )
    view.breakdowns = {d: with_labels(part, d) for d, part in breakdowns.items()}
    people = frames_by(db, queries.PLACE_PEOPLE[place.kind], "dimension", **params)
    view.people = {d: with_labels(part, d) for d, part in people.items()}
    view.accidents = frame(db, queries.PLACE_ACCIDENTS[place.kind], **params, limit=MAP_LIMIT)
    worst = frame(
        db,
        queries.WORST_PLACES[place.kind],
        **params,
        **{f"w_{k}": v for k, v in WEIGHTS.items()},
        limit=10,
    )
    worst["cell"] = [cell_hex(c) for c in worst["cell"]]
    view.worst_places = worst
    return view


@dataclass(frozen=True)
class Crash:
    accident: pd.Series
    vehicles: pd.DataFrame
    persons: pd.DataFrame


def load_crash(engine: Engine, num_acc: int, year: int) -> Crash | None:
    """One accident's story: when, where, in which conditions, the vehicles and who was hurt."""
    accident = frame(engine, queries.CRASH, num_acc=num_acc, year=year)
    if accident.empty:
        return None
    vehicles = frame(engine, queries.CRASH_VEHICLES, num_acc=num_acc, year=year)
    persons = frame(engine, queries.CRASH_PERSONS, num_acc=num_acc, year=year)
    return Crash(
        accident.iloc[0], label_codes(vehicles, "vehicles"), label_codes(persons, "persons")
    )
