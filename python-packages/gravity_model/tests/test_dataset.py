from __future__ import annotations

import numpy as np
import pandas as pd
from data import insert_synthetic, synthetic_tables

from gravity_model.dataset import available_years, load_dataset
from gravity_model.features import FEATURE_NAMES


def test_features_and_target_are_computed_per_accident_in_sql(database_url):
    insert_synthetic(database_url, [2018, 2019], per_year=300, seed=5)
    tables = synthetic_tables([2018, 2019], per_year=300, seed=5)
    data = load_dataset(database_url)

    assert tuple(data.features.columns) == FEATURE_NAMES
    assert len(data) == 600 and list(data.num_acc) == sorted(data.num_acc)
    persons, vehicles = tables["persons"], tables["vehicles"]
    by_accident = pd.DataFrame({"num_acc": data.num_acc}).set_index("num_acc")
    expected_ksi = persons.groupby("num_acc")["grav"].apply(lambda g: g.isin([2, 3]).any())
    assert np.array_equal(data.target, expected_ksi.reindex(by_accident.index).astype(int))
    expected_pedestrians = persons.assign(p=persons["catu"] == 3).groupby("num_acc")["p"].sum()
    assert np.array_equal(
        data.features["pedestrian_count"], expected_pedestrians.reindex(by_accident.index)
    )
    expected_vehicles = vehicles.groupby("num_acc").size()
    assert np.array_equal(
        data.features["vehicle_count"], expected_vehicles.reindex(by_accident.index)
    )
    assert data.features["vma"][data.years == 2018].isna().all()
    assert data.features["vma"][data.years == 2019].notna().all()
    assert set(data.features["car"].unique()) <= {0.0, 1.0}


def test_years_select_the_data(database_url):
    insert_synthetic(database_url, [2019, 2020, 2021], per_year=50, seed=1)
    assert available_years(database_url) == [2019, 2020, 2021]
    data = load_dataset(database_url, [2020])
    assert set(data.years) == {2020} and len(data) == 50
