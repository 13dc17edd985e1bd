"""France at a glance: departements by KSI accidents per 100,000 inhabitants, the national
trend, the departements and communes with the most KSI accidents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from green_light_ui import queries
from green_light_ui.database import frame
from road_accidents_database_ingestion.codes import variable

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy import Engine

HOSPITALISED_CAVEAT = variable("persons", "grav").note
"""ONISR's warning: "hospitalised" is no longer an official indicator from 2018 on."""


@dataclass(frozen=True)
class Period:
    first: int
    last: int

    @property
    def years(self) -> int:
        return self.last - self.first + 1

    def params(self) -> dict[str, int]:
        return {"first": self.first, "last": self.last}


@dataclass(frozen=True)
class DataRange:
    """The years loaded; `empty` when no accident is in the database yet."""

    first: int | None
    last: int | None
    accidents: int

    @property
    def empty(self) -> bool:
        return not self.accidents


def data_range(engine: Engine) -> DataRange:
    row = frame(engine, queries.YEARS).iloc[0]
    if row["first"] is None or row["first"] != row["first"]:
        return DataRange(None, None, 0)
    return DataRange(int(row["first"]), int(row["last"]), int(row["accidents"] or 0))


def per_100k(count: pd.Series | float, population: pd.Series | float, years: int) -> object:
    """A yearly rate per 100,000 inhabitants (NaN where the population is unknown)."""
    return count / years / population.where(population > 0) * 100_000  # type: ignore[union-attr]


@dataclass(frozen=True)
class Overview:
    departements: pd.DataFrame
    trend: pd.DataFrame
    communes: pd.DataFrame


def load_overview(engine: Engine, period: Period, top: int = 15) -> Overview:
    with engine.connect() as db:
        departements = frame(db, queries.DEPARTEMENT_RATES, **period.params())
        communes = frame(db, queries.TOP_COMMUNES, **period.params(), limit=top)
        trend = frame(db, queries.NATIONAL_TREND)
    departements["ksi_per_100k"] = per_100k(
        departements["ksi_accidents"], departements["population"].astype(float), period.years
    )
    communes["ksi_per_100k"] = per_100k(
        communes["ksi_accidents"], communes["population"].astype(float), period.years
    )
    return Overview(departements, trend, communes)


def top_departements(overview: Overview, top: int = 15) -> pd.DataFrame:
    ranked = overview.departements.sort_values(
        ["ksi_per_100k", "ksi_accidents"], ascending=False, na_position="last"
    )
    return ranked.head(top)
