"""The feature specification: what the gravity model knows of an accident, defined once.

Each feature says where it comes from (a harmonised table and the SQL expression computing
it per accident), its kind, domain, unit and labels. The training query (`dataset.py`), the
pipelines' column lists (`pipelines.py`), the API's request schema and the UI form all derive
from `FEATURES`; coded domains and their labels come from the platform's code list.

The target is not a feature: per accident, KSI = at least one person killed or hospitalised
(`grav` 2 or 3, `codes.KSI_GRAV_CODES`), the standard road-safety indicator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from road_accidents_database_ingestion.codes import KSI_GRAV_CODES, Code, Table, variable
from road_accidents_database_ingestion.reference.catalog import load_departements

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

Kind = Literal["categorical", "numeric", "boolean"]
TARGET = "ksi"
TARGET_DESCRIPTION = (
    "KSI: at least one person of the accident killed or hospitalised "
    f"(persons.grav in {sorted(KSI_GRAV_CODES)})"
)


@dataclass(frozen=True)
class Feature:
    """One model input: a column of the training frame and a field of the API request."""

    name: str
    source: Table
    sql: str
    """Expression over the source table's alias (`a`, `p`, `v`, `u`); aggregate for v and u."""
    kind: Kind
    domain: tuple[Any, ...]
    """Allowed codes (categorical), (min, max) (numeric) or (False, True) (boolean)."""
    unit: str
    label_fr: str
    label_en: str
    description: str
    codes: tuple[Code, ...] = ()
    """The codes of a categorical feature with their labels, in domain order."""

    def label(self, value: Any, language: Literal["fr", "en"] = "en") -> str:
        """The label of one code of a categorical feature."""
        for code in self.codes:
            if code.value == value:
                return code.fr if language == "fr" else code.en
        raise KeyError(f"{self.name} has no code {value!r}")


def _coded(name: str, table: Table, alias: str, column: str | None = None) -> Feature:
    """A categorical feature whose domain and labels are those of the code list."""
    coded = variable(table, column or name)
    return Feature(
        name=name,
        source=table,
        sql=f"{alias}.{column or name}",
        kind="categorical",
        domain=tuple(code.value for code in coded.codes),
        unit="code",
        label_fr=coded.fr,
        label_en=coded.en,
        description=f"{table}.{column or name}: {coded.en}, coded as in the BAAC code list."
        + (f" {coded.note}" if coded.note else ""),
        codes=coded.codes,
    )


def _catv_group(name: str, catv: tuple[int, ...], fr: str, en: str) -> Feature:
    """Whether a vehicle of some categories (codes of `vehicles.catv`) was involved."""
    known = variable("vehicles", "catv").values
    if not set(catv) <= known:
        raise ValueError(f"{name}: catv codes {set(catv) - known} are not in the code list")
    listed = ", ".join(str(code) for code in catv)
    return Feature(
        name=name,
        source="vehicles",
        sql=f"bool_or(v.catv IN ({listed}))",
        kind="boolean",
        domain=(False, True),
        unit="",
        label_fr=fr,
        label_en=en,
        description=f"At least one vehicle of category (catv) {listed} was involved.",
    )


def _departement() -> Feature:
    table = load_departements()
    codes = tuple(
        Code(code, name, name) for code, name in zip(table["code"], table["name"], strict=True)
    )
    return Feature(
        name="dep",
        source="accidents",
        sql="a.dep",
        kind="categorical",
        domain=tuple(code.value for code in codes),
        unit="INSEE code",
        label_fr="Département",
        label_en="Departement",
        description="INSEE departement code (`59`, `2A`, `971`); labels from the Etalab reference.",
        codes=codes,
    )


def _numeric(
    name: str,
    source: Table,
    sql: str,
    domain: tuple[float, float],
    unit: str,
    fr: str,
    en: str,
    description: str,
) -> Feature:
    return Feature(name, source, sql, "numeric", domain, unit, fr, en, description)


_AGE = "CASE WHEN u.year - u.an_nais BETWEEN 0 AND 110 THEN u.year - u.an_nais END"

