"""National figures and code frequencies the demo data is drawn from.

Counts are ONISR's national accident counts; frequencies are rounded from published BAAC
tables, so that dashboards built on demo data look like the real ones. Every code drawn is
checked against `codes.py` when its distribution is built, so a code list change that drops a
code fails here instead of producing out-of-domain demo rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from road_accidents_database_ingestion.codes import variable
from road_accidents_database_ingestion.readers.layouts import FIRST_YEAR, NEW_LAYOUT_FROM

if TYPE_CHECKING:
    from collections.abc import Mapping

NOT_GIVEN = -1
"""Harmonised "not given": written `" -1"` in 2019+ files, an empty cell in older ones."""

"""First year of the `;`-separated, fully quoted layout (vma, motor, id_vehicule, secu1-3)."""

NATIONAL_ACCIDENTS: Mapping[int, int] = {
    2005: 84525, 2006: 80309, 2007: 81272, 2008: 74487, 2009: 72315, 2010: 67288,
    2011: 65024, 2012: 60437, 2013: 56812, 2014: 59854, 2015: 58654, 2016: 59432,
    2017: 60701, 2018: 57783, 2019: 58840, 2020: 47744, 2021: 56518, 2022: 55302,
    2023: 54822,
}  # fmt: skip
LATER_YEARS_ACCIDENTS = 55_000


def accident_count(year: int, scale: float) -> int:
    """Accidents to generate for `year`: the national count times `scale` (at least one)."""
    if year < FIRST_YEAR:
        raise ValueError(f"BAAC files start in {FIRST_YEAR}, not {year}")
    return max(1, round(NATIONAL_ACCIDENTS.get(year, LATER_YEARS_ACCIDENTS) * scale))


@dataclass(frozen=True)
class Distribution:
    """Codes and their probabilities (normalised)."""

    values: np.ndarray
    probabilities: np.ndarray

    def without(self, *codes: int | str) -> Distribution:
        """The same distribution with some codes removed (codes a vintage does not have)."""
        keep = ~np.isin(self.values, np.array(codes, dtype=self.values.dtype))
        return _distribution(self.values[keep], self.probabilities[keep])


def _distribution(values: np.ndarray, weights: np.ndarray) -> Distribution:
    total = weights.sum()
    if total <= 0:
        raise ValueError("a distribution needs a positive weight")
    return Distribution(values, weights / total)


def coded(table: str, column: str, weights: Mapping[int, float]) -> Distribution:
    """Frequencies of an integer-coded variable; every code must be in the code list."""
    domain = variable(table, column).values
    foreign = sorted(set(weights) - domain - {NOT_GIVEN})
    if foreign:
        raise ValueError(f"{table}.{column}: {foreign} are not codes of the code list")
    return _distribution(
        np.array(list(weights), dtype=np.int64), np.array(list(weights.values()), float)
    )


def coded_text(table: str, column: str, weights: Mapping[str, float]) -> Distribution:
    """Frequencies of a text-coded variable (`actp`); `"-1"` is "not given"."""
    domain = variable(table, column).values
    foreign = sorted(set(weights) - domain - {str(NOT_GIVEN)})
    if foreign:
        raise ValueError(f"{table}.{column}: {foreign} are not codes of the code list")
    return _distribution(np.array(list(weights)), np.array(list(weights.values()), float))


def numbers(weights: Mapping[int, float]) -> Distribution:
    """Frequencies of an uncoded number (speed limits, lane counts, occupants)."""
    return _distribution(
        np.array(list(weights), dtype=np.int64), np.array(list(weights.values()), float)
    )


# --- when ------------------------------------------------------------------------------
MONTH_WEIGHTS = np.array([7.1, 6.9, 7.6, 7.8, 8.7, 9.4, 9.5, 7.8, 9.0, 9.2, 8.4, 8.0])
WEEKDAY_WEIGHTS = np.array([0.97, 0.98, 1.0, 1.02, 1.12, 1.0, 0.85])
"""Monday first: Friday evenings are the worst, Sundays the quietest."""
HOUR_WEIGHTS = np.array(
    [1.6, 1.3, 1.1, 0.9, 0.8, 1.1, 2.0, 4.0, 5.5, 4.4, 4.3, 5.0,
     5.6, 5.4, 5.6, 6.2, 7.2, 8.4, 8.5, 6.3, 4.3, 3.3, 2.6, 2.1]
)  # fmt: skip
ROUND_MINUTE_SHARE = 0.55
"""Share of times written at a round quarter or five minutes (police reports round)."""
ROUND_MINUTES = numbers({0: 6, 30: 4, 15: 3, 45: 3, 5: 1, 10: 1, 20: 1, 25: 1, 35: 1, 40: 1,
                         50: 1, 55: 1})  # fmt: skip
SUNRISE = np.array([8.7, 8.2, 7.4, 7.3, 6.5, 6.0, 6.2, 6.8, 7.5, 8.1, 7.9, 8.5])
SUNSET = np.array([17.3, 18.1, 18.9, 20.6, 21.3, 21.9, 21.8, 21.1, 20.1, 19.0, 17.3, 16.9])
"""Legal clock hours of sunrise and sunset in mid-month (Paris); twilight lasts ~40 min."""
TWILIGHT_HOURS = 0.6
NIGHT_LIGHT_INSIDE = coded("accidents", "lum", {5: 0.84, 4: 0.03, 3: 0.13})
NIGHT_LIGHT_OUTSIDE = coded("accidents", "lum", {3: 0.8, 4: 0.03, 5: 0.17})

# --- where -----------------------------------------------------------------------------
POPULATION_EXPONENT = 1.05
"""Accidents grow slightly faster than population (traffic concentrates in cities)."""
BUILT_UP_LOGIT = (-0.6, 0.9, 2000.0)
"""P(inside a built-up area) = logistic(a + b * ln(population / c)) for the commune."""
FORMER_CODE_BEFORE = 2016
"""Accidents before this year in a merged commune may carry one of its former codes."""
MISSING_COORDINATES = (0.65, 0.06)
"""Share of 2005-2018 accidents without coordinates in 2005 and in 2018 (linear between)."""
JITTER_KM = {1: 4.0, 2: 1.2}
"""Standard deviation of the distance to the commune point, outside / inside built-up areas."""
TEN_DECIMAL_COORDINATES_SHARE = 0.2
"""Coordinates given to 10 decimals (the others to 6, padded with zeros in 2019+ files)."""
MISSING_GPS_ZONE_SHARE = 0.01
HIGHEST_MOTORWAY, HIGHEST_ROAD = 90, 1100
"""Road numbers are drawn below these (A1..A89, N/D 1..1099)."""

INTERSECTION = {
    1: coded("accidents", "inter", {1: .80, 2: .04, 3: .07, 4: .015, 5: .003, 6: .04, 7: .002,
                                    8: .004, 9: .026}),
    2: coded("accidents", "inter", {1: .55, 2: .12, 3: .14, 4: .02, 5: .01, 6: .06, 7: .01,
                                    8: .003, 9: .06, NOT_GIVEN: .002}),
}  # fmt: skip
WEATHER_SUMMER = coded(
    "accidents",
    "atm",
    {1: 0.86, 2: 0.06, 3: 0.015, 5: 0.003, 6: 0.004, 7: 0.025, 8: 0.03, 9: 0.003},
)
WEATHER_WINTER = coded(
    "accidents",
    "atm",
    {
        1: 0.64,
        2: 0.16,
        3: 0.04,
        4: 0.015,
        5: 0.018,
        6: 0.008,
        7: 0.015,
        8: 0.095,
        9: 0.004,
        NOT_GIVEN: 0.005,
    },
)
WINTER_FACTOR = np.array([1.0, 0.9, 0.6, 0.4, 0.2, 0.05, 0.0, 0.05, 0.3, 0.6, 0.9, 1.0])
"""How wintry each month's weather is (0 = summer frequencies, 1 = winter ones)."""

