"""Test data for the gravity model: the one place that puts accidents into a database.

`load_sample` and `load_generated` go through the ingestion pipeline (the real 2021 sample and
demo BAAC folders); `insert_synthetic` COPYs rows straight into the harmonised tables when a
test needs a signal it controls. The synthetic accidents carry a
known KSI signal, some of it in features the 2024 baseline does not see (two-wheelers, fixed
obstacles, ages, safety equipment), and `signal` scales it per year (0 = labels are noise).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from gravity_model.features import FEATURE_NAMES, records_to_frame
from green_light_platform.db.engine import connect
from road_accidents_database_ingestion.tables import ACCIDENTS, PERSONS, PLACES, VEHICLES

log = logging.getLogger(__name__)

_DEPARTEMENTS = ("75", "13", "69", "59", "33", "31", "44", "67", "2A", "971", "974", "06", "38")
_CENTRES = {
    "75": (48.86, 2.35),
    "13": (43.30, 5.37),
    "69": (45.76, 4.84),
    "59": (50.63, 3.06),
    "33": (44.84, -0.58),
    "31": (43.60, 1.44),
    "44": (47.22, -1.55),
    "67": (48.58, 7.75),
    "2A": (41.93, 8.74),
    "971": (16.24, -61.53),
    "974": (-21.11, 55.53),
    "06": (43.70, 7.27),
    "38": (45.19, 5.72),
}
# catv codes and how often a vehicle is of each.
_CATV = np.array([7, 10, 33, 30, 2, 1, 80, 50, 14, 37, 40, 21])
_CATV_P = np.array([0.58, 0.08, 0.07, 0.05, 0.03, 0.06, 0.02, 0.03, 0.03, 0.02, 0.01, 0.02])
_TWO_WHEELERS = {2, 30, 33}


def _choice(
    rng: np.random.Generator, values: Sequence[int], n: int, p: Sequence[float]
) -> np.ndarray:
    weights = np.asarray(p, dtype=float)
    return rng.choice(np.asarray(values), size=n, p=weights / weights.sum())


def synthetic_tables(
    years: Sequence[int],
    per_year: int,
    seed: int = 0,
    signal: float | Mapping[int, float] = 1.0,
) -> dict[str, pd.DataFrame]:
    """Harmonised rows (without provenance) of `per_year` accidents for each year."""
    rng = np.random.default_rng(seed)
    n = per_year * len(years)
    year = np.repeat(np.asarray(years, dtype=int), per_year)
    strength = (
        np.array([signal.get(int(y), 1.0) for y in year])
        if isinstance(signal, Mapping)
        else np.full(n, float(signal))
    )
    num_acc = year.astype(np.int64) * 100_000_000 + np.tile(np.arange(1, per_year + 1), len(years))
    month = rng.integers(1, 13, n)
    day = rng.integers(1, 29, n)
    hour = rng.integers(0, 24, n)
    dep = rng.choice(np.array(_DEPARTEMENTS), n)
    centre = np.array([_CENTRES[d] for d in dep])
    agg = _choice(rng, [1, 2], n, [0.35, 0.65])
    lum = np.where(
        (hour >= 7) & (hour <= 19),
        _choice(rng, [1, 2], n, [0.9, 0.1]),
        _choice(rng, [3, 4, 5], n, [0.4, 0.1, 0.5]),
    )
    accidents = pd.DataFrame(
        {
            "num_acc": num_acc,
            "year": year,
            "month": month,
            "day": day,
            "hour": hour,
            "minute": rng.integers(0, 60, n),
            "accident_date": pd.to_datetime({"year": year, "month": month, "day": day}).dt.date,
            "lum": lum,
            "agg": agg,
            "inter": _choice(rng, range(1, 10), n, [6, 2, 2, 1, 1, 1, 1, 0.2, 0.5]),
            "atm": _choice(rng, range(1, 10), n, [8, 1, 0.3, 0.1, 0.1, 0.1, 0.2, 0.5, 0.1]),
            "col": _choice(rng, range(1, 8), n, [1, 2, 3, 0.5, 0.5, 2, 1.5]),
            "dep": dep,
            "com": None,
            "com_current": None,
            "adr": None,
            "gps": None,
            "lat": centre[:, 0] + rng.normal(0, 0.2, n),
            "lon": centre[:, 1] + rng.normal(0, 0.2, n),
        }
    )
    vma = np.where(agg == 1, _choice(rng, [80, 90, 110, 130], n, [5, 2, 1, 1]), 50)
    places = pd.DataFrame(
        {
            "num_acc": num_acc,
            "year": year,
            "seq": 1,
            "catr": np.where(agg == 1, _choice(rng, [1, 2, 3], n, [1, 1, 4]), 4),
            "circ": _choice(rng, [1, 2, 3, 4], n, [2, 6, 2, 0.1]),
            "nbv": rng.integers(1, 5, n),
            "vosp": _choice(rng, [0, 1, 2, 3], n, [9, 0.4, 0.4, 0.2]),
            "prof": _choice(rng, [1, 2, 3, 4], n, [8, 2, 0.5, 0.5]),
            "plan": _choice(rng, [1, 2, 3, 4], n, [7, 1, 1, 0.3]),
            "surf": _choice(rng, range(1, 10), n, [8, 2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
            "infra": _choice(rng, range(10), n, [8, 0.2, 0.3, 0.3, 0.1, 1, 0.2, 0.1, 0.2, 0.1]),
            "situ": _choice(rng, [1, 2, 3, 4, 5, 6, 8], n, [9, 0.2, 0.5, 0.4, 0.2, 0.1, 0.1]),
            "vma": np.where(year >= 2019, vma, -1),
        }
    ).replace({"vma": {-1: None}})

    vehicle_count = np.minimum(1 + rng.poisson(0.7, n), 6)
    v_acc = np.repeat(np.arange(n), vehicle_count)
    v_rank = np.arange(len(v_acc)) - np.repeat(
        np.cumsum(vehicle_count) - vehicle_count, vehicle_count
    )
    catv = rng.choice(_CATV, len(v_acc), p=_CATV_P / _CATV_P.sum())
    obs = np.where(
        (vehicle_count[v_acc] == 1) & (rng.random(len(v_acc)) < 0.3),
        rng.integers(1, 18, len(v_acc)),
        0,
    )
    vehicles = pd.DataFrame(
        {
            "num_acc": num_acc[v_acc],
            "year": year[v_acc],
            "num_veh": [f"{chr(65 + r)}01" for r in v_rank],
            "catv": catv,
            "obs": obs,
            "obsm": np.where(vehicle_count[v_acc] > 1, 2, 0),
            "choc": rng.integers(1, 10, len(v_acc)),
            "manv": rng.integers(1, 27, len(v_acc)),
            "motor": np.where(year[v_acc] >= 2019, 1, -1),
        }
    ).replace({"motor": {-1: None}})

    occupants = 1 + rng.poisson(0.35, len(v_acc))
    p_veh = np.repeat(np.arange(len(v_acc)), occupants)
    p_rank_in_vehicle = np.arange(len(p_veh)) - np.repeat(
        np.cumsum(occupants) - occupants, occupants
    )
    pedestrian_accident = (vehicle_count == 1) & (agg == 2) & (rng.random(n) < 0.25)
    p_veh = np.concatenate([p_veh, np.flatnonzero(v_rank == 0)[pedestrian_accident]])
    catu = np.concatenate(
        [np.where(p_rank_in_vehicle == 0, 1, 2), np.full(int(pedestrian_accident.sum()), 3)]
    )
    order = np.argsort(v_acc[p_veh], kind="stable")
    p_veh, catu = p_veh[order], catu[order]
    p_acc = v_acc[p_veh]
    age = np.clip(rng.normal(42, 18, len(p_acc)), 1, 95).astype(int)
    two_wheeler = np.isin(catv[p_veh], list(_TWO_WHEELERS))
    unprotected = (catu < 3) & (rng.random(len(p_acc)) < 0.06)
    secu1 = np.where(catu == 3, 0, np.where(two_wheeler, 2, 1))
    secu1 = np.where(unprotected, 0, secu1)

    def per_accident(flags: np.ndarray, index: np.ndarray) -> np.ndarray:
        return np.bincount(index, weights=flags.astype(float), minlength=n) > 0

    oldest = np.zeros(n)
    np.maximum.at(oldest, p_acc, age)
    logit = -2.4 + strength * (
        1.0 * (agg == 1)
        + 1.2 * per_accident(catu == 3, p_acc)
        + 2.0 * per_accident(np.isin(catv, list(_TWO_WHEELERS)), v_acc)
        + 2.0 * per_accident(obs > 0, v_acc)
        + 1.5 * per_accident(unprotected, p_acc)
        + 1.0 * per_accident(np.isin(catv, [14, 21]), v_acc)
        + 0.6 * (lum == 3)
        + 0.04 * (oldest - 45)
    )
    ksi = rng.random(n) < 1 / (1 + np.exp(-logit))
    persons_per_accident = np.bincount(p_acc, minlength=n)
    first_person = np.cumsum(persons_per_accident) - persons_per_accident
    victim = first_person + (rng.random(n) * persons_per_accident).astype(int)
    grav = _choice(rng, [1, 4], len(p_acc), [0.5, 0.5])
    grav[victim[~ksi]] = 4
    grav[victim[ksi]] = _choice(rng, [2, 3], int(ksi.sum()), [0.12, 0.88])
    persons = pd.DataFrame(
        {
            "num_acc": num_acc[p_acc],
            "year": year[p_acc],
            "seq": np.arange(len(p_acc)) - first_person[p_acc] + 1,
            "num_veh": vehicles["num_veh"].to_numpy()[p_veh],
            "place": np.where(catu == 3, 10, np.where(catu == 1, 1, 2)),
            "catu": catu,
            "grav": grav,
            "sexe": rng.integers(1, 3, len(p_acc)),
            "an_nais": year[p_acc] - age,
            "trajet": _choice(rng, [0, 1, 2, 3, 4, 5, 9], len(p_acc), [1, 2, 0.5, 1, 1, 3, 1]),
            "secu1": secu1,
        }
    )
    return {"accidents": accidents, "places": places, "vehicles": vehicles, "persons": persons}


def training_frame(rows: int = 400, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    """A feature frame of synthetic accidents (other features random) and a target.

    The target follows the built-up area and the hour, with noise, so that a model fitted on
    it grows real trees.
    """
    tables = synthetic_tables([2021], rows, seed=seed)
    accidents = tables["accidents"].merge(tables["places"], on=["num_acc", "year"])
    rng = np.random.default_rng(seed)
    raw = {
        name: accidents[name] if name in accidents else rng.random(rows) for name in FEATURE_NAMES
    }
    frame = records_to_frame(pd.DataFrame(raw).to_dict("records"))
    signal = (accidents["agg"].to_numpy() == 1) + (accidents["hour"].to_numpy() < 6)
    target = (signal + rng.random(rows) > 1.2).astype(int)
    return frame, target


def insert_synthetic(
    database_url: str,
    years: Sequence[int],
    per_year: int,
    seed: int = 0,
    signal: float | Mapping[int, float] = 1.0,
) -> int:
    """COPY synthetic accidents of `years` into the harmonised tables; returns how many."""
    tables = synthetic_tables(years, per_year, seed, signal)
    with connect(database_url) as conn, conn.cursor() as cursor:
        for spec in (ACCIDENTS, PLACES, VEHICLES, PERSONS):
            frame = tables[spec.name]
            file_ids = {}
            for y in years:
                file_ids[y] = cursor.execute(
                    "INSERT INTO source_files (path, year, table_name, layout, size_bytes, sha256,"
                    " status) VALUES (%s, %s, %s, 'synthetic', 0, %s, 'loaded') RETURNING id",
                    (f"synthetic/{y}/{spec.baac_name}.csv", y, spec.baac_name, f"seed{seed}"),
                ).fetchone()[0]
            frame = frame.assign(
                source_file_id=frame["year"].map(file_ids),
                source_line=frame.groupby("year").cumcount() + 2,
            )
            columns = [c for c in spec.column_names if c in frame.columns]
            buffer = io.StringIO()
            frame[columns].to_csv(buffer, index=False, header=False)
            column_list = ", ".join(columns)
            with cursor.copy(
                f"COPY {spec.name} ({column_list}) FROM STDIN WITH (FORMAT csv)"
            ) as copy:
                copy.write(buffer.getvalue())
    log.info("inserted synthetic accidents", extra={"accidents": len(tables["accidents"])})
    return len(tables["accidents"])


def load_sample(database_url: str, sample: Path) -> None:
    """The real 2021 sample (the folder `real_2021_sample` gives) through the ingestion."""
    from road_accidents_database_ingestion.pipeline import ingest

    ingest(database_url, sample.parent, years=[2021])


def load_generated(
    database_url: str, workdir: Path, years: Sequence[int], scale: float, seed: int
) -> None:
    """Demo BAAC folders through the ingestion pipeline."""
    from baac_demo_data import generate_demo_data
    from road_accidents_database_ingestion.pipeline import ingest

    generate_demo_data(workdir, years, scale, seed)
    ingest(database_url, workdir, years=years)
