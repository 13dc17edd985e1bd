"""Bodies too big, batches too long, JSON nested too deep: 413 or 422 at once, never a 5xx."""

from __future__ import annotations

import httpx
import pytest

from model_api.schemas import example_record

from .api_support import random_records

MB = 2**20


@pytest.mark.reliability(
    kind="bad input",
    case="POST /predict/batch with a 40 MB body (Content-Length over the 16 MiB default)",
    expect="413 naming GLS_API_MAX_BODY_BYTES, answered before the body is read",
)
def test_a_body_over_the_limit_is_refused_before_it_is_read(api):
    headers = api.user_headers() | {"Content-Type": "application/json"}
    body = b'{"records": [' + b" " * (40 * MB) + b"]}"
    response = api.client.post("/predict/batch", content=body, headers=headers)
    assert response.status_code == 413
    assert "GLS_API_MAX_BODY_BYTES" in response.json()["detail"]


@pytest.mark.reliability(
    kind="bad input",
    case="a chunked body (no Content-Length) that grows past GLS_API_MAX_BODY_BYTES",
    expect="413 as soon as the bytes received pass the limit; the server keeps serving",
)
def test_a_chunked_body_over_the_limit_is_cut_off(start_api):
    api = start_api(max_body_bytes=MB)
    headers = api.user_headers() | {"Content-Type": "application/json"}

    def chunks():
        yield b'{"records": ['
        for _ in range(64):
            yield b" " * (64 * 1024)
        yield b"]}"

    response = httpx.post(f"{api.url}/predict/batch", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert api.client.post("/predict", json=example_record(), headers=headers).status_code == 200


@pytest.mark.reliability(
    kind="bad input",
    case="a batch of GLS_API_BATCH_LIMIT + 1 records",
    expect="422 saying the list is too long; nothing predicted or logged",
)
def test_a_batch_over_the_limit_is_refused(start_api):
    api = start_api(batch_limit=5)
    headers = api.user_headers()
    response = api.client.post(
        "/predict/batch", json={"records": random_records(6, seed=3)}, headers=headers
    )
    assert response.status_code == 422
    assert "at most 5" in response.text
    assert "gls_predictions_total{" not in api.client.get("/metrics").text


@pytest.mark.parametrize("depth", [40, 100_000])
@pytest.mark.reliability(
    kind="bad input",
    case="JSON nested 40 and 100,000 levels deep in a prediction body",
    expect="422 (invalid record; 'nested too deeply' past Python's recursion limit), no 5xx",
)
def test_deeply_nested_json_is_a_422(api, depth):
    headers = api.user_headers() | {"Content-Type": "application/json"}
    body = '{"records": ' + "[" * depth + "]" * depth + "}"
    response = api.client.post("/predict/batch", content=body, headers=headers)
    assert response.status_code == 422, response.text
    if depth > 10_000:
        assert response.json()["detail"] == "request body nested too deeply to be parsed"
    assert api.client.get("/health").status_code == 200