# --- how many -------------------------------------------------------------------------
VEHICLE_COUNT = {
    1: numbers({1: 0.44, 2: 0.50, 3: 0.045, 4: 0.011, 5: 0.003, 6: 0.001}),
    2: numbers({1: 0.38, 2: 0.55, 3: 0.052, 4: 0.013, 5: 0.004, 6: 0.001}),
}
"""Vehicles per accident, outside (1) / inside (2) built-up areas."""
PEDESTRIAN_SHARE = {(1, 1): 0.10, (1, 2): 0.015, (2, 1): 0.42, (2, 2): 0.02}
"""P(pedestrians involved) by (agg, single vehicle 1 / several 2)."""
PEDESTRIANS = numbers({1: 0.9, 2: 0.08, 3: 0.02})
COLLISION = {
    "pedestrian": coded("accidents", "col", {6: 0.75, 7: 0.25}),
    "alone": coded("accidents", "col", {6: 0.7, 7: 0.3}),
    "two": coded("accidents", "col", {1: 0.15, 2: 0.22, 3: 0.45, 6: 0.18}),
    "several": coded("accidents", "col", {3: 0.1, 4: 0.35, 5: 0.45, 6: 0.1}),
}
"""Collision type by who is involved: a pedestrian, one vehicle alone, two, three or more."""
Z_VEHICLE_SHARE = 0.004
"""Multi-vehicle accidents whose last vehicle is lettered `Z01`."""
OLD_Z_VEHICLE_SHARE = 1700 / 35423
"""The same in 2005-2018 files: 1,700 `Z01` for 35,423 multi-vehicle accidents in 2018."""
OLD_RARE_LETTERS = _distribution(
    np.array(["R01", "B02", "Y01", "T01", "I01", "X01", "Z02", "K01", "J01", "M01", "L01",
              "F02", "C03", "W01", "A02", "V01", "C02"], dtype=object),
    np.array([108, 51, 23, 10, 9, 7, 7, 6, 5, 5, 3, 3, 1, 1, 1, 1, 1], dtype=float),
)  # fmt: skip
"""Letters past `H01` and second-digit forms of the real 2018 vehicules file, by count."""
OLD_RARE_LETTER_SHARE = 242 / 35423
"""Multi-vehicle accidents of 2018 whose last vehicle has one of those letters."""
SWAPPED_LETTERS_SHARE = 0.5
"""Two-vehicle accidents whose rows list B01 before A01 (as in the real files)."""

