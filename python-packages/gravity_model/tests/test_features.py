from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from data import training_frame

from gravity_model.features import (
    BASELINE_FEATURES,
    FEATURE_NAMES,
    FEATURES,
    feature,
    records_to_frame,
)
from gravity_model.pipelines import build_baseline, build_main, threads_for
from road_accidents_database_ingestion.codes import variable


def test_every_feature_is_fully_described():
    assert len(set(FEATURE_NAMES)) == len(FEATURES)
    for spec in FEATURES:
        assert spec.label_fr and spec.label_en and spec.description and spec.sql
        if spec.kind == "numeric":
            low, high = spec.domain
            assert low < high
        if spec.kind == "boolean":
            assert spec.domain == (False, True)
    assert set(BASELINE_FEATURES) < set(FEATURE_NAMES)


def test_coded_domains_and_labels_come_from_the_code_list():
    for spec in FEATURES:
        if spec.kind == "categorical" and spec.name != "dep":
            coded = variable(spec.source, spec.name)
            assert spec.domain == tuple(code.value for code in coded.codes)
            assert spec.label(spec.domain[0], "fr") == coded.codes[0].fr
    assert {"75", "2A", "971"} <= set(feature("dep").domain)


def test_records_to_frame_gives_spec_order_dtypes_and_nan():
    frame = records_to_frame(
        [{"lum": 3, "dep": 1, "hour": 22, "car": True}, {"lum": 42, "dep": "2a"}]
    )
    assert tuple(frame.columns) == FEATURE_NAMES
    assert isinstance(frame["lum"].dtype, pd.CategoricalDtype)
    assert frame["hour"].dtype == np.float64 and frame["car"].dtype == np.float64
    assert frame.at[0, "lum"] == 3 and frame.at[0, "dep"] == "01" and frame.at[0, "car"] == 1.0
    assert pd.isna(frame.at[1, "lum"])  # outside the code list
    assert frame.at[1, "dep"] == "2A"
    assert math.isnan(frame.at[1, "hour"]) and math.isnan(frame.at[1, "vma"])


def test_records_to_frame_refuses_unknown_fields():
    with pytest.raises(ValueError, match="speed"):
        records_to_frame([{"speed": 50}])


def test_the_main_pipeline_consumes_every_feature_and_nothing_else():
    frame, target = training_frame()
    with threads_for(len(target)):
        pipeline = build_main(seed=0).fit(frame.assign(unrelated=1.0), target)
    columns = pipeline.named_steps["columns"]
    consumed = [n for _, step, names in columns.transformers_ if step != "drop" for n in names]
    assert sorted(consumed) == sorted(FEATURE_NAMES)
    assert tuple(columns.get_feature_names_out()) == tuple(consumed)
    # Another value in the extra column changes nothing; a missing feature is an error.
    with threads_for(len(target)):
        before = pipeline.predict_proba(frame.assign(unrelated=1.0))
        assert np.array_equal(before, pipeline.predict_proba(frame.assign(unrelated=-5.0)))
        for name in FEATURE_NAMES:
            with pytest.raises(ValueError, match=name):
                pipeline.predict_proba(frame.drop(columns=[name]).assign(unrelated=1.0))


def test_the_baseline_consumes_its_columns_only():
    frame, target = training_frame()
    pipeline = build_baseline(seed=0, n_rows=len(target)).fit(frame, target)
    columns = pipeline.named_steps["columns"]
    consumed = [n for _, step, names in columns.transformers_ if step != "drop" for n in names]
    assert sorted(consumed) == sorted(BASELINE_FEATURES)
