"""Where demo accidents happen: communes weighted by population, with their former codes.

Communes come from the shipped reference data (`reference.catalog`), so demo accidents name
communes the platform knows; accidents before 2016 in a merged commune may name one of its
former communes, which the platform must map to today's commune.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from baac_demo_data import figures
from road_accidents_database_ingestion.reference import catalog

OLD_OVERSEAS = ("971", "972", "973", "974", "976")
"""Overseas departements found in 2005-2018 files."""
NEW_OVERSEAS = (*OLD_OVERSEAS, "975", "977", "978", "986", "987", "988")
"""Overseas departements and collectivities found in 2019+ files."""
CITIES_BY_ARRONDISSEMENT = frozenset({"75056", "69123", "13055"})
"""Paris, Lyon and Marseille: BAAC files name their arrondissements, never the city."""
GPS_ZONES = {"971": "A", "972": "A", "973": "G", "974": "R", "976": "Y", "975": "P"}
"""2005-2018 `gps` zone by departement; every other departement is `M` (metropole)."""


@dataclass(frozen=True)
class Communes:
    code: np.ndarray
    departement: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    built_up: np.ndarray
    """P(an accident there is inside a built-up area), from the commune's size."""
    weight_old: np.ndarray
    weight_new: np.ndarray
    former_start: np.ndarray
    former_count: np.ndarray
    former_codes: np.ndarray
    """Former codes of all communes, each commune's at former_start, former_count of them."""


def _is_metropole(departement: np.ndarray) -> np.ndarray:
    return np.char.str_len(departement.astype(str)) == 2


@cache
def communes() -> Communes:
    """The communes demo accidents may happen in (placed, inhabited, in a BAAC departement)."""
    table = catalog.load_communes()
    table = table[
        table["lat"].notna()
        & table["population"].fillna(0).gt(0)
        & ~table["code"].isin(CITIES_BY_ARRONDISSEMENT)
    ]
    table = table.sort_values("code").reset_index(drop=True)
    code = table["code"].to_numpy(dtype=str)
    departement = table["departement"].to_numpy(dtype=str)
    population = table["population"].to_numpy(dtype=float)
    a, b, c = figures.BUILT_UP_LOGIT
    built_up = 1.0 / (1.0 + np.exp(-(a + b * np.log(population / c))))
    weight = population**figures.POPULATION_EXPONENT
    metropole = _is_metropole(departement)
    weight_old = np.where(metropole | np.isin(departement, OLD_OVERSEAS), weight, 0.0)
    weight_new = np.where(metropole | np.isin(departement, NEW_OVERSEAS), weight, 0.0)

    former = catalog.load_former_codes()
    former = former[former["current_code"].isin(code)]
    # Only mergers inside one departement: the others are decades-old boundary changes.
    same = former["former_code"].str[:2] == former["current_code"].str[:2]
    overseas = former["current_code"].str.startswith("97")
    same &= ~overseas | (former["former_code"].str[:3] == former["current_code"].str[:3])
    former = former[same].sort_values(["current_code", "former_code"])
    position = np.searchsorted(code, former["current_code"].to_numpy(dtype=str))
    former_count = np.bincount(position, minlength=len(code))
    former_start = np.concatenate([[0], np.cumsum(former_count)[:-1]])
    return Communes(
        code=code,
        departement=departement,
        lat=table["lat"].to_numpy(dtype=float),
        lon=table["lon"].to_numpy(dtype=float),
        built_up=built_up,
        weight_old=weight_old / weight_old.sum(),
        weight_new=weight_new / weight_new.sum(),
        former_start=former_start,
        former_count=former_count,
        former_codes=former["former_code"].to_numpy(dtype=str),
    )


def draw_communes(rng: np.random.Generator, size: int, year: int) -> np.ndarray:
    """Indices into `communes()` of `size` accidents, weighted by population."""
    places = communes()
    weight = places.weight_old if year < figures.NEW_LAYOUT_FROM else places.weight_new
    return rng.choice(len(weight), size=size, p=weight)


def published_codes(rng: np.random.Generator, index: np.ndarray, year: int) -> np.ndarray:
    """The commune code a year's file gives: before 2016, a merged commune's accident may be
    in one of its former communes (each former commune and the current one equally likely)."""
    places = communes()
    codes = places.code[index].astype(object)
    if year >= figures.FORMER_CODE_BEFORE:
        return codes
    count = places.former_count[index]
    pick = np.floor(rng.random(len(index)) * (count + 1)).astype(np.int64)
    former = np.flatnonzero(pick < count)
    codes[former] = places.former_codes[places.former_start[index[former]] + pick[former]]
    return codes


def gps_zones(departement: np.ndarray) -> np.ndarray:
    """2005-2018 `gps` zone letters of departements."""
    zones = np.full(len(departement), "M", dtype=object)
    for code, zone in GPS_ZONES.items():
        zones[departement == code] = zone
    return zones