# --- how 2005-2018 files leave values out (counts of the real 2018 files) ---------------
OLD_FILE_ROWS: Mapping[str, int] = {"lieux": 57_783, "vehicules": 98_876}
OLD_LEFT_OUT: Mapping[tuple[str, str], tuple[int, int]] = {
    ("lieux", "circ"): (2778, 405),
    ("lieux", "plan"): (865, 420),
    ("lieux", "prof"): (399, 439),
    ("lieux", "surf"): (358, 442),
    ("lieux", "vosp"): (0, 525),
    ("lieux", "infra"): (0, 466),
    ("lieux", "situ"): (0, 494),
    ("lieux", "env1"): (0, 459),
    ("lieux", "nbv"): (0, 507),
    ("lieux", "larrout"): (6958, 44074),
    ("vehicules", "senc"): (0, 132),
    ("vehicules", "obs"): (0, 189),
    ("vehicules", "obsm"): (0, 135),
    ("vehicules", "choc"): (0, 133),
    ("vehicules", "manv"): (0, 132),
}
"""Per column, cells written `0` (`00`, `000`) and cells left empty for "not given", out of
OLD_FILE_ROWS of the table: old demo years leave values out at these rates, and in these
two ways (a `0` only where `not_given.py` says it means "not given")."""
OLD_PADDED_WIDTHS: Mapping[tuple[str, str], int] = {
    ("lieux", "nbv"): 2,
    ("lieux", "env1"): 2,
    ("lieux", "lartpc"): 3,
    ("lieux", "larrout"): 3,
    ("vehicules", "catv"): 2,
    ("vehicules", "occutc"): 3,
    ("vehicules", "obs"): 2,
    ("vehicules", "manv"): 2,
}
"""Columns the 2017-2018 files zero-pad to a width (`02`, `07`, `000`); others are unpadded."""
OLD_PADDED_FROM = 2017

# --- the road (lieux) -----------------------------------------------------------------
ROAD_CATEGORY = {
    (1, False): coded("places", "catr", {1: .18, 2: .10, 3: .56, 4: .12, 5: .01, 6: .005, 9: .025}),
    (2, False): coded("places", "catr", {1: .01, 2: .05, 3: .26, 4: .63, 5: .005, 6: .015, 9: .03}),
    (1, True): coded("places", "catr", {1: .18, 2: .09, 3: .56, 4: .11, 5: .01, 6: .005, 7: .02,
                                        9: .025}),
    (2, True): coded("places", "catr", {1: .01, 2: .05, 3: .26, 4: .47, 5: .005, 6: .015, 7: .16,
                                        9: .03}),
}  # fmt: skip
"""Road category by (agg, 2019+ file): metropolitan roads (7) exist from 2019 on."""
SPEED_LIMITS_MOTORWAY = numbers({130: 0.68, 110: 0.25, 90: 0.05, 70: 0.02})
SPEED_LIMITS_OUTSIDE_BEFORE_80 = numbers({90: 0.72, 70: 0.14, 110: 0.06, 50: 0.06, 30: 0.02})
SPEED_LIMITS_OUTSIDE_AFTER_80 = numbers(
    {80: 0.62, 90: 0.1, 70: 0.14, 110: 0.05, 50: 0.07, 30: 0.02}
)
SPEED_LIMITS_INSIDE = numbers({50: .72, 30: .17, 70: .05, 40: .02, 90: .015, 20: .01, 10: .008,
                               5: .007})  # fmt: skip