FEATURES: tuple[Feature, ...] = (
    # --- when ---------------------------------------------------------------------------
    _numeric("month", "accidents", "a.month", (1, 12), "month", "Mois", "Month", "Month, 1-12."),
    _numeric(
        "weekday",
        "accidents",
        "EXTRACT(ISODOW FROM a.accident_date)::smallint",
        (1, 7),
        "ISO day",
        "Jour de la semaine",
        "Day of the week",
        "Day of the week, 1 = Monday ... 7 = Sunday.",
    ),
    _numeric("hour", "accidents", "a.hour", (0, 23), "h", "Heure", "Hour", "Hour of day, 0-23."),
    # --- conditions and place -----------------------------------------------------------
    _coded("lum", "accidents", "a"),
    _coded("atm", "accidents", "a"),
    _coded("agg", "accidents", "a"),
    _coded("inter", "accidents", "a"),
    _coded("col", "accidents", "a"),
    _departement(),
    _numeric(
        "lat", "accidents", "a.lat", (-90, 90), "°", "Latitude", "Latitude", "WGS84 latitude."
    ),
    _numeric(
        "lon", "accidents", "a.lon", (-180, 180), "°", "Longitude", "Longitude", "WGS84 longitude."
    ),
    # --- the road (first place of the accident) ------------------------------------------
    _coded("catr", "places", "p"),
    _coded("circ", "places", "p"),
    _numeric(
        "nbv",
        "places",
        "p.nbv",
        (0, 20),
        "lanes",
        "Nombre de voies",
        "Number of lanes",
        "Number of traffic lanes.",
    ),
    _coded("vosp", "places", "p"),
    _coded("prof", "places", "p"),
    _coded("plan", "places", "p"),
    _coded("surf", "places", "p"),
    _coded("infra", "places", "p"),
    _coded("situ", "places", "p"),
    _numeric(
        "vma",
        "places",
        "CASE WHEN p.vma BETWEEN 5 AND 130 THEN p.vma END",
        (5, 130),
        "km/h",
        "Vitesse maximale autorisée",
        "Speed limit",
        "Speed limit in km/h; published from 2019 on, so missing for older years.",
    ),
    # --- what was involved --------------------------------------------------------------
    _numeric(
        "vehicle_count",
        "vehicles",
        "count(*)",
        (1, 100),
        "vehicles",
        "Nombre de véhicules",
        "Vehicles involved",
        "Number of vehicles involved.",
    ),
    _catv_group("car", (3, 7, 8, 9), "Voiture impliquée", "Car involved"),
    _catv_group("light_utility", (10, 11, 12), "Utilitaire impliqué", "Light utility involved"),
    _catv_group(
        "heavy_vehicle", (13, 14, 15, 16, 17), "Poids lourd impliqué", "Heavy goods vehicle"
    ),
    _catv_group("bus_or_coach", (18, 37, 38), "Bus ou car impliqué", "Bus or coach involved"),
    _catv_group("rail_vehicle", (19, 39, 40), "Train ou tramway impliqué", "Train or tram"),
    _catv_group("bicycle", (1, 80), "Vélo impliqué", "Bicycle or e-bike involved"),
    _catv_group(
        "powered_two_wheeler",
        (2, 4, 5, 6, 30, 31, 32, 33, 34, 41, 42, 43),
        "Deux- ou trois-roues motorisé impliqué",
        "Powered two- or three-wheeler involved",
    ),
    _catv_group(
        "personal_mobility_device", (50, 60), "EDP impliqué", "Personal mobility device involved"
    ),
    Feature(
        name="fixed_obstacle",
        source="vehicles",
        sql="bool_or(v.obs BETWEEN 1 AND 17)",
        kind="boolean",
        domain=(False, True),
        unit="",
        label_fr="Obstacle fixe heurté",
        label_en="Fixed obstacle hit",
        description="A vehicle hit a fixed obstacle (tree, barrier, wall, pole, ditch: obs 1-17).",
    ),
    # --- who was involved ---------------------------------------------------------------
    _numeric(
        "person_count",
        "persons",
        "count(*)",
        (1, 200),
        "persons",
        "Nombre de personnes",
        "Persons involved",
        "Number of persons involved (drivers, passengers, pedestrians), injured or not.",
    ),
    _numeric(
        "pedestrian_count",
        "persons",
        "count(*) FILTER (WHERE u.catu IN (3, 4))",
        (0, 100),
        "persons",
        "Nombre de piétons",
        "Pedestrians involved",
        "Number of pedestrians involved (catu 3 or 4).",
    ),
    _numeric(
        "youngest_age",
        "persons",
        f"min({_AGE})",
        (0, 110),
        "years",
        "Âge de la plus jeune personne",
        "Youngest person's age",
        "Age of the youngest person involved (accident year minus year of birth).",
    ),
    _numeric(
        "oldest_age",
        "persons",
        f"max({_AGE})",
        (0, 110),
        "years",
        "Âge de la personne la plus âgée",
        "Oldest person's age",
        "Age of the oldest person involved (accident year minus year of birth).",
    ),
    _numeric(
        "unprotected_occupants",
        "persons",
        "count(*) FILTER (WHERE u.catu IN (1, 2) AND u.secu1 = 0)",
        (0, 100),
        "persons",
        "Occupants sans équipement de sécurité",
        "Occupants without safety equipment",
        "Drivers and passengers with no safety equipment worn (secu1 = 0: no belt, helmet...).",
    ),
)

FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)

BASELINE_FEATURES: tuple[str, ...] = (
    "month",
    "hour",
    "lum",
    "agg",
    "inter",
    "atm",
    "col",
    "dep",
    "lat",
    "lon",
    "catr",
    "circ",
    "surf",
    "situ",
    "vma",
    "person_count",
    "vehicle_count",
    "pedestrian_count",
)
"""The 2024 project's columns that exist per accident in this specification.

Its 28 columns were: mois, hour, lum, agg_, int, atm, col, dep, lat, long, catr, circ, surf,
situ, vma, nb_victim, nb_vehicules (all kept here), obsm = pedestrian (kept as
`pedestrian_count`), plus the columns of one arbitrarily kept person or vehicle (place, catu,
sexe, secu1, victim_age, catv, motor), the day of the month, the commune and the year, which
describe no accident situation and are left out.
"""


@cache
def feature(name: str) -> Feature:
    """The feature called `name`; KeyError names it when it does not exist."""
    for candidate in FEATURES:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no feature {name!r}")


def _as_text_code(value: Any) -> Any:
    """Departement codes as published: `1` or `"1"` means `"01"`."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip().upper()
    return text.zfill(2) if text.isdigit() and len(text) < 2 else text


def _as_flag(value: Any) -> Any:
    """`True`/`False` and their usual spellings as 1.0/0.0; anything else as it is."""
    return {"t": 1.0, "f": 0.0, "true": 1.0, "false": 0.0}.get(str(value).lower(), value)


def coerce_column(spec: Feature, values: pd.Series) -> pd.Series:
    """One column in the model's dtype; values outside a categorical domain become NaN."""
    if spec.kind == "categorical":
        if all(isinstance(code, str) for code in spec.domain):
            codes = {value: _as_text_code(value) for value in values.dropna().unique()}
            values = values.map(codes).astype(object)
        else:
            values = pd.to_numeric(values, errors="coerce")
        values = values.where(values.isin(spec.domain))
        return pd.Series(pd.Categorical(values, categories=list(spec.domain)), index=values.index)
    if spec.kind == "boolean" and values.dtype == object:
        values = values.map(_as_flag, na_action="ignore")
    return pd.to_numeric(values, errors="coerce").astype("float64")


def coerce_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The feature columns of `frame` in specification order and the model's dtypes.

    Categorical features become pandas categoricals over their whole domain; numeric and
    boolean features become float64 (booleans as 0.0/1.0) so that missing values are NaN.
    """
    return pd.DataFrame(
        {spec.name: coerce_column(spec, frame[spec.name]) for spec in FEATURES},
        index=frame.index,
    )


_FEATURE_SET = frozenset(FEATURE_NAMES)


def check_fields(records: Sequence[Mapping[str, Any]]) -> None:
    """ValueError naming every key that is no feature, so a misspelt field is not ignored."""
    if any(not record.keys() <= _FEATURE_SET for record in records):
        unknown = {key for record in records for key in record} - _FEATURE_SET
        raise ValueError(f"not features of the gravity model: {sorted(unknown)}")


def records_to_frame(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The model's input frame from raw feature records (API requests, UI forms).

    A feature missing from a record is NaN; a key that is no feature raises ValueError, so
    that a misspelt field is not silently ignored.
    """
    check_fields(records)
    raw = pd.DataFrame(
        {name: [record.get(name) for record in records] for name in FEATURE_NAMES},
        dtype=object,
    )
    return coerce_frame(raw)


def plain_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with categoricals as their codes' type, as JSON and MLflow signatures carry it."""
    plain = frame.copy()
    for spec in FEATURES:
        if spec.kind == "categorical":
            as_text = all(isinstance(code, str) for code in spec.domain)
            column = plain[spec.name].astype(object)
            plain[spec.name] = column if as_text else column.astype("float64")
    return plain
