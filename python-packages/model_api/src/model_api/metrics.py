"""Prometheus metrics of one app instance, and the ASGI middleware timing every request.

Each app gets its own registry, so several apps in one process (tests) do not collide.
Routes are labelled by their template (`/users/{username}`), unknown paths as `unmatched`,
which keeps the number of series bounded whatever clients send.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

if TYPE_CHECKING:
    from collections.abc import Sequence

    from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
PROBABILITY_BUCKETS = tuple(round(0.05 * i, 2) for i in range(1, 21))

__all__ = ["CONTENT_TYPE_LATEST", "ApiMetrics", "MetricsMiddleware"]


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        for collector in (ProcessCollector, PlatformCollector, GCCollector):
            collector(registry=self.registry)
        r = self.registry
        self.requests = Counter(
            "gls_api_requests", "HTTP requests served.", ["method", "route", "status"], registry=r
        )
        self.latency = Histogram(
            "gls_api_request_duration_seconds",
            "Time from request start to the last byte of the response.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.predictions = Counter(
            "gls_predictions",
            "Records predicted, by endpoint, model version and predicted class.",
            ["endpoint", "model_version", "predicted_class"],
            registry=r,
        )
        self.probability = Histogram(
            "gls_prediction_probability",
            "Predicted probability of a killed-or-seriously-injured outcome.",
            ["model_version"],
            buckets=PROBABILITY_BUCKETS,
            registry=r,
        )
        self.model_info = Gauge(
            "gls_model_info",
            "1 for the model being served (name, version, alias).",
            ["name", "version", "alias"],
            registry=r,
        )
        self.model_loaded = Gauge(
            "gls_model_loaded", "1 when a model is being served, else 0.", registry=r
        )
        self.model_loads = Counter(
            "gls_model_loads", "Model loads, by outcome (ok, failed).", ["outcome"], registry=r
        )
        self.login_failures = Counter("gls_login_failures", "Failed login attempts.", registry=r)
        self.login_throttled = Counter(
            "gls_login_throttled", "Login attempts refused by throttling.", registry=r
        )
        self.log_rows = Counter(
            "gls_prediction_log_rows",
            "Prediction log rows by outcome: written, spilled (to a file, database away),"
            " replayed (from the spill files), dropped (the spill folder full or unwritable).",
            ["outcome"],
            registry=r,
        )
        self.log_pending = Gauge(
            "gls_prediction_log_pending_rows",
            "Prediction log rows in memory (buffered or being written), not yet in the database.",
            registry=r,
        )
        self.log_write_failures = Counter(
            "gls_prediction_log_write_failures",
            "Failed attempts at writing the prediction log (its rows are kept).",
            registry=r,
        )
        self.rate_limited = Counter(
            "gls_predictions_rate_limited",
            "Prediction requests refused by the per-user rate limit.",
            registry=r,
        )
        self.database_unavailable = Counter(
            "gls_database_unavailable",
            "Requests answered 503 because the database was unreachable or saturated.",
            ["reason"],
            registry=r,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def serving(self, name: str, version: str, alias: str) -> None:
        """Point the model gauges at the model now served."""
        self.model_info.clear()
        self.model_info.labels(name, version, alias).set(1)
        self.model_loaded.set(1)

    def predicted(
        self,
        endpoint: str,
        model_version: str,
        probabilities: Sequence[float],
        classes: Sequence[int],
    ) -> None:
        histogram = self.probability.labels(model_version)
        for probability in probabilities:
            histogram.observe(probability)
        positives = sum(classes)
        if positives:
            self.predictions.labels(endpoint, model_version, "1").inc(positives)
        if positives < len(classes):
            self.predictions.labels(endpoint, model_version, "0").inc(len(classes) - positives)


class MetricsMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware): it costs a few microseconds per request."""

    def __init__(self, app: ASGIApp, metrics: ApiMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", "unmatched")
            method = scope["method"]
            self.metrics.latency.labels(method, template).observe(time.perf_counter() - start)
            self.metrics.requests.labels(method, template, str(status)).inc()