SPEED_LIMITS_OFF_NETWORK = numbers({30: 0.3, 50: 0.3, 20: 0.15, 10: 0.15, 5: 0.1})
SPEED_80_FROM = 2019
"""First full year of the 80 km/h limit on two-lane roads outside built-up areas (1 July 2018)."""
TRAFFIC_REGIME = {
    "motorway": coded("places", "circ", {3: 0.95, 1: 0.03, NOT_GIVEN: 0.02}),
    1: coded("places", "circ", {2: 0.86, 3: 0.08, 1: 0.02, 4: 0.005, NOT_GIVEN: 0.035}),
    2: coded("places", "circ", {2: 0.66, 1: 0.2, 3: 0.09, 4: 0.005, NOT_GIVEN: 0.045}),
}
LANES = {
    "motorway": numbers({4: 0.42, 6: 0.2, 3: 0.15, 2: 0.15, 5: 0.05, 8: 0.03}),
    "other": numbers({2: 0.72, 1: 0.1, 3: 0.05, 4: 0.07, 0: 0.03, 6: 0.01, NOT_GIVEN: 0.02}),
}
RESERVED_LANE = {
    1: coded("places", "vosp", {0: 0.93, 1: 0.01, 2: 0.01, 3: 0.005, NOT_GIVEN: 0.045}),
    2: coded("places", "vosp", {0: 0.76, 1: 0.04, 2: 0.06, 3: 0.08, NOT_GIVEN: 0.06}),
}
GRADIENT = coded("places", "prof", {1: 0.78, 2: 0.19, 3: 0.018, 4: 0.01, NOT_GIVEN: 0.002})
LAYOUT = {
    1: coded("places", "plan", {1: 0.66, 2: 0.15, 3: 0.15, 4: 0.04}),
    2: coded("places", "plan", {1: 0.9, 2: 0.045, 3: 0.045, 4: 0.007, NOT_GIVEN: 0.003}),
}
SURFACE_DRY = coded(
    "places", "surf", {1: 0.93, 2: 0.05, 6: 0.002, 8: 0.003, 9: 0.007, NOT_GIVEN: 0.008}
)
SURFACE_WET = coded("places", "surf", {2: .86, 1: .08, 3: .03, 4: .01, 6: .005, 9: .005,
                                        NOT_GIVEN: .01})  # fmt: skip
SURFACE_SNOW = coded("places", "surf", {5: 0.45, 7: 0.3, 2: 0.2, 1: 0.05})
INFRASTRUCTURE = coded(
    "places",
    "infra",
    {0: .75, 1: .007, 2: .02, 3: .02, 4: .015, 5: .07, 6: .02, 7: .003, 8: .01, 9: .05,
     NOT_GIVEN: .02},
)  # fmt: skip
SITUATION = coded(
    "places", "situ", {1: 0.83, 2: 0.005, 3: 0.04, 4: 0.04, 5: 0.015, 6: 0.02, 8: 0.045, 0: 0.005}
)
KNOWN_MILESTONE_SHARE = 0.65
"""Numbered roads whose milestone (`pr`, `pr1`) is given."""
CARRIAGEWAY_WIDTHS = np.array([3, 4, 5, 5.5, 6, 6.5, 7, 8, 10, 12])
"""Metres (motorways 4 m more); old files give it most of the time, 2019+ files rarely."""
RESERVATION_WIDTHS = np.array([1.5, 2.0, 3.0, 4.0, 5.0])
"""Central reservation, metres (old files only: 2019+ leave `lartpc` empty)."""
UNKNOWN_WIDTH_SHARE = {False: 0.15, True: 0.97}
"""Share of unknown widths in old (False) and 2019+ (True) files."""
ROAD_INDEX_LETTERS = np.array(["A", "B", "C", "D", "E", "F"], dtype=object)
ROAD_INDEX_SHARE = {False: 0.05, True: 0.12}
"""Numbered roads with a letter index `v2` (D20E), in old and 2019+ files."""
ROAD_NUMBER_INDEX_SHARE = {False: 0.5, True: 0.77}
"""Places with `v1` = 0 (the others not given), in old and 2019+ files."""
SCHOOL_NEARBY = numbers({0: 0.72, 99: 0.2, 3: 0.08})
"""Old `env1` (near a school): uncoded, 0 / 3 / 99 as in the 2005-2018 files."""
EXTRA_PLACE_SHARE = 0.002
"""Accidents with a second lieux row (a few real accidents have more than one)."""

