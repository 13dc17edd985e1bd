"""The prediction log writer alone, against a database address nobody answers on: rows a
write fails on are on disk at once, and a stream of rows loses none and stays bounded."""

from __future__ import annotations

import json
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


def unreachable_writer(metrics: ApiMetrics, folder, **limits: float) -> PredictionLogWriter:
    return PredictionLogWriter(
        f"postgresql://nobody@127.0.0.1:{free_port()}/none",
        metrics,
        SpillFolder(folder, max_bytes=500_000_000),
        connect_timeout=1,
        **{"flush_rows": 1, "flush_seconds": 0.005, "max_pending": 10, **limits},
    )


def spilled_users(folder) -> list[str]:
    return sorted(
        row[4]
        for path in folder.iterdir()
        for line in path.read_text().splitlines()
        for row in json.loads(line)
    )


def test_the_rows_of_a_failed_write_are_on_disk_at_once(tmp_path):
    """Nothing waits in memory across failed writes: a SIGKILL then would lose none."""
    metrics = ApiMetrics()
    writer = unreachable_writer(metrics, tmp_path / "spill", flush_seconds=0.05)
    writer.start()
    try:
        writer.submit([row(n) for n in range(7)])
        deadline = time.monotonic() + 10
        while sample(metrics, "gls_prediction_log_rows_total", outcome="spilled") < 7:
            assert time.monotonic() < deadline, "the failed rows were not spilled"
            time.sleep(0.01)
        assert sample(metrics, "gls_prediction_log_pending_rows") == 0
        assert sample(metrics, "gls_prediction_log_write_failures_total") >= 1
        assert spilled_users(tmp_path / "spill") == sorted(f"user-{n}" for n in range(7))
    finally:
        writer.close(timeout=5)


def test_a_stream_of_rows_while_writes_fail_loses_none_and_stays_bounded(tmp_path):
    metrics = ApiMetrics()
    writer = unreachable_writer(metrics, tmp_path / "spill")
    writer.start()
    try:
        submitted = 0
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            writer.submit([row(submitted)])
            submitted += 1
            assert 0 <= sample(metrics, "gls_prediction_log_pending_rows") <= 10
        assert sample(metrics, "gls_prediction_log_write_failures_total") >= 10
    finally:
        writer.close(timeout=5)
    # Every row is in the spill folder, none dropped, none twice.
    assert spilled_users(tmp_path / "spill") == sorted(f"user-{n}" for n in range(submitted))
    assert sample(metrics, "gls_prediction_log_rows_total", outcome="dropped") == 0
