from __future__ import annotations

import numpy as np
import pytest

from gravity_model.evaluation import choose_threshold, metrics, random_split, temporal_split


def test_the_temporal_split_tests_on_the_latest_year_and_validates_on_the_one_before():
    years = np.repeat([2019, 2020, 2021, 2022], 50)
    target = np.tile([0, 1], 100)
    split = temporal_split(years, target, seed=0)
    assert set(years[split.test]) == {2022}
    assert set(years[split.validation]) == {2021}
    assert set(years[split.train]) == {2019, 2020}


def test_with_two_years_validation_comes_from_the_earlier_one_and_one_year_has_none():
    years = np.repeat([2020, 2021], 50)
    target = np.tile([0, 1], 50)
    split = temporal_split(years, target, seed=0)
    assert set(years[split.test]) == {2021}
    assert set(years[split.validation]) == set(years[split.train]) == {2020}
    assert not set(split.train) & set(split.validation)
    assert temporal_split(np.full(10, 2021), target[:10], seed=0) is None


def test_the_random_split_covers_every_row_once():
    target = np.tile([0, 0, 1], 100)
    split = random_split(target, seed=0)
    rows = np.concatenate([split.train, split.validation, split.test])
    assert sorted(rows) == list(range(300))
    assert len(split.test) == 90


def test_threshold_and_metrics():
    target = np.array([0, 0, 0, 1, 1, 1])
    probability = np.array([0.1, 0.2, 0.6, 0.55, 0.8, 0.9])
    threshold = choose_threshold(target, probability)
    assert threshold == 0.55
    scores = metrics(target, probability, threshold)
    assert scores["recall"] == 1.0 and scores["precision"] == 0.75
    assert 0 < scores["brier"] < 0.25 and scores["roc_auc"] == pytest.approx(8 / 9)