# --- vehicles -------------------------------------------------------------------------
VEHICLE_GROUPS: Mapping[str, tuple[int, ...]] = {
    "car": (3, 7, 8, 9),
    "utility": (10, 11, 12),
    "cycle": (1, 80),
    "mobility_device": (50, 60),
    "moped": (2, 30, 41),
    "motorcycle": (4, 5, 6, 31, 32, 33, 34, 35, 36, 42, 43),
    "heavy": (13, 14, 15, 16, 17, 20, 21),
    "public_transport": (18, 19, 37, 38, 39, 40),
    "other": (0, 99),
}
"""Vehicle categories grouped by how they protect their occupants."""
GROUP_NAMES = tuple(VEHICLE_GROUPS)


def vehicle_group_lookup() -> np.ndarray:
    """Array indexed by catv giving the index of its group in GROUP_NAMES."""
    domain = variable("vehicles", "catv").values
    lookup = np.full(100, -1, dtype=np.int64)
    for index, codes in enumerate(VEHICLE_GROUPS.values()):
        if not set(codes) <= domain:
            raise ValueError(f"vehicle groups name codes outside catv: {set(codes) - domain}")
        lookup[list(codes)] = index
    if set(np.flatnonzero(lookup >= 0)) != domain:
        raise ValueError("every catv code must belong to one vehicle group")
    return lookup


def vehicle_mix(year: int) -> Distribution:
    """Vehicle categories of one year: mopeds decline, bicycles and e-scooters rise."""
    t = year - FIRST_YEAR
    weights: dict[int, float] = {
        7: .62, 10: .065, 1: .045 + .0015 * t, 2: max(.075 - .0025 * t, .025), 30: .025,
        31: .02, 32: .02, 33: .055, 34: .012, 3: .004, 13: .004, 14: .006, 15: .003, 16: .001,
        17: .01, 20: .002, 21: .003, 35: .001, 36: .002, 37: .007, 38: .002, 39: .0005,
        40: .002, 41: .0005, 42: .0005, 43: .0005, 99: .008, 0: .002,
    }  # fmt: skip
    if year >= MOBILITY_DEVICES_FROM:
        ramp = min(year - MOBILITY_DEVICES_FROM, 5) / 5
        weights |= {50: 0.003 + 0.022 * ramp, 60: 0.002 + 0.003 * ramp, 80: 0.002 + 0.013 * ramp}
    return coded("vehicles", "catv", weights)


MOBILITY_DEVICES_FROM = 2018
"""First year with e-scooters and other personal mobility devices (50, 60) and e-bikes (80)."""
OLD_CATEGORIES_UNTIL = 2006
"""Last year of the pre-2007 categories (4 scooter, 5 motorcycle, 18 public transport...)."""
OLD_CATEGORIES: Mapping[int, int] = {30: 2, 41: 2, 31: 5, 33: 5, 42: 5, 43: 5, 32: 4, 34: 4,
                                     37: 18, 38: 18, 40: 19, 35: 99, 36: 99}  # fmt: skip
OLD_TRAILER_SPLITS: Mapping[int, tuple[tuple[int, float], ...]] = {
    7: ((8, 0.003), (9, 0.012)),
    10: ((11, 0.001), (12, 0.006)),
    5: ((6, 0.005),),
}
"""Share of cars, utilities and motorcycles recorded with a caravan/trailer/sidecar code."""
CATEGORY_CONTEXT: Mapping[str, Mapping[str, float]] = {
    "motorway": {"cycle": 0.0, "mobility_device": 0.0, "moped": 0.05, "heavy": 4.0,
                 "public_transport": 0.3},
    "inside": {"cycle": 1.6, "mobility_device": 1.6, "heavy": 0.6, "public_transport": 1.5},
    "alone": {"motorcycle": 1.8, "moped": 1.4, "cycle": 0.8},
    "pedestrian": {"car": 1.2, "motorcycle": 0.4, "moped": 0.5, "cycle": 0.3,
                   "public_transport": 3.0},
}  # fmt: skip
"""Multipliers of the yearly mix by context: no bicycles on motorways, loss of control is a
two-wheeler's accident, buses hit pedestrians."""

