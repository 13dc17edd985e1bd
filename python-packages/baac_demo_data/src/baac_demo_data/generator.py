"""Drawing one year of demo accidents as harmonised records (codes of `codes.py`, -1 = not given).

Accidents are drawn first (when, where, road), then their vehicles and persons, then gravity:
the odds that an accident is KSI grow with what makes real accidents grave (speed, roads outside
built-up areas, pedestrians and two-wheelers, no belt or helmet, old age, night, head-on
collisions, trees), and each person's injury follows how exposed that person was, so a
gravity model trained on demo data finds the links it would find in real data.

Everything is drawn with numpy over whole arrays from one generator seeded by (seed, year), so
a year's records do not depend on which other years are generated.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from baac_demo_data import figures, geography
from baac_demo_data.addresses import addresses
from baac_demo_data.figures import NOT_GIVEN, Distribution

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

LETTERS = np.array([f"{chr(ord('A') + i)}01" for i in range(26)], dtype=object)
GROUP_OF_CATEGORY = figures.vehicle_group_lookup()
GROUP = {name: index for index, name in enumerate(figures.GROUP_NAMES)}
PROFILES = (*figures.GROUP_NAMES, "passenger", "pedestrian")
"""Person profiles: a driver by vehicle group, a passenger, a pedestrian."""
PASSENGER, PEDESTRIAN = len(figures.GROUP_NAMES), len(figures.GROUP_NAMES) + 1
DRIVER_ROLE, PASSENGER_ROLE, PEDESTRIAN_ROLE = 1, 2, 3
VULNERABILITY = np.array([figures.VULNERABILITY.get(p, 0.0) for p in PROFILES])
"""Exposure by profile index (the passenger entry is unused: passengers take their vehicle's)."""


@dataclass(frozen=True)
class YearRecords:
    """One year of demo data in harmonised form, plus what the layouts need to write it.

    Beyond the harmonised columns: places `vma_published` (`vma` as the file gives it; `vma`
    itself drives gravity even where the file omits it) and persons `secu_kind`/`secu_use`
    (the two digits of the old `secu`). Codes are those the year's files may hold.
    """

    year: int
    accidents: pd.DataFrame
    places: pd.DataFrame
    vehicles: pd.DataFrame
    persons: pd.DataFrame


def _draw(rng: np.random.Generator, dist: Distribution, size: int) -> np.ndarray:
    return dist.values[rng.choice(len(dist.values), size=size, p=dist.probabilities)]


def _draw_by(
    rng: np.random.Generator, key: np.ndarray, dists: Sequence[Distribution]
) -> np.ndarray:
    """One draw per row from the distribution `dists[key[row]]`."""
    out = np.empty(len(key), dtype=dists[0].values.dtype)
    for index, dist in enumerate(dists):
        rows = np.flatnonzero(key == index)
        out[rows] = _draw(rng, dist, len(rows))
    return out


def _lookup(effects: Mapping[int, float], codes: np.ndarray) -> np.ndarray:
    """`effects[code]` for every code; 0 for codes without an effect and for -1."""
    table = np.zeros(128)
    for code, effect in effects.items():
        table[code] = effect
    return table[codes]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _intercept(x: np.ndarray, target: float) -> float:
    """The intercept b such that mean(sigmoid(b + x)) == target (bisection)."""
    low, high = -20.0, 20.0
    for _ in range(60):
        middle = (low + high) / 2
        if _sigmoid(middle + x).mean() < target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _any(group: np.ndarray, flag: np.ndarray, size: int) -> np.ndarray:
    """Per group: whether any member has `flag`."""
    return np.bincount(group, weights=flag.astype(float), minlength=size) > 0


def _old_codes(year: int, table: str, column: str, dist: Distribution) -> Distribution:
    """The distribution without the codes that files of `year` do not have yet."""
    absent = figures.OLD_ONLY_ABSENT.get((table, column))
    if absent and year < figures.NEW_LAYOUT_FROM:
        return dist.without(*absent)
    return dist


@dataclass
class _Accidents:
    """Accident-level arrays shared by the drawing steps."""

    year: int
    agg: np.ndarray
    catr: np.ndarray
    vma: np.ndarray
    vehicle_count: np.ndarray
    pedestrian_count: np.ndarray
    columns: dict[str, np.ndarray]
    places: dict[str, np.ndarray]


def _dates(rng: np.random.Generator, year: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    days = 366 if calendar.isleap(year) else 365
    dates = np.datetime64(f"{year}-01-01") + np.arange(days)
    month = dates.astype("datetime64[M]").astype(np.int64) % 12
    weekday = (dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    month_days = np.array([calendar.monthrange(year, m + 1)[1] for m in range(12)])
    weight = figures.MONTH_WEIGHTS[month] / month_days[month] * figures.WEEKDAY_WEIGHTS[weekday]
    index = rng.choice(days, size=size, p=weight / weight.sum())
    drawn = dates[index]
    return month[index] + 1, (drawn - drawn.astype("datetime64[M]")).astype(np.int64) + 1


def _times(rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    hour = rng.choice(24, size=size, p=figures.HOUR_WEIGHTS / figures.HOUR_WEIGHTS.sum())
    rounded = rng.random(size) < figures.ROUND_MINUTE_SHARE
    minute = np.where(rounded, _draw(rng, figures.ROUND_MINUTES, size), rng.integers(0, 60, size))
    return hour, minute


def _light(
    rng: np.random.Generator, month: np.ndarray, hour: np.ndarray, minute: np.ndarray,
    agg: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Daylight, twilight or night from the clock and the season; lighting from agg."""
    clock = hour + minute / 60
    half = figures.TWILIGHT_HOURS / 2
    sunrise, sunset = figures.SUNRISE[month - 1], figures.SUNSET[month - 1]
    twilight = (np.abs(clock - sunrise) < half) | (np.abs(clock - sunset) < half)
    day = (clock >= sunrise + half) & (clock <= sunset - half)
    night = _draw_by(rng, agg - 1, [figures.NIGHT_LIGHT_OUTSIDE, figures.NIGHT_LIGHT_INSIDE])
    return np.where(day, 1, np.where(twilight, 2, night))


def _speed_limits(
    rng: np.random.Generator, year: int, agg: np.ndarray, catr: np.ndarray
) -> np.ndarray:
    outside = (
        figures.SPEED_LIMITS_OUTSIDE_AFTER_80
        if year >= figures.SPEED_80_FROM
        else figures.SPEED_LIMITS_OUTSIDE_BEFORE_80
    )
    key = np.where(catr == 1, 0, np.where(np.isin(catr, (5, 6)), 1, np.where(agg == 2, 2, 3)))
    return _draw_by(
        rng,
        key,
        [figures.SPEED_LIMITS_MOTORWAY, figures.SPEED_LIMITS_OFF_NETWORK,
         figures.SPEED_LIMITS_INSIDE, outside],
    )  # fmt: skip


def _accidents(rng: np.random.Generator, year: int, size: int) -> _Accidents:
    commune = geography.draw_communes(rng, size, year)
    places = geography.communes()
    agg = np.where(rng.random(size) < places.built_up[commune], 2, 1)
    month, day = _dates(rng, year, size)
    hour, minute = _times(rng, size)
    wintry = (rng.random(size) < figures.WINTER_FACTOR[month - 1]).astype(np.int64)
    atm = _draw_by(rng, wintry, [figures.WEATHER_SUMMER, figures.WEATHER_WINTER])
    vehicles = _draw_by(rng, agg - 1, [figures.VEHICLE_COUNT[1], figures.VEHICLE_COUNT[2]])
    share = np.array([[figures.PEDESTRIAN_SHARE[(a, s)] for s in (1, 2)] for a in (1, 2)])
    walking = rng.random(size) < share[agg - 1, (vehicles > 1).astype(np.int64)]
    pedestrians = np.where(walking, _draw(rng, figures.PEDESTRIANS, size), 0)
    new = year >= figures.NEW_LAYOUT_FROM
    catr = _draw_by(
        rng, agg - 1, [figures.ROAD_CATEGORY[(1, new)], figures.ROAD_CATEGORY[(2, new)]]
    )
    collision = np.where(
        vehicles >= 3, 3, np.where(vehicles == 2, 2, np.where(pedestrians > 0, 0, 1))
    )
    col = _draw_by(rng, collision, list(figures.COLLISION.values()))
    inter = _draw_by(rng, agg - 1, [figures.INTERSECTION[1], figures.INTERSECTION[2]])
    if not new:
        inter = np.where(inter == NOT_GIVEN, 1, inter)

    # Coordinates: a few km around the commune point; often unknown in early old files.
    sd_km = np.where(agg == 2, figures.JITTER_KM[2], figures.JITTER_KM[1])
    lat = places.lat[commune] + rng.normal(0, 1, size) * sd_km / 111.0
    lon = places.lon[commune] + rng.normal(0, 1, size) * sd_km / (
        111.0 * np.cos(np.radians(places.lat[commune]))
    )
    precise = rng.random(size) < figures.TEN_DECIMAL_COORDINATES_SHARE
    lat = np.where(precise, lat.round(10), lat.round(6))
    lon = np.where(precise, lon.round(10), lon.round(6))
    departement = places.departement[commune]
    gps = geography.gps_zones(departement)
    if not new:
        first, last = figures.MISSING_COORDINATES
        missing_share = first + (last - first) * (year - figures.FIRST_YEAR) / (
            figures.NEW_LAYOUT_FROM - 1 - figures.FIRST_YEAR
        )
        missing = rng.random(size) < missing_share
        lat[missing], lon[missing] = np.nan, np.nan
        gps[rng.random(size) < figures.MISSING_GPS_ZONE_SHARE] = None

    vma = _speed_limits(rng, year, agg, catr)
    road_number = np.where(
        catr == 1,
        rng.integers(1, figures.HIGHEST_MOTORWAY, size),
        rng.integers(1, figures.HIGHEST_ROAD, size),
    )
    adr, voie = addresses(rng, catr, road_number, year)
    columns = {
        "month": month, "day": day, "hour": hour, "minute": minute,
        "lum": _light(rng, month, hour, minute, agg), "agg": agg, "inter": inter, "atm": atm,
        "col": col, "dep": departement.astype(object),
        "com": geography.published_codes(rng, commune, year), "adr": adr, "gps": gps,
        "lat": lat, "lon": lon,
    }  # fmt: skip
    place_columns = _places(rng, year, agg, catr, atm, vma)
    place_columns["voie"] = voie
    return _Accidents(year, agg, catr, vma, vehicles, pedestrians, columns, place_columns)


def _places(
    rng: np.random.Generator, year: int, agg: np.ndarray, catr: np.ndarray, atm: np.ndarray,
    vma: np.ndarray,
) -> dict[str, np.ndarray]:  # fmt: skip
    size = len(agg)
    new = year >= figures.NEW_LAYOUT_FROM
    motorway = catr == 1
    numbered = np.isin(catr, (1, 2, 3))
    circ = _draw_by(
        rng,
        np.where(motorway, 0, agg),
        [figures.TRAFFIC_REGIME["motorway"], figures.TRAFFIC_REGIME[1], figures.TRAFFIC_REGIME[2]],
    )
    lanes = _draw_by(
        rng, (~motorway).astype(np.int64), [figures.LANES["motorway"], figures.LANES["other"]]
    )
    surface_key = np.where(np.isin(atm, (2, 3, 5)), 1, np.where(atm == 4, 2, 0))
    surf = _draw_by(
        rng, surface_key, [figures.SURFACE_DRY, figures.SURFACE_WET, figures.SURFACE_SNOW]
    )
    known_pr = numbered & (rng.random(size) < figures.KNOWN_MILESTONE_SHARE)
    widths = figures.CARRIAGEWAY_WIDTHS
    larrout = widths[rng.integers(0, len(widths), size)] + np.where(motorway, 4.0, 0.0)
    larrout[rng.random(size) < figures.UNKNOWN_WIDTH_SHARE[new]] = np.nan
    lartpc = np.full(size, np.nan)
    if not new:
        central = motorway | (circ == 3)
        lartpc = np.where(central, rng.choice(figures.RESERVATION_WIDTHS, size), 0.0)
        lartpc[rng.random(size) < figures.UNKNOWN_WIDTH_SHARE[new]] = np.nan
    vma_published = vma.copy()
    if new:
        vma_published[rng.random(size) < figures.NOT_GIVEN_SPEED_LIMIT_SHARE] = NOT_GIVEN
    letters = figures.ROAD_INDEX_LETTERS
    v2 = np.full(size, None, dtype=object)
    lettered = numbered & (rng.random(size) < figures.ROAD_INDEX_SHARE[new])
    v2[lettered] = letters[rng.integers(0, len(letters), lettered.sum())]
    return {
        "catr": catr,
        "v1": np.where(rng.random(size) < figures.ROAD_NUMBER_INDEX_SHARE[new], 0, NOT_GIVEN),
        "v2": v2,
        "circ": circ,
        "nbv": lanes,
        "vosp": _draw_by(rng, agg - 1, [figures.RESERVED_LANE[1], figures.RESERVED_LANE[2]]),
        "prof": _draw(rng, figures.GRADIENT, size),
        "pr": np.where(known_pr, rng.integers(0, 150, size), NOT_GIVEN),
        "pr1": np.where(known_pr, rng.integers(0, 1000, size), NOT_GIVEN),
        "plan": _draw_by(rng, agg - 1, [figures.LAYOUT[1], figures.LAYOUT[2]]),
        "lartpc": lartpc,
        "larrout": larrout,
        "surf": surf,
        "infra": _draw(rng, _old_codes(year, "places", "infra", figures.INFRASTRUCTURE), size),
        "situ": _draw(rng, _old_codes(year, "places", "situ", figures.SITUATION), size),
        "env1": (np.full(size, NOT_GIVEN) if new else _draw(rng, figures.SCHOOL_NEARBY, size)),
        "vma": vma,
        "vma_published": vma_published,
    }


def _category_mixes(year: int) -> list[Distribution]:
    """Vehicle category distributions by context: road (motorway, outside, inside) x role
    (alone, hitting a pedestrian, one of several)."""
    base = figures.vehicle_mix(year)
    groups = np.array([figures.GROUP_NAMES[g] for g in GROUP_OF_CATEGORY[base.values]])
    mixes = []
    for road in ("motorway", "outside", "inside"):
        for role in ("alone", "pedestrian", "several"):
            weights = base.probabilities.copy()
            for context in (road, role):
                for group, factor in figures.CATEGORY_CONTEXT.get(context, {}).items():
                    weights[groups == group] *= factor
            mixes.append(Distribution(base.values, weights / weights.sum()))
    return mixes


def _old_categories(rng: np.random.Generator, catv: np.ndarray) -> np.ndarray:
    """Vehicle categories in the pre-2007 list (scooters, motorcycles, caravans...)."""
    remap = np.arange(100)
    for new_code, old_code in figures.OLD_CATEGORIES.items():
        remap[new_code] = old_code
    catv = remap[catv]
    u = rng.random(len(catv))
    for code, splits in figures.OLD_TRAILER_SPLITS.items():
        threshold = 0.0
        is_code = catv == code
        for split_code, share in splits:
            hit = is_code & (u >= threshold) & (u < threshold + share)
            catv = np.where(hit, split_code, catv)
            threshold += share
    return catv


@dataclass
class _Vehicles:
    accident: np.ndarray
    rank: np.ndarray
    group: np.ndarray
    columns: dict[str, np.ndarray]


def _vehicles(rng: np.random.Generator, acc: _Accidents) -> _Vehicles:
    year, size = acc.year, len(acc.agg)
    new = year >= figures.NEW_LAYOUT_FROM
    count = int(acc.vehicle_count.sum())
    accident = np.repeat(np.arange(size), acc.vehicle_count)
    start = np.cumsum(acc.vehicle_count) - acc.vehicle_count
    rank = np.arange(count) - start[accident]
    agg = acc.agg[accident]
    alone = (acc.vehicle_count == 1) & (acc.pedestrian_count == 0)
    hits_pedestrian = (rank == 0) & (acc.pedestrian_count[accident] > 0)
    role = np.where(alone[accident], 0, np.where(hits_pedestrian, 1, 2))
    road = np.where(acc.catr[accident] == 1, 0, np.where(agg == 1, 1, 2))
    catv = _draw_by(rng, road * 3 + role, _category_mixes(year))
    if year <= figures.OLD_CATEGORIES_UNTIL:
        catv = _old_categories(rng, catv)
    group = GROUP_OF_CATEGORY[catv]

    obstacle = _old_codes(year, "vehicles", "obs", figures.OBSTACLE_OTHERS)
    alone_obstacles = [
        _old_codes(year, "vehicles", "obs", figures.OBSTACLE_ALONE[a]) for a in (1, 2)
    ]
    obs = np.where(
        role == 0,
        _draw_by(rng, agg - 1, alone_obstacles),
        _draw(rng, obstacle, count),
    )
    obsm = np.where(
        role == 0,
        _draw_by(rng, agg - 1, [figures.MOVING_OBSTACLE_ALONE[a] for a in (1, 2)]),
        np.where(role == 1, 1, _draw(rng, figures.MOVING_OBSTACLE_OTHERS, count)),
    )
    public_transport = group == GROUP["public_transport"]
    occutc = np.where(
        public_transport, _draw(rng, figures.PUBLIC_TRANSPORT_OCCUPANTS, count), NOT_GIVEN
    )
    motor = np.full(count, NOT_GIVEN)
    if new:
        motor = _draw(rng, figures.engine_mix(year), count)
        motor = np.where(np.isin(catv, (1, 60)), 5, motor)
        motor = np.where(np.isin(catv, (50, 80)), 3, motor)

    # Letters: rows are in id order, but B01 often comes first; a few last vehicles are Z01.
    letter = rank.copy()
    swapped = (acc.vehicle_count == 2) & (rng.random(size) < figures.SWAPPED_LETTERS_SHARE)
    letter = np.where(swapped[accident], 1 - rank, letter)
    last = rank == acc.vehicle_count[accident] - 1
    z_share = figures.Z_VEHICLE_SHARE if new else figures.OLD_Z_VEHICLE_SHARE
    lettered_z = (acc.vehicle_count > 1) & ~swapped & (rng.random(size) < z_share)
    letter = np.where(last & lettered_z[accident], 25, letter)
    num_veh = LETTERS[letter]
    if not new:
        # Old files letter some last vehicles past H01 (R01, Y01) or with a second digit (B02).
        rare = (acc.vehicle_count > 1) & ~swapped & ~lettered_z
        rare &= rng.random(size) < figures.OLD_RARE_LETTER_SHARE
        rows = np.flatnonzero(last & rare[accident])
        num_veh[rows] = _draw(rng, figures.OLD_RARE_LETTERS, len(rows))
    base, step = figures.VEHICLE_ID_BASE
    # The first accident has the highest ids, as in the real files.
    ids = (
        base
        + step * (year - figures.NEW_LAYOUT_FROM)
        + (count - start[accident] - acc.vehicle_count[accident])
        + rank
    )
    columns = {
        "num_veh": num_veh,
        "id_vehicule": ids if new else np.full(count, NOT_GIVEN),
        "senc": _draw(rng, _old_codes(year, "vehicles", "senc", figures.DIRECTION), count),
        "catv": catv,
        "occutc": occutc,
        "obs": obs,
        "obsm": obsm,
        "choc": _draw(rng, figures.IMPACT, count),
        "manv": _draw(rng, _old_codes(year, "vehicles", "manv", figures.MANOEUVRE), count),
        "motor": motor,
    }
    return _Vehicles(accident, rank, group, columns)


@dataclass
class _Persons:
    accident: np.ndarray
    vehicle: np.ndarray
    profile: np.ndarray
    age: np.ndarray
    unprotected: np.ndarray
    columns: dict[str, np.ndarray]


def _persons(rng: np.random.Generator, acc: _Accidents, veh: _Vehicles) -> _Persons:
    year = acc.year
    new = year >= figures.NEW_LAYOUT_FROM
    vehicles = len(veh.group)
    passenger_counts = np.zeros(vehicles, dtype=np.int64)
    for name, weights in figures.PASSENGERS.items():
        rows = np.flatnonzero(veh.group == GROUP[name])
        passenger_counts[rows] = _draw(rng, figures.numbers(weights), len(rows))
    walkers = np.where(veh.rank == 0, acc.pedestrian_count[veh.accident], 0)
    per_vehicle = 1 + passenger_counts + walkers
    count = int(per_vehicle.sum())
    vehicle = np.repeat(np.arange(vehicles), per_vehicle)
    slot = np.arange(count) - (np.cumsum(per_vehicle) - per_vehicle)[vehicle]
    role = np.where(
        slot == 0,
        DRIVER_ROLE,
        np.where(slot <= passenger_counts[vehicle], PASSENGER_ROLE, PEDESTRIAN_ROLE),
    )
    group = veh.group[vehicle]
    profile = np.where(
        role == DRIVER_ROLE, group, np.where(role == PASSENGER_ROLE, PASSENGER, PEDESTRIAN)
    )
    male = np.array([figures.MALE_SHARE[p] for p in PROFILES])[profile]
    sexe = np.where(rng.random(count) < male, 1, 2)
    age_minimum, age_shape, age_scale = (
        np.array([figures.AGE[p][i] for p in PROFILES])[profile] for i in range(3)
    )
    age = np.minimum(age_minimum + rng.gamma(age_shape, age_scale), 99).astype(np.int64)
    unknown = rng.random(count) < figures.UNKNOWN_IDENTITY_SHARE
    sexe[unknown] = NOT_GIVEN
    an_nais = np.where(unknown, NOT_GIVEN, year - age)

    catu = role.copy()
    if not new:
        rolling = (role == PEDESTRIAN_ROLE) & (rng.random(count) < figures.ROLLER_PEDESTRIAN_SHARE)
        catu[rolling] = 4
    seat = _draw(rng, figures.PASSENGER_SEAT, count)
    seat = np.where(
        group == GROUP["public_transport"], _draw(rng, figures.PUBLIC_TRANSPORT_SEAT, count), seat
    )
    place = np.where(
        role == DRIVER_ROLE, 1, np.where(role == PASSENGER_ROLE, seat, 10 if new else NOT_GIVEN)
    )

    kind, use = _equipment(rng, role, group, age)
    unprotected = (use == figures.NOT_WORN) & np.isin(
        kind, (figures.BELT, figures.HELMET, figures.CHILD_SEAT)
    )
    walking = role == PEDESTRIAN_ROLE
    columns = {
        "place": place,
        "catu": catu,
        "sexe": sexe,
        "an_nais": an_nais,
        "trajet": _draw(rng, figures.TRIP, count),
        "secu_kind": kind,
        "secu_use": use,
        **_new_equipment(rng, kind, use, group, walking),
        **_pedestrian_details(rng, year, walking),
    }
    return _Persons(veh.accident[vehicle], vehicle, profile, age, unprotected, columns)


def _equipment(
    rng: np.random.Generator, role: np.ndarray, group: np.ndarray, age: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Equipment kind and use (1 worn, 2 not worn, 3 unknown) as the old `secu` has them."""
    size = len(role)
    motor = np.isin(group, (GROUP["moped"], GROUP["motorcycle"]))
    cycle = np.isin(group, (GROUP["cycle"], GROUP["mobility_device"]))
    other = group == GROUP["other"]
    public_passenger = (group == GROUP["public_transport"]) & (role == PASSENGER_ROLE)
    kind = np.where(
        motor | cycle, figures.HELMET, np.where(other, figures.OTHER_EQUIPMENT, figures.BELT)
    )
    kind = np.where(
        (kind == figures.BELT) & (role == PASSENGER_ROLE) & (age < 10), figures.CHILD_SEAT, kind
    )
    unbelted_seat = public_passenger & (rng.random(size) < figures.PUBLIC_TRANSPORT_NO_BELT_SHARE)
    kind = np.where(unbelted_seat, figures.NO_EQUIPMENT, kind)
    kind = np.where(role == PEDESTRIAN_ROLE, figures.NO_EQUIPMENT, kind)
    use_key = np.where(
        motor, "helmet_motor", np.where(cycle, "helmet_cycle", np.where(other, "other", "belt"))
    )
    worn = np.zeros(size)
    not_worn = np.zeros(size)
    for name, (p_worn, p_not, _) in figures.EQUIPMENT_USE.items():
        worn[use_key == name], not_worn[use_key == name] = p_worn, p_not
    u = rng.random(size)
    use = np.where(
        u < worn, figures.WORN, np.where(u < worn + not_worn, figures.NOT_WORN, figures.USE_UNKNOWN)
    )
    use = np.where(kind == figures.NO_EQUIPMENT, figures.NOT_WORN, use)
    return kind, use


def _new_equipment(
    rng: np.random.Generator, kind: np.ndarray, use: np.ndarray, group: np.ndarray,
    walking: np.ndarray,
) -> dict[str, np.ndarray]:  # fmt: skip
    """2019+ `secu1..3`: the equipment when worn, 0 when not, 8 when unknown."""
    size = len(kind)
    secu1 = np.where(use == figures.WORN, kind, np.where(use == figures.NOT_WORN, 0, 8))
    secu1 = np.where(walking, _draw(rng, figures.PEDESTRIAN_EQUIPMENT, size), secu1)
    motor = np.isin(group, (GROUP["moped"], GROUP["motorcycle"]))
    cycle = np.isin(group, (GROUP["cycle"], GROUP["mobility_device"]))
    second = _draw_by(
        rng,
        np.where(motor, 0, np.where(cycle, 1, 2)),
        [figures.SECOND_EQUIPMENT["motor"], figures.SECOND_EQUIPMENT["cycle"],
         figures.SECOND_EQUIPMENT["other"]],
    )  # fmt: skip
    return {
        "secu1": secu1,
        "secu2": np.where(walking, NOT_GIVEN, second),
        "secu3": _draw(rng, figures.THIRD_EQUIPMENT, size),
    }


def _pedestrian_details(
    rng: np.random.Generator, year: int, walking: np.ndarray
) -> dict[str, np.ndarray]:
    """`locp`, `actp`, `etatp`: drawn for pedestrians; for others 0 or not given."""
    size = len(walking)
    new = year >= figures.NEW_LAYOUT_FROM
    location = _old_codes(year, "persons", "locp", figures.PEDESTRIAN_LOCATION)
    action = _old_codes(year, "persons", "actp", figures.PEDESTRIAN_ACTION)
    blank = new & (rng.random(size) < figures.BLANK_PEDESTRIAN_DETAILS_SHARE)
    return {
        "locp": np.where(walking, _draw(rng, location, size), np.where(blank, NOT_GIVEN, 0)),
        "actp": np.where(walking, _draw(rng, action, size), np.where(blank, str(NOT_GIVEN), "0")),
        "etatp": np.where(walking, _draw(rng, figures.PEDESTRIAN_GROUP, size), NOT_GIVEN),
    }


def _risk(acc: _Accidents, veh: _Vehicles, per: _Persons) -> np.ndarray:
    """Each accident's log-odds of being KSI, without the year's intercept."""
    size = len(acc.agg)
    effects = figures.KSI_EFFECTS
    catv = veh.columns["catv"]
    group = veh.group
    heavy = _any(veh.accident, group == GROUP["heavy"], size)
    several = (acc.vehicle_count > 1) | (acc.pedestrian_count > 0)
    obstacle = np.zeros(size)
    np.maximum.at(obstacle, veh.accident, _lookup(figures.OBSTACLE_EFFECTS, veh.columns["obs"]))
    kind = per.columns["secu_kind"]
    columns = acc.columns
    return (
        effects["outside_built_up"] * (acc.agg == 1)
        + _lookup(figures.ROAD_EFFECTS, acc.catr)
        + effects["per_10_kmh_over_50"] * (acc.vma - 50) / 10
        + effects["pedestrian"] * (acc.pedestrian_count > 0)
        + effects["motorcycle"] * _any(veh.accident, group == GROUP["motorcycle"], size)
        + effects["moped"] * _any(veh.accident, group == GROUP["moped"], size)
        + effects["cycle"]
        * _any(veh.accident, np.isin(group, (GROUP["cycle"], GROUP["mobility_device"])), size)
        + effects["heavy_vehicle"] * (heavy & several)
        + effects["rail"] * _any(veh.accident, np.isin(catv, (19, 39, 40)), size)
        + effects["unbelted"]
        * _any(
            per.accident, per.unprotected & np.isin(kind, (figures.BELT, figures.CHILD_SEAT)), size
        )
        + effects["no_helmet"]
        * _any(per.accident, per.unprotected & (kind == figures.HELMET), size)
        + effects["elderly"] * _any(per.accident, per.age >= 75, size)
        + effects["night_hours"] * (columns["hour"] < 6)
        + _lookup(figures.LIGHT_EFFECTS, columns["lum"])
        + _lookup(figures.COLLISION_EFFECTS, columns["col"])
        + obstacle
        + _lookup(figures.WEATHER_EFFECTS, columns["atm"])
    )


def _gravity(
    rng: np.random.Generator, acc: _Accidents, veh: _Vehicles, per: _Persons
) -> np.ndarray:
    """Per-person `grav`: accidents drawn KSI (or fatal) have at least one such person, every
    accident at least one injured person; the most exposed person is the likeliest victim."""
    size, count = len(acc.agg), len(per.accident)
    risk = _risk(acc, veh, per)
    ksi_share = figures.yearly_share(figures.KSI_SHARE, acc.year)
    ksi = rng.random(size) < _sigmoid(_intercept(risk, ksi_share) + risk)
    killed_share = figures.yearly_share(figures.KILLED_SHARE, acc.year) / ksi_share
    slope = figures.KILLED_SLOPE * risk
    killed = ksi & (rng.random(size) < _sigmoid(_intercept(slope[ksi], killed_share) + slope))

    effects = figures.PERSON_EFFECTS
    # Passengers are as exposed as their driver: vulnerability follows how one travels.
    travel = np.where(per.profile == PEDESTRIAN, PEDESTRIAN, veh.group[per.vehicle])
    exposure = (
        VULNERABILITY[travel]
        + effects["unprotected"] * per.unprotected
        + effects["elderly"] * (per.age >= 75)
        + effects["senior"] * ((per.age >= 65) & (per.age < 75))
        + effects["child"] * (per.age < 14)
        + effects["passenger"] * (per.profile == PASSENGER)
    )
    key = exposure + rng.gumbel(size=count)
    order = np.lexsort((-key, per.accident))
    first = np.ones(count, dtype=bool)
    first[1:] = per.accident[order][1:] != per.accident[order][:-1]
    victim = np.zeros(count, dtype=bool)
    victim[order[first]] = True

    acc_ksi, acc_killed = ksi[per.accident], killed[per.accident]
    injured = rng.random(count) < _sigmoid(exposure + figures.OTHERS_INJURED_OFFSET)
    grav = np.where(injured, 4, 1)
    others_ksi = acc_ksi & (rng.random(count) < _sigmoid(exposure + figures.OTHERS_KSI_OFFSET))
    also_killed = acc_killed & (rng.random(count) < figures.KILLED_OTHERS_SHARE)
    grav = np.where(others_ksi, np.where(also_killed, 2, 3), grav)
    return np.where(victim, np.where(acc_killed, 2, np.where(acc_ksi, 3, 4)), grav)


def _extra_places(
    rng: np.random.Generator, num_acc: np.ndarray, places: dict[str, np.ndarray]
) -> pd.DataFrame:
    """One row per place; a few accidents get a second row (another road at the same spot)."""
    frame = pd.DataFrame({"num_acc": num_acc, "seq": 1, **places})
    second = np.flatnonzero(rng.random(len(num_acc)) < figures.EXTRA_PLACE_SHARE)
    extra = frame.iloc[second].copy()
    extra["seq"] = 2
    extra["catr"] = np.where(extra["catr"].to_numpy() == 4, 3, 4)
    extra["voie"] = None
    both = pd.concat([frame, extra], ignore_index=True)
    return both.sort_values(["num_acc", "seq"], kind="stable").reset_index(drop=True)


def generate_year(year: int, scale: float, seed: int) -> YearRecords:
    """One year of demo records at `scale` times the national accident count."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, year]))
    size = figures.accident_count(year, scale)
    acc = _accidents(rng, year, size)
    veh = _vehicles(rng, acc)
    per = _persons(rng, acc, veh)
    grav = _gravity(rng, acc, veh, per)

    num_acc = year * 100_000_000 + 1 + np.arange(size, dtype=np.int64)
    accidents = pd.DataFrame({"num_acc": num_acc, "year": year, **acc.columns})
    places = _extra_places(rng, num_acc, acc.places)
    vehicles = pd.DataFrame({"num_acc": num_acc[veh.accident], **veh.columns})
    count = len(per.accident)
    person_ids = np.full(count, NOT_GIVEN)
    if year >= figures.PERSON_IDS_FROM:
        base, step = figures.PERSON_ID_BASE
        person_ids = base + step * (year - figures.PERSON_IDS_FROM) + count - 1 - np.arange(count)
    persons = pd.DataFrame(
        {
            "num_acc": num_acc[per.accident],
            "id_usager": person_ids,
            "id_vehicule": veh.columns["id_vehicule"][per.vehicle],
            "num_veh": veh.columns["num_veh"][per.vehicle],
            "grav": grav,
            **per.columns,
        }
    )
    if year < figures.NEW_LAYOUT_FROM:
        _leave_out(rng, places, "lieux")
        _leave_out(rng, vehicles, "vehicules")
    return YearRecords(year, accidents, places, vehicles, persons)


def _leave_out(rng: np.random.Generator, frame: pd.DataFrame, table: str) -> None:
    """Old files leave values out at the rates of the real 2018 files, counting those the
    draws already left out (after gravity: a value left out of the file still shaped it)."""
    rows = figures.OLD_FILE_ROWS[table]
    for (left_table, column), (zeros, empty) in figures.OLD_LEFT_OUT.items():
        if left_table != table:
            continue
        missing = frame[column].isna() | (frame[column] == NOT_GIVEN)
        drawn = float(missing.mean())
        extra = max(0.0, ((zeros + empty) / rows - drawn) / (1 - drawn))
        out = ~missing & (rng.random(len(frame)) < extra)
        frame.loc[out, column] = np.nan if frame[column].dtype.kind == "f" else NOT_GIVEN
