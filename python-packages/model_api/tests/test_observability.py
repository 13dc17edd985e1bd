"""What operators see: liveness, readiness, Prometheus metrics and the prediction log."""

from __future__ import annotations

import json

import psycopg
import pytest

from green_light_platform.db.admin import drop_database
from green_light_platform.settings import to_libpq_url

from .api_support import api_settings, logged_rows, random_records, serve


def metric(text: str, line_start: str) -> float:
    [line] = [line for line in text.splitlines() if line.startswith(line_start)]
    return float(line.rsplit(" ", 1)[1])


def test_metrics_count_requests_latencies_predictions_and_the_model(api):
    headers = api.user_headers()
    for record in random_records(3, seed=5):
        api.client.post("/predict", json=record, headers=headers)
    api.client.post("/predict/batch", json={"records": random_records(4, seed=6)}, headers=headers)
    api.client.get("/no/such/path")
    response = api.client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert metric(text, 'gls_api_requests_total{method="POST",route="/predict",status="200"}') == 3
    assert metric(text, 'gls_api_requests_total{method="GET",route="unmatched",status="404"}') == 1
    assert (
        metric(text, 'gls_api_request_duration_seconds_count{method="POST",route="/predict"}') == 3
    )
    assert metric(text, 'gls_prediction_probability_count{model_version="1"}') == 7
    batch = [
        line
        for line in text.splitlines()
        if line.startswith('gls_predictions_total{endpoint="predict/batch"')
    ]
    assert sum(float(line.rsplit(" ", 1)[1]) for line in batch) == 4
    assert 'gls_model_info{alias="champion",name="accident_gravity",version="1"} 1.0' in text
    assert metric(text, "gls_model_loaded ") == 1
    assert "process_cpu_seconds_total" in text


def test_login_failures_and_throttling_are_counted(start_api):
    api = start_api(login_max_failures=1)
    for _ in range(2):
        api.client.post("/user/login", json={"username": "admin", "password": "wrong"})
    text = api.client.get("/metrics").text
    assert metric(text, "gls_login_failures_total ") == 1
    assert metric(text, "gls_login_throttled_total ") == 1


def test_ready_turns_false_when_the_database_goes_away_while_health_stays_true(
    api, database_url, postgres_server_url
):
    assert api.client.get("/ready").json()["ready"] is True
    name = psycopg.conninfo.conninfo_to_dict(to_libpq_url(database_url))["dbname"]
    drop_database(postgres_server_url, name)
    ready = api.client.get("/ready")
    assert ready.status_code == 503
    assert ready.json()["database"] is False
    assert ready.json()["model"] is True
    assert "database unreachable" in ready.json()["problems"][0]
    assert api.client.get("/health").status_code == 200


def test_pending_log_rows_are_written_on_shutdown(database_url, tracking_uri):
    settings = api_settings(
        database_url,
        tracking_uri,
        prediction_log_flush_seconds=3600,
        prediction_log_flush_rows=10**6,
    )
    with serve(settings) as api:
        headers = api.user_headers()
        for record in random_records(5, seed=8):
            assert api.client.post("/predict", json=record, headers=headers).status_code == 200
        assert logged_rows(database_url, 5, timeout=0.5) == []
    assert len(logged_rows(database_url, 5, timeout=0)) == 5


@pytest.mark.reliability(
    kind="load",
    case="a batch of 15 rows into a prediction log buffer of 10 that is not flushed yet",
    expect="the 5 rows beyond the buffer are spilled to a file (counted), and written to"
    " prediction_log from there: all 15 logged, none dropped",
)
def test_rows_beyond_the_buffer_are_spilled_then_written(database_url, tracking_uri, tmp_path):
    settings = api_settings(
        database_url,
        tracking_uri,
        volumes_dir=tmp_path,
        prediction_log_flush_seconds=3600,
        prediction_log_flush_rows=10**6,
        prediction_log_max_pending=10,
    )
    with serve(settings) as api:
        headers = api.user_headers()
        records = random_records(15, seed=9)
        response = api.client.post("/predict/batch", json={"records": records}, headers=headers)
        assert response.status_code == 200
        text = api.client.get("/metrics").text
        assert metric(text, 'gls_prediction_log_rows_total{outcome="spilled"}') == 5
        assert 'outcome="dropped"' not in text
        assert logged_rows(database_url, 1, timeout=0) == []
    logged = logged_rows(database_url, 15, timeout=0)
    assert sorted(json.dumps(row[4], sort_keys=True) for row in logged) == sorted(
        json.dumps(record, sort_keys=True) for record in records
    )
    assert not any((tmp_path / "model_api" / "spill").iterdir())


@pytest.mark.parametrize("path", ["/health", "/", "/docs", "/openapi.json"])
def test_public_routes_need_no_token(api, path):
    assert api.client.get(path).status_code == 200


def test_secured_route_of_the_2024_api(api):
    assert api.client.get("/secured").status_code == 401
    assert api.client.get("/secured", headers=api.admin_headers()).status_code == 200


def test_routes_that_need_the_database_answer_503_with_retry_after_while_it_is_gone(
    api, database_url, postgres_server_url
):
    headers = api.admin_headers()
    name = psycopg.conninfo.conninfo_to_dict(to_libpq_url(database_url))["dbname"]
    drop_database(postgres_server_url, name)
    for response in (
        api.client.post("/token", data={"username": "someone", "password": "whatever"}),
        api.client.post("/user/signup", json={"username": "newbie", "password": "a-password"}),
        api.client.get("/users", headers=headers),
    ):
        assert response.status_code == 503, response.text
        assert response.headers["Retry-After"] == "5"
        assert "database unreachable" in response.json()["detail"]