OBSTACLE_ALONE = {
    1: coded("vehicles", "obs", {0: .22, 1: .04, 2: .16, 3: .08, 4: .03, 5: .01, 6: .05, 7: .02,
                                 8: .05, 9: .01, 10: .01, 11: .01, 12: .02, 13: .14, 14: .01,
                                 15: .01, 16: .11, 17: .02}),
    2: coded("vehicles", "obs", {0: .35, 1: .16, 2: .05, 3: .02, 4: .02, 5: .01, 6: .08, 7: .03,
                                 8: .07, 9: .05, 10: .005, 11: .04, 12: .06, 13: .02, 14: .02,
                                 15: .02, 16: .02, 17: .005, NOT_GIVEN: .01}),
}  # fmt: skip
OBSTACLE_OTHERS = coded("vehicles", "obs", {0: .95, 1: .03, 2: .004, 3: .004, 6: .003, 12: .004,
                                            NOT_GIVEN: .005})  # fmt: skip
MOVING_OBSTACLE_ALONE = {
    1: coded("vehicles", "obsm", {0: 0.8, 6: 0.1, 5: 0.02, 9: 0.07, NOT_GIVEN: 0.01}),
    2: coded("vehicles", "obsm", {0: 0.86, 5: 0.02, 9: 0.1, 4: 0.005, NOT_GIVEN: 0.015}),
}
MOVING_OBSTACLE_OTHERS = coded("vehicles", "obsm", {2: 0.92, 0: 0.06, 9: 0.01, NOT_GIVEN: 0.01})
IMPACT = coded("vehicles", "choc", {1: .39, 2: .12, 3: .15, 4: .09, 5: .025, 6: .02, 7: .06,
                                    8: .06, 9: .02, 0: .055, NOT_GIVEN: .01})  # fmt: skip
MANOEUVRE = coded(
    "vehicles",
    "manv",
    {1: .43, 2: .08, 3: .008, 4: .008, 5: .005, 6: .001, 7: .002, 8: .001, 9: .03, 10: .008,
     11: .01, 12: .008, 13: .05, 14: .015, 15: .08, 16: .03, 17: .03, 18: .003, 19: .04,
     20: .006, 21: .03, 22: .004, 23: .03, 24: .004, 25: .003, 26: .04, 0: .06, NOT_GIVEN: .005},
)  # fmt: skip
DIRECTION = coded("vehicles", "senc", {1: 0.44, 2: 0.27, 3: 0.2, 0: 0.08, NOT_GIVEN: 0.01})
OLD_ONLY_ABSENT: Mapping[tuple[str, str], tuple[int | str, ...]] = {
    ("places", "catr"): (7,),
    ("places", "infra"): (8, 9),
    ("places", "situ"): (6, 8),
    ("vehicles", "senc"): (3,),
    ("vehicles", "obs"): (17,),
    ("vehicles", "manv"): (25, 26),
    ("persons", "locp"): (9,),
    ("persons", "actp"): ("A", "B"),
}
"""Codes that 2005-2018 files do not have (added in 2019); never drawn for those years."""


def engine_mix(year: int) -> Distribution:
    """Engines of motor vehicles (2019+ `motor`): hybrids and electric cars rise."""
    ramp = min(max(year - NEW_LAYOUT_FROM, 0), 6) / 6
    return coded(
        "vehicles",
        "motor",
        {1: .86 - .1 * ramp, 2: .03 + .06 * ramp, 3: .01 + .04 * ramp, 4: .0005, 6: .004,
         0: .06, NOT_GIVEN: .03},
    )  # fmt: skip


