"""Human labels of what the dashboards group by: code labels come from the one code list
(`road_accidents_database_ingestion.codes`), never written here."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd

from gravity_model.evaluation import METRIC_LABELS
from green_light_ui.queries import AGE_GROUPS
from road_accidents_database_ingestion.codes import variable, variables_by_column


@dataclass(frozen=True)
class Dimension:
    name: str
    title: str
    coded: tuple[str, str] | None = None
    """(table, column) of the code list when the values are BAAC codes."""


def _coded(name: str, table: str) -> Dimension:
    return Dimension(name, variable(table, name).en, (table, name))


DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in (
        Dimension("month", "Month"),
        Dimension("year", "Year"),
        _coded("lum", "accidents"),
        _coded("atm", "accidents"),
        _coded("agg", "accidents"),
        _coded("inter", "accidents"),
        _coded("col", "accidents"),
        _coded("surf", "places"),
        _coded("catr", "places"),
        _coded("catu", "persons"),
        _coded("catv", "vehicles"),
        _coded("grav", "persons"),
        Dimension("age_group", "Age group"),
    )
}


@dataclass(frozen=True)
class Column:
    """How a table shows one of our column names: an English title and, for numbers, a
    format (`st.column_config.NumberColumn`'s: "localized", "percent" or printf-style)."""

    title: str
    format: str | None = None


_COUNT = "localized"
_WHOLE = "%d"
"""Years, hours, ranks and ages: whole numbers without thousands separators (a float's
`plain` format would print `2021.0000000000002`)."""
_RATE = "%.1f"
COLUMNS: dict[str, Column] = {
    "rank": Column("Rank", _WHOLE),
    "cell": Column("H3 cell"),
    "area": Column("Area"),
    "dep": Column("Departement"),
    "name": Column("Name"),
    "commune": Column("Commune (INSEE)"),
    "commune_name": Column("Commune"),
    "address": Column("Usual address"),
    "adr": Column("Address"),
    "year": Column("Year", _WHOLE),
    "accident_date": Column("Date"),
    "hour": Column("Hour", _WHOLE),
    "gravity": Column("Gravity"),
    "population": Column("Population", _COUNT),
    "counted": Column("Accidents counted", _COUNT),
    "accidents": Column("Accidents", _COUNT),
    "ksi_accidents": Column("KSI accidents", _COUNT),
    "fatal_accidents": Column("Fatal accidents", _COUNT),
    "killed": Column("Killed", _COUNT),
    "hospitalised": Column("Hospitalised", _COUNT),
    "lightly_injured": Column("Lightly injured", _COUNT),
    "persons": Column("Persons", _COUNT),
    "score": Column("Severity score", _COUNT),
    "ksi_share": Column("KSI share", "percent"),
    "trend_label": Column("Trend"),
    "ksi_per_100k": Column("KSI accidents per 100,000 inhabitants and year", _RATE),
    "accidents_per_10k": Column("Accidents per 10,000 inhabitants and year", _RATE),
    "ksi_accidents_per_10k": Column("KSI accidents per 10,000 inhabitants and year", _RATE),
    "killed_per_10k": Column("Killed per 10,000 inhabitants and year", _RATE),
    "road_category": Column(DIMENSIONS["catr"].title),
    "speed_limit": Column("Speed limit"),
    "light": Column(DIMENSIONS["lum"].title),
    "intersection": Column(DIMENSIONS["inter"].title),
    "weather": Column(DIMENSIONS["atm"].title),
    "vehicles": Column("Vehicles involved"),
    "road_users": Column("Road users involved"),
    "num_veh": Column("Vehicle"),
    "age": Column("Age", _WHOLE),
    "factor": Column("Factor"),
    "value": Column("Value"),
    "direction": Column("Direction"),
    "effect": Column("Effect on the probability", "%+.3f"),
    "version": Column("Version"),
    "alias": Column("Alias"),
    "registered": Column("Registered"),
    "data_years": Column("Trained on"),
    "holdout": Column("Holdout"),
    "threshold": Column("Decision threshold", "%.3f"),
    "decision": Column("Why promoted"),
    **{metric: Column(title, "%.3f") for metric, title in METRIC_LABELS.items()},
    "status": Column("Status"),
    "reason": Column("Reason"),
    "places": Column("Places", _COUNT),
    "rejected": Column("Rows rejected", _COUNT),
    "duration_s": Column("Seconds", "%.1f"),
    "updated_at": Column("When"),
    "table_name": Column("File"),
    "column_name": Column("Column"),
    "rows": Column("Rows", _COUNT),
    "not_given": Column("Not given", _COUNT),
    "unknown": Column("Unknown", _COUNT),
    "not_given_share": Column("Not given (share)", "percent"),
    "unknown_share": Column("Unknown (share)", "percent"),
}
"""The titles and formats of the column names the pages' tables share (their CSV downloads
keep the names)."""

WEEKDAYS = tuple(calendar.day_name)
"""Monday first, as ISO numbers the days 1 to 7."""


def age_group(low: int) -> str:
    for start, end in AGE_GROUPS:
        if start == low:
            return f"{start}+" if end >= 110 else f"{start}-{end}"
    raise KeyError(f"no age group starts at {low}")


def label(dimension: str, value: object) -> str:
    """The label of one value of a dimension; "Not given" for a missing value."""
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return "Not given"
    spec = DIMENSIONS[dimension]
    if spec.coded is not None:
        try:
            return variable(*spec.coded).label(int(value))  # type: ignore[arg-type]
        except KeyError:
            return f"Code {value}"
    if dimension == "month":
        return calendar.month_name[int(value)]  # type: ignore[call-overload]
    if dimension == "age_group":
        return age_group(int(value))  # type: ignore[call-overload]
    return str(value)


def time_of_day(hour: object, minute: object = None) -> str:
    """An accident's time as people read it: "14h05", "14h" when the minute is not given,
    "time unknown" when the hour is not (the tables keep an unknown hour as NULL)."""
    if hour is None or pd.isna(hour):  # type: ignore[arg-type]
        return "time unknown"
    if minute is None or pd.isna(minute):  # type: ignore[arg-type]
        return f"{int(hour)}h"  # type: ignore[call-overload]
    return f"{int(hour)}h{int(minute):02d}"  # type: ignore[call-overload]


def with_labels(frame: pd.DataFrame, dimension: str, column: str = "value") -> pd.DataFrame:
    """`frame` with its `column` of codes replaced by the dimension's labels, titled."""
    labelled = frame.copy()
    labelled[column] = [label(dimension, v) for v in labelled[column]]
    return labelled.rename(columns={column: DIMENSIONS[dimension].title})


def code_choices(dimension: str) -> dict[int, str]:
    """Every code of a coded dimension with its label, in code-list order (for filters)."""
    spec = DIMENSIONS[dimension]
    assert spec.coded is not None, f"{dimension} is not coded"
    return {int(code.value): code.en for code in variable(*spec.coded).codes}


def label_codes(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Every coded column of `table` in `frame` as labels, under its English title."""
    coded = variables_by_column()
    labelled = frame.copy()
    titles = {}
    for column in frame.columns:
        spec = coded.get((table, column))
        if spec is None:
            continue
        labelled[column] = [
            "Not given" if v is None or pd.isna(v) else _label_or_code(spec, v)
            for v in frame[column]
        ]
        titles[column] = spec.en
    return labelled.rename(columns=titles)


def _label_or_code(spec: object, value: object) -> str:
    try:
        return spec.label(value if isinstance(value, str) else int(value))  # type: ignore[attr-defined]
    except KeyError:
        return f"Code {value}"


def moment(value: datetime | None) -> str:
    """A time as people read it on the page, in UTC ("never" when there is none)."""
    if value is None or pd.isna(value):
        return "never"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def age(value: datetime | None, now: datetime | None = None) -> str:
    """How long ago, short enough for a metric tile ("never" when there is none)."""
    if value is None or pd.isna(value):
        return "never"
    seconds = max(((now or datetime.now(UTC)) - value).total_seconds(), 0)
    for unit, size in (("day", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            count = int(seconds // size)
            plural = "s" if unit == "day" and count > 1 else ""
            return f"{count} {unit}{plural} ago"
    return "just now"


def score(value: float | None) -> str:
    """A model metric as the model page shows it ("n/a" when the run did not log it)."""
    return "n/a" if value is None or pd.isna(value) else f"{value:.3f}"
