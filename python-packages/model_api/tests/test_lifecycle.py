"""The model's life in the service: none yet, refreshed to a new champion, a failed refresh."""

from __future__ import annotations

import time

import pytest

from gravity_model.registry import MODEL_NAME
from model_api.schemas import example_record


def test_without_a_champion_predictions_are_503_and_not_ready_but_alive(
    registry, start_api, promote
):
    registry.delete_registered_model_alias(MODEL_NAME, "champion")
    api = start_api()
    headers = api.user_headers()
    for path in ("/predict", "/explain"):
        response = api.client.post(path, json=example_record(), headers=headers)
        assert response.status_code == 503
        assert "champion" in response.json()["detail"]
    assert api.client.get("/model", headers=headers).status_code == 503
    assert api.client.get("/health").json() == {"status": "ok"}
    ready = api.client.get("/ready")
    assert ready.status_code == 503
    assert ready.json()["ready"] is False
    assert ready.json()["model"] is False
    assert ready.json()["database"] is True

    promote("1")
    refreshed = api.client.post("/refresh", headers=api.admin_headers())
    assert refreshed.status_code == 200
    assert refreshed.json()["previous_version"] is None
    assert api.client.get("/ready").json()["ready"] is True
    assert api.client.post("/predict", json=example_record(), headers=headers).status_code == 200


def test_model_describes_the_served_version(api):
    body = api.client.get("/model", headers=api.user_headers()).json()
    assert body["name"] == "accident_gravity"
    assert body["version"] == "1"
    assert body["alias"] == "champion"
    assert 0 < body["threshold"] < 1
    assert body["data_years"] == [2021, 2022]
    assert 0 < body["metrics"]["roc_auc"] <= 1
    assert body["trained_at"]
    assert body["fast_path"] is True
    assert body["last_refresh_error"] is None


def test_refresh_swaps_in_the_new_champion(api, promote):
    admin = api.admin_headers()
    before = api.client.post("/predict", json=example_record(), headers=admin).json()
    promote("2")
    response = api.client.post("/refresh", headers=admin)
    assert response.status_code == 200
    assert response.json()["previous_version"] == "1"
    assert response.json()["model"]["version"] == "2"
    after = api.client.post("/predict", json=example_record(), headers=admin).json()
    assert after["model"]["version"] == "2"
    assert after["probability"] != before["probability"]
    assert 'gls_model_info{alias="champion",name="accident_gravity",version="2"} 1.0' in (
        api.client.get("/metrics").text
    )


def test_each_replica_follows_the_alias_on_its_own(start_api, promote):
    replicas = [start_api(model_poll_seconds=0.2) for _ in range(2)]
    promote("2")
    headers = replicas[0].admin_headers()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        versions = {r.client.get("/model", headers=headers).json()["version"] for r in replicas}
        if versions == {"2"}:
            break
        time.sleep(0.1)
    assert versions == {"2"}


def test_get_refresh_of_the_2024_api_still_works(api):
    response = api.client.get("/refresh", headers=api.admin_headers())
    assert response.status_code == 200
    assert response.json()["model"]["version"] == "1"


@pytest.mark.reliability(
    kind="fault",
    case="POST /refresh after the champion alias moved to a version whose artifact is gone",
    expect="502 naming the failure; version 1 keeps serving predictions, /ready stays true,"
    " the failed load is counted in /metrics",
)
def test_a_failed_refresh_keeps_the_old_model_serving_and_says_why(
    api, registry, promote, tmp_path
):
    admin = api.admin_headers()
    broken = registry.create_model_version(MODEL_NAME, source=(tmp_path / "gone").as_uri())
    promote(broken.version)

    response = api.client.post("/refresh", headers=admin)
    assert response.status_code == 502
    assert "still serving version 1" in response.json()["detail"]

    prediction = api.client.post("/predict", json=example_record(), headers=admin)
    assert prediction.status_code == 200
    assert prediction.json()["model"]["version"] == "1"
    model = api.client.get("/model", headers=admin).json()
    assert model["version"] == "1"
    assert model["last_refresh_error"]
    assert api.client.get("/ready").json()["ready"] is True
    assert 'gls_model_loads_total{outcome="failed"} 1.0' in api.client.get("/metrics").text


def test_a_refresh_without_champion_keeps_the_old_model(api, registry):
    registry.delete_registered_model_alias(MODEL_NAME, "champion")
    response = api.client.post("/refresh", headers=api.admin_headers())
    assert response.status_code == 502
    assert "champion" in response.json()["detail"]
    model = api.client.get("/model", headers=api.admin_headers()).json()
    assert model["version"] == "1"


@pytest.mark.reliability(
    kind="fault",
    case="the alias follower (GLS_MODEL_POLL_SECONDS) finds the champion moved to a version"
    " whose artifact is broken (a file that is no model)",
    expect="it keeps serving version 1 and counts the failed loads; no request fails",
)
def test_the_alias_follower_keeps_the_old_model_when_the_new_one_is_broken(
    start_api, registry, promote, tmp_path
):
    api = start_api(model_poll_seconds=0.2)
    admin = api.admin_headers()
    artifact = tmp_path / "broken-model"
    artifact.mkdir()
    (artifact / "MLmodel").write_text("this is: [not a model\n")
    broken = registry.create_model_version(MODEL_NAME, source=artifact.as_uri())
    promote(broken.version)
    deadline = time.monotonic() + 20
    while 'gls_model_loads_total{outcome="failed"}' not in api.client.get("/metrics").text:
        assert time.monotonic() < deadline, "the follower never tried the new version"
        time.sleep(0.1)
    for _ in range(5):
        prediction = api.client.post("/predict", json=example_record(), headers=admin)
        assert prediction.status_code == 200
        assert prediction.json()["model"]["version"] == "1"
    assert api.client.get("/model", headers=admin).json()["last_refresh_error"]