VEHICLE_ID_BASE = (100_000, 160_000)
"""2019+ `id_vehicule` of a year start at base + step * (year - 2019): unique across years."""
PERSON_ID_BASE = (1_000_000, 300_000)
"""`id_usager` (2022+ files) likewise."""
PERSON_IDS_FROM = 2022
NOT_GIVEN_SPEED_LIMIT_SHARE = 0.03
"""2019+ places whose `vma` is published as not given (it still drives gravity)."""
PUBLIC_TRANSPORT_NO_BELT_SHARE = 0.6
"""Bus and coach passengers on seats without a belt."""
PUBLIC_TRANSPORT_OCCUPANTS = numbers({0: .1, 1: .1, 2: .1, 4: .1, 5: .1, 8: .15, 12: .15,
                                      20: .1, 35: .1})  # fmt: skip

# --- persons ---------------------------------------------------------------------------
PASSENGERS: Mapping[str, Mapping[int, float]] = {
    "car": {0: 0.78, 1: 0.15, 2: 0.045, 3: 0.018, 4: 0.007},
    "utility": {0: 0.8, 1: 0.15, 2: 0.05},
    "cycle": {0: 0.99, 1: 0.01},
    "mobility_device": {0: 0.99, 1: 0.01},
    "moped": {0: 0.93, 1: 0.07},
    "motorcycle": {0: 0.92, 1: 0.08},
    "heavy": {0: 0.93, 1: 0.07},
    "public_transport": {0: 0.55, 1: 0.15, 2: 0.1, 3: 0.07, 4: 0.05, 5: 0.04, 6: 0.04},
    "other": {0: 0.9, 1: 0.1},
}
PASSENGER_SEAT = coded("persons", "place", {2: .55, 3: .14, 4: .15, 5: .05, 6: .02, 8: .04,
                                             9: .05})  # fmt: skip
PUBLIC_TRANSPORT_SEAT = coded("persons", "place", {7: 0.4, 8: 0.2, 9: 0.2, 2: 0.2})
MALE_SHARE: Mapping[str, float] = {
    "car": .68, "utility": .9, "cycle": .78, "mobility_device": .8, "moped": .85,
    "motorcycle": .91, "heavy": .97, "public_transport": .85, "other": .85,
    "passenger": .45, "pedestrian": .52,
}  # fmt: skip
AGE: Mapping[str, tuple[float, float, float]] = {
    "car": (18, 2.2, 10), "utility": (18, 3, 8), "cycle": (6, 2.2, 16),
    "mobility_device": (10, 2, 9), "moped": (14, 1.2, 10), "motorcycle": (16, 2, 10),
    "heavy": (21, 4, 6), "public_transport": (21, 4, 6), "other": (16, 2, 12),
    "passenger": (0, 1.7, 18), "pedestrian": (2, 1.6, 28),
}  # fmt: skip
"""Age = minimum + Gamma(shape, scale), by vehicle group of drivers, passengers, pedestrians."""
UNKNOWN_IDENTITY_SHARE = 0.02
"""Persons with neither sex nor year of birth (fled drivers)."""
TRIP = coded("persons", "trajet", {0: .23, 1: .12, 2: .03, 3: .03, 4: .06, 5: .40, 9: .09,
                                   NOT_GIVEN: .04})  # fmt: skip
PEDESTRIAN_LOCATION = coded("persons", "locp", {1: .15, 2: .2, 3: .28, 4: .12, 5: .1, 6: .04,
                                                7: .01, 8: .02, 9: .05})  # fmt: skip
PEDESTRIAN_ACTION = coded_text("persons", "actp", {"3": .55, "0": .1, "1": .08, "2": .06,
                                                   "4": .04, "5": .05, "6": .01, "9": .06,
                                                   "A": .02, "B": .03})  # fmt: skip
BLANK_PEDESTRIAN_DETAILS_SHARE = 0.7
"""2019+ non-pedestrians whose `locp`/`actp` are not given rather than 0 (old files: 0)."""
PEDESTRIAN_GROUP = coded("persons", "etatp", {1: 0.85, 2: 0.12, 3: 0.03})
ROLLER_PEDESTRIAN_SHARE = 0.03
"""2005-2018 pedestrians recorded as `catu` 4 (on roller skates or a kick scooter)."""

