"""The prediction log writer alone, against a database address nobody answers on: its buffer
bound holds rows being written too, and its pending gauge never hides them."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from green_light_platform.db.embedded import free_port
from model_api.metrics import ApiMetrics
from model_api.prediction_log import LoggedPrediction, PredictionLogWriter
from model_api.schemas import example_record
from model_api.spill import SpillFolder


def row(n: int) -> LoggedPrediction:
    return LoggedPrediction(
        datetime.now(UTC), "gravity", "1", "/predict", f"user-{n}", example_record(), 0.5, 0
    )


def sample(metrics: ApiMetrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


def test_rows_being_written_count_against_the_buffer_and_in_the_gauge(tmp_path):
    metrics = ApiMetrics()
    writer = PredictionLogWriter(
        f"postgresql://nobody@127.0.0.1:{free_port()}/none",
        metrics,
        SpillFolder(tmp_path / "spill", max_bytes=500_000_000),
        flush_rows=1,
        flush_seconds=0.005,  # a failing write every 5 ms: many chances to catch rows in flight
        max_pending=10,
        connect_timeout=1,
    )
    writer.start()
    try:
        writer.submit([row(n) for n in range(10)])
        seen: set[float] = set()
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            seen.add(sample(metrics, "gls_prediction_log_pending_rows"))
            writer.submit([row(10)])  # no room, even while the writer holds the ten rows
        assert seen == {10.0}, (seen, sample(metrics, "gls_prediction_log_write_failures_total"))
        failures = sample(metrics, "gls_prediction_log_write_failures_total")
        assert failures >= 10, "the writer should have retried many times meanwhile"
        spilled = sample(metrics, "gls_prediction_log_rows_total", outcome="spilled")
        assert spilled > 0
    finally:
        writer.close(timeout=5)
    assert (
        sample(metrics, "gls_prediction_log_rows_total", outcome="spilled") == spilled + 10
    )  # spilled at close
