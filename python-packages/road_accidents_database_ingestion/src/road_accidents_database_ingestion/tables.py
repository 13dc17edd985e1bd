"""The harmonised accident tables: one set of columns for every year and both BAAC layouts.

Readers produce exactly these columns (in this order), the loader copies them, the data
dictionary documents them, and a test checks that the migrated database has them. A column
that a layout lacks is NULL for that layout's rows; `source_file_id` and `source_line` say
where each row came from (the registry row of `source_files` records the file's layout).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from road_accidents_database_ingestion.codes import Table, variables_by_column

SqlType = Literal["bigint", "integer", "smallint", "text", "date", "double precision", "real"]
BaacTable = Literal["caracteristiques", "lieux", "vehicules", "usagers"]


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: SqlType
    description: str
    nullable: bool = True
    derived: bool = False
    """Filled by the loader (not by the readers)."""


@dataclass(frozen=True)
class HarmonisedTable:
    name: Table
    baac_name: BaacTable
    description: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def read_columns(self) -> tuple[Column, ...]:
        """The columns readers produce (every column but the loader's derived ones)."""
        return tuple(c for c in self.columns if not c.derived)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name!r}")


def _code(name: str, sql_type: SqlType = "smallint") -> Column:
    """A coded column; its description comes from the code list."""
    return Column(name, sql_type, "")


def _provenance() -> tuple[Column, ...]:
    return (
        Column("source_file_id", "bigint", "Registry id of the file (source_files.id).", False),
        Column("source_line", "integer", "Line of the row in that file (header = 1).", False),
    )


_ACCIDENT_KEY = Column(
    "num_acc", "bigint", "Accident number, 12 digits starting with the year.", False
)
_YEAR = Column("year", "smallint", "Year of the accident.", False)

ACCIDENTS = HarmonisedTable(
    "accidents",
    "caracteristiques",
    "One row per accident: when, where, light, weather, collision type.",
    ("num_acc",),
    (
        _ACCIDENT_KEY,
        _YEAR,
        Column("month", "smallint", "Month (1-12).", False),
        Column("day", "smallint", "Day of the month.", False),
        Column("hour", "smallint", "Hour (0-23); NULL when not given."),
        Column("minute", "smallint", "Minute (0-59); NULL when not given."),
        Column("accident_date", "date", "Date of the accident.", False),
        _code("lum"),
        _code("agg"),
        _code("inter"),
        _code("atm"),
        _code("col"),
        Column("dep", "text", "INSEE departement code (`59`, `2A`, `971`).", False),
        Column("com", "text", "INSEE commune code as published that year (5 characters)."),
        Column(
            "com_current",
            "text",
            "Today's commune for `com` (former codes of merged communes mapped), NULL if unknown.",
            derived=True,
        ),
        Column("adr", "text", "Postal address or place name, as published."),
        _code("gps", "text"),
        Column("lat", "double precision", "Latitude in degrees (WGS84); NULL when unknown."),
        Column(
            "lon", "double precision", "Longitude in degrees (WGS84), BAAC `long`; NULL if unknown."
        ),
        *_provenance(),
    ),
)

PLACES = HarmonisedTable(
    "places",
    "lieux",
    "The place of an accident: road category, lanes, surface, speed limit.",
    ("num_acc", "seq"),
    (
        _ACCIDENT_KEY,
        _YEAR,
        Column(
            "seq", "smallint", "Rank of this place among the accident's places (1, 2, ...).", False
        ),
        _code("catr"),
        Column("voie", "text", "Road number or name."),
        Column("v1", "text", "Numeric index of the road number."),
        Column("v2", "text", "Alphanumeric index of the road."),
        _code("circ"),
        Column("nbv", "smallint", "Number of traffic lanes."),
        _code("vosp"),
        _code("prof"),
        Column("pr", "text", "Number of the attached milestone (PR)."),
        Column("pr1", "text", "Distance in metres to the PR."),
        _code("plan"),
        Column(
            "lartpc",
            "real",
            "Width of the central reservation in metres (2005-2018 files: decimetres).",
        ),
        Column(
            "larrout", "real", "Width of the carriageway in metres (2005-2018 files: decimetres)."
        ),
        _code("surf"),
        _code("infra"),
        _code("situ"),
        Column("env1", "smallint", "Near a school (2005-2018 files only)."),
        Column("vma", "smallint", "Speed limit in km/h (2019 on)."),
        *_provenance(),
    ),
)

VEHICLES = HarmonisedTable(
    "vehicles",
    "vehicules",
    "One row per vehicle involved.",
    ("num_acc", "num_veh"),
    (
        _ACCIDENT_KEY,
        _YEAR,
        Column("num_veh", "text", "Vehicle letter within the accident (`A01`, `B01`, ...).", False),
        Column("id_vehicule", "bigint", "Unique vehicle id (2019 on)."),
        _code("senc"),
        _code("catv"),
        Column("occutc", "smallint", "Occupants of a public-transport vehicle."),
        _code("obs"),
        _code("obsm"),
        _code("choc"),
        _code("manv"),
        _code("motor"),
        *_provenance(),
    ),
)

PERSONS = HarmonisedTable(
    "persons",
    "usagers",
    "One row per person involved (driver, passenger, pedestrian) with injury severity.",
    ("num_acc", "seq"),
    (
        _ACCIDENT_KEY,
        _YEAR,
        Column("seq", "smallint", "Rank of this person among the accident's persons.", False),
        Column("id_usager", "bigint", "Unique person id (later files only)."),
        Column("id_vehicule", "bigint", "The person's vehicle id (2019 on)."),
        Column("num_veh", "text", "The person's vehicle (pedestrians: the vehicle that hit them)."),
        _code("place"),
        _code("catu"),
        _code("grav"),
        _code("sexe"),
        Column("an_nais", "smallint", "Year of birth."),
        _code("trajet"),
        Column("secu_raw", "smallint", "2005-2018 `secu` as published (kind then use)."),
        _code("secu1"),
        _code("secu2"),
        _code("secu3"),
        _code("locp"),
        _code("actp", "text"),
        _code("etatp"),
        *_provenance(),
    ),
)

TABLES: tuple[HarmonisedTable, ...] = (ACCIDENTS, PLACES, VEHICLES, PERSONS)
BY_BAAC_NAME: dict[str, HarmonisedTable] = {t.baac_name: t for t in TABLES}


def describe(table: HarmonisedTable, column: Column) -> str:
    """The description of a column: its own, or the English label of its code list."""
    coded = variables_by_column().get((table.name, column.name))
    if coded is not None:
        return f"{coded.en} ({coded.fr}); coded, see the code list."
    return column.description