BELT, HELMET, CHILD_SEAT, VEST, OTHER_EQUIPMENT, NO_EQUIPMENT = 1, 2, 3, 4, 9, 0
WORN, NOT_WORN, USE_UNKNOWN = 1, 2, 3
"""Equipment kinds and their use, as in the 2005-2018 two-digit `secu` (kind then use)."""
EQUIPMENT_USE: Mapping[str, tuple[float, float, float]] = {
    "belt": (0.9, 0.04, 0.06),
    "helmet_motor": (0.94, 0.03, 0.03),
    "helmet_cycle": (0.3, 0.55, 0.15),
    "other": (0.5, 0.1, 0.4),
}
"""P(worn, not worn, unknown) by equipment."""
SECOND_EQUIPMENT = {
    "motor": coded("persons", "secu2", {6: 0.55, 5: 0.03, 7: 0.02, 0: 0.1, NOT_GIVEN: 0.3}),
    "cycle": coded("persons", "secu2", {4: 0.05, 0: 0.3, NOT_GIVEN: 0.65}),
    "other": coded("persons", "secu2", {0: 0.15, 8: 0.05, 9: 0.005, NOT_GIVEN: 0.795}),
}
THIRD_EQUIPMENT = coded("persons", "secu3", {NOT_GIVEN: .985, 0: .008, 9: .004, 5: .002,
                                             6: .001})  # fmt: skip
PEDESTRIAN_EQUIPMENT = coded("persons", "secu1", {0: 0.6, 8: 0.1, 4: 0.02, NOT_GIVEN: 0.28})

# --- gravity ---------------------------------------------------------------------------
KSI_SHARE = (0.40, -0.0035)
"""Share of accidents with someone killed or hospitalised: 2005 value and yearly change."""
KILLED_SHARE = (0.062, -0.0004)
"""Share of accidents with someone killed: 2005 value and yearly change."""


def yearly_share(figure: tuple[float, float], year: int) -> float:
    start, change = figure
    return start + change * (year - FIRST_YEAR)


KSI_EFFECTS: Mapping[str, float] = {
    "outside_built_up": 0.85,
    "per_10_kmh_over_50": 0.09,
    "pedestrian": 1.0,
    "motorcycle": 0.9,
    "moped": 0.7,
    "cycle": 0.5,
    "heavy_vehicle": 0.45,
    "rail": 1.5,
    "unbelted": 1.0,
    "no_helmet": 0.9,
    "elderly": 0.55,
    "night_hours": 0.35,
}
"""Log-odds added to an accident's KSI odds by what it involves; the intercept is set per year
so that the national KSI share is met."""
ROAD_EFFECTS: Mapping[int, float] = {1: -0.35, 2: 0.15, 3: 0.35, 4: 0.0, 5: -0.2, 6: -0.6,
                                     7: -0.1, 9: -0.2}  # fmt: skip
LIGHT_EFFECTS: Mapping[int, float] = {1: 0.0, 2: 0.15, 3: 0.6, 4: 0.35, 5: 0.1}
COLLISION_EFFECTS: Mapping[int, float] = {1: 0.9, 2: -0.55, 3: 0.0, 4: -0.45, 5: 0.1, 6: 0.15,
                                          7: 0.55}  # fmt: skip
OBSTACLE_EFFECTS: Mapping[int, float] = {2: 1.2, 6: 0.6, 8: 0.5, 13: 0.45, 16: 0.35, 17: 0.6,
                                         10: 0.4, 4: 0.1}  # fmt: skip
WEATHER_EFFECTS: Mapping[int, float] = {2: -0.1, 3: -0.15, 4: -0.25, 5: 0.1}
KILLED_SLOPE = 1.2
"""Among KSI accidents, the log-odds of a death grow 1.2 times as fast with the same risks."""

VULNERABILITY: Mapping[str, float] = {
    "car": 0.0, "utility": -0.1, "cycle": 1.6, "mobility_device": 1.5, "moped": 1.7,
    "motorcycle": 1.9, "heavy": -1.5, "public_transport": -1.2, "other": 0.3, "pedestrian": 2.0,
}  # fmt: skip
"""Per-person log-odds of being the one hurt, by how the person travelled."""
PERSON_EFFECTS: Mapping[str, float] = {
    "unprotected": 1.1,
    "elderly": 0.9,
    "senior": 0.4,
    "child": -0.2,
    "passenger": -0.1,
}
"""Per-person log-odds: not wearing the belt/helmet, age 75+ / 65-74 / under 14."""
OTHERS_KSI_OFFSET = -2.0
"""Log-odds offset for persons other than the main victim being KSI in a KSI accident."""
OTHERS_INJURED_OFFSET = -1.1
"""Log-odds offset for persons other than the main victim being lightly injured."""
KILLED_OTHERS_SHARE = 0.12
"""Share of the other KSI persons of a fatal accident who are killed too."""
