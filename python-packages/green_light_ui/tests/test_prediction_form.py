"""The Predict form derives from the feature specification: every feature once, labels from
the code list, records typed as model_api's strict schema wants them."""

from __future__ import annotations

import pandas as pd

from gravity_model.features import FEATURE_NAMES, FEATURES, feature
from green_light_ui.dashboards.prediction import (
    GROUPS,
    History,
    PlaceChoice,
    choice_label,
    factors,
    prefill,
    record,
)


def test_every_feature_appears_once_in_the_form():
    placed = [name for names in GROUPS.values() for name in names]
    assert sorted(placed) == sorted(FEATURE_NAMES)
    assert len(placed) == len(set(placed))


def test_choices_are_labels_never_codes():
    for spec in FEATURES:
        if spec.kind == "categorical":
            for code in spec.codes:
                assert choice_label(spec, code.value) == code.en
    assert choice_label(feature("weekday"), 1) == "Monday"
    assert choice_label(feature("hour"), 17) == "17:00-17:59"
    assert choice_label(feature("bicycle"), True) == "Yes"
    assert choice_label(feature("lum"), None) == "Unknown"


def test_prefill_takes_the_usual_values_and_the_record_is_typed():
    history = History(
        pd.DataFrame(
            {
                **{name: [None, None, None] for name in FEATURE_NAMES},
                "lum": [1, 1, 5],
                "hour": [8.0, 9.0, 18.0],
                "dep": ["31", "31", "32"],
                "car": [1, 1, 0],
                "ksi": [True, False, False],
            }
        ),
        total=3,
        ksi_accidents=1,
    )
    values = prefill(history, PlaceChoice.at_point(43.6, 1.44))
    assert (values["lum"], values["hour"], values["dep"], values["car"]) == (1, 9.0, "31", True)
    assert (values["lat"], values["lon"]) == (43.6, 1.44)
    assert values["atm"] is None
    assert history.ksi_share == 1 / 3
    body = record(values)
    assert list(body) == list(FEATURE_NAMES)
    assert type(body["lum"]) is int and type(body["hour"]) is float and body["car"] is True


def test_factors_show_labels():
    table = factors(
        [
            {"feature": "lum", "label": "Light conditions", "value": 5, "effect": 0.04},
            {"feature": "bicycle", "label": "Bicycle", "value": False, "effect": -0.01},
        ]
    )
    assert table["value"].tolist() == [choice_label(feature("lum"), 5), "No"]
    assert table["direction"].tolist() == ["raises", "lowers"]
