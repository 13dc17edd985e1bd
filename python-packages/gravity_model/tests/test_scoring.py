from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from data import training_frame

from gravity_model import scoring
from gravity_model.features import FEATURES, records_to_frame
from gravity_model.pipelines import build_main, fit
from gravity_model.registry import ServedModel
from gravity_model.scoring import UnscorableValue, compile_scorer, probe_records


@pytest.fixture(scope="module")
def fitted():
    """The main model (calibrated boosting), and the frame and target it was fitted on."""
    frame, target = training_frame(3000)
    half = len(target) // 2
    model = fit("main", frame[:half], target[:half], frame[half:], target[half:], seed=0)
    return model, frame, target


def raw_records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows as API clients send them: codes, numbers, booleans and None."""
    records = frame.astype(object).to_dict("records")
    return [{k: None if pd.isna(v) else v for k, v in r.items()} for r in records]


def served(model) -> ServedModel:
    return ServedModel(
        name="accident_gravity",
        version="1",
        alias=None,
        threshold=0.5,
        metrics={},
        data_years=[2021],
        trained_at=datetime.now(UTC),
        model=model,
        reference={},
        scorer=compile_scorer(model),
    )


def test_the_fast_path_reproduces_the_main_model_exactly(fitted):
    model, frame, _ = fitted
    scorer = compile_scorer(model)
    assert scorer is not None
    assert len(model.calibrated_classifiers_[0].estimator.estimator[-1]._predictors) > 5
    # Training rows, every code and bound of every feature, sparse and empty records.
    records = [*raw_records(frame), *probe_records(), {"lum": 3, "dep": "2A"}, {}]
    expected = model.predict_proba(records_to_frame(records))[:, 1]
    got = scorer.predict(records)
    assert np.array_equal(got, expected)
    assert len(np.unique(got)) > 20  # the records are scored apart, not all alike


def test_values_to_normalise_go_through_the_full_model(fitted):
    model, frame, _ = fitted
    record = raw_records(frame)[0]
    as_text = {**record, "lum": str(record["lum"]), "dep": "2a", "car": "t"}
    with pytest.raises(UnscorableValue):
        compile_scorer(model).predict([as_text])
    expected = model.predict_proba(records_to_frame([as_text]))[:, 1]
    assert np.array_equal(served(model).predict_records([as_text]), expected)
    with pytest.raises(ValueError, match="speed"):
        served(model).predict_records([{**record, "speed": 50}])


def test_models_of_another_shape_are_scored_in_full(fitted):
    _, frame, target = fitted
    uncalibrated = build_main(seed=0).fit(frame, target)
    baseline = fit("baseline", frame, target, frame, target, seed=0)
    assert compile_scorer(uncalibrated) is None
    assert compile_scorer(baseline) is None
    records = raw_records(frame.head(50))
    expected = baseline.predict_proba(records_to_frame(records))[:, 1]
    assert np.array_equal(served(baseline).predict_records(records), expected)


def test_a_fast_path_that_disagrees_is_not_used(fitted, monkeypatch):
    model, _, _ = fitted
    monkeypatch.setattr(scoring, "PROBE_TOLERANCE", -1.0)
    assert compile_scorer(model) is None


def test_probe_records_use_every_code():
    probes = probe_records()
    for spec in FEATURES:
        used = {record[spec.name] for record in probes}
        assert set(spec.domain) <= used
        assert None in used
