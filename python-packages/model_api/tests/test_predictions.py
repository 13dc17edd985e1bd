"""Predictions: one record, a batch, an explanation; strict validation; the prediction log."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from gravity_model.features import FEATURES
from model_api.schemas import example_record

from .api_support import logged_rows, random_records

CATEGORICAL = next(f for f in FEATURES if f.kind == "categorical")
NUMERIC = next(f for f in FEATURES if f.kind == "numeric")


def test_predict_answers_probability_class_and_model_and_is_logged(api, database_url):
    response = api.client.post("/predict", json=example_record(), headers=api.user_headers())
    assert response.status_code == 200
    body = response.json()
    assert 0 <= body["probability"] <= 1
    assert body["predicted_class"] == int(body["probability"] >= body["threshold"])
    assert body["prediction"] == [body["predicted_class"]]
    assert body["model"] == {"name": "accident_gravity", "version": "1", "alias": "champion"}

    [row] = logged_rows(database_url, 1)
    assert row[:4] == ("accident_gravity", "1", "predict", "alice")
    assert row[4] == example_record()
    assert row[5] == pytest.approx(body["probability"])
    assert row[6] == body["predicted_class"]


def test_batch_answers_in_order_and_logs_every_record(api, database_url):
    headers = api.user_headers()
    records = random_records(50, seed=7)
    response = api.client.post("/predict/batch", json={"records": records}, headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["model"]["version"] == "1"
    assert len(body["predictions"]) == 50
    single = api.client.post("/predict", json=records[3], headers=headers).json()
    assert body["predictions"][3]["probability"] == pytest.approx(single["probability"])

    rows = logged_rows(database_url, 51)
    assert [r[2] for r in rows] == ["predict/batch"] * 50 + ["predict"]
    assert [r[4] for r in rows[:50]] == records


def test_concurrent_single_predictions_each_get_their_own_answer(api):
    """Single records arriving together are predicted together; answers must not mix."""
    headers = api.user_headers()
    records = random_records(64, seed=11)
    batch = api.client.post("/predict/batch", json={"records": records}, headers=headers).json()
    with ThreadPoolExecutor(16) as pool:
        singles = list(
            pool.map(lambda r: api.client.post("/predict", json=r, headers=headers), records)
        )
    assert all(s.status_code == 200 for s in singles)
    assert [s.json()["probability"] for s in singles] == pytest.approx(
        [p["probability"] for p in batch["predictions"]]
    )


def test_batch_size_is_limited_by_the_setting(start_api):
    api = start_api(batch_limit=5)
    headers = api.user_headers()
    records = random_records(6, seed=3)
    too_many = api.client.post("/predict/batch", json={"records": records}, headers=headers)
    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["loc"] == ["body", "records"]
    empty = api.client.post("/predict/batch", json={"records": []}, headers=headers)
    assert empty.status_code == 422
    ok = api.client.post("/predict/batch", json={"records": records[:5]}, headers=headers)
    assert ok.status_code == 200


def test_explain_names_the_strongest_features(api, database_url):
    response = api.client.post(
        "/explain", params={"top": 3}, json=example_record(), headers=api.user_headers()
    )
    assert response.status_code == 200
    body = response.json()
    contributions = body["contributions"]
    assert 1 <= len(contributions) <= 3
    names = {f.name for f in FEATURES}
    assert all(c["feature"] in names and c["label"] for c in contributions)
    effects = [abs(c["effect"]) for c in contributions]
    assert effects == sorted(effects, reverse=True)
    assert logged_rows(database_url, 1)[0][2] == "explain"


def _without(record: dict, name: str) -> dict:
    return {k: v for k, v in record.items() if k != name}


INVALID = {
    "unknown field": (example_record() | {"colour": "red"}, "colour"),
    "missing field": (_without(example_record(), CATEGORICAL.name), CATEGORICAL.name),
    "code outside the domain": (example_record() | {CATEGORICAL.name: 987}, CATEGORICAL.name),
    "boolean for a code": (example_record() | {CATEGORICAL.name: True}, CATEGORICAL.name),
    "string for a number": (example_record() | {NUMERIC.name: "12"}, NUMERIC.name),
    "number out of range": (
        example_record() | {NUMERIC.name: NUMERIC.domain[1] + 1},
        NUMERIC.name,
    ),
}


@pytest.mark.parametrize("case", INVALID.values(), ids=INVALID.keys())
@pytest.mark.parametrize("path", ["/predict", "/explain"])
def test_invalid_records_get_422_naming_the_field(api, case, path):
    record, field = case
    response = api.client.post(path, json=record, headers=api.admin_headers())
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-1] == field or error["loc"][1] == field
    assert error["msg"]


def test_every_invalid_field_gets_its_own_message(api):
    record = example_record() | {CATEGORICAL.name: 987, NUMERIC.name: "x", "extra": 1}
    response = api.client.post("/predict", json=record, headers=api.admin_headers())
    fields = {error["loc"][1] for error in response.json()["detail"]}
    assert fields == {CATEGORICAL.name, NUMERIC.name, "extra"}


def test_predictions_need_a_token(api):
    assert api.client.post("/predict", json=example_record()).status_code == 401
