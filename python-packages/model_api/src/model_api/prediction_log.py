"""The prediction log: every prediction served, written to PostgreSQL off the request path.

Requests only append rows to a bounded in-memory buffer; a writer thread inserts them into
`prediction_log` every `flush_rows` rows or `flush_seconds` seconds, and once more on
shutdown. When the database falls behind, rows beyond `max_pending` are dropped and counted
(`gls_prediction_log_rows{outcome="dropped"}`) rather than slowing predictions down or
growing memory without bound.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, NamedTuple

import psycopg
from pydantic_core import to_json

from green_light_platform.settings import to_libpq_url

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from model_api.metrics import ApiMetrics

log = logging.getLogger(__name__)

INSERT_STATEMENT = """
    INSERT INTO prediction_log (created_at, model_name, model_version, endpoint, username,
                                input, probability, predicted_class)
    SELECT (r->>0)::timestamptz, r->>1, r->>2, r->>3, r->>4, r->5, (r->>6)::float8,
           (r->>7)::smallint
    FROM jsonb_array_elements(%s::jsonb) AS r
"""
"""Rows arrive as one JSON array of arrays, serialised in a single C call: per-row Python work
in this thread would hold the GIL and stall the event loop serving predictions; PostgreSQL,
in its own process, does the unpacking."""


class LoggedPrediction(NamedTuple):
    """One row of `prediction_log`, in its `INSERT_STATEMENT` order."""

    created_at: datetime
    model_name: str
    model_version: str
    endpoint: str
    username: str
    input: dict[str, object]
    probability: float
    predicted_class: int


class PredictionLogWriter:
    def __init__(
        self,
        database_url: str,
        metrics: ApiMetrics,
        *,
        flush_rows: int,
        flush_seconds: float,
        max_pending: int,
    ) -> None:
        self._conninfo = to_libpq_url(database_url)
        self._metrics = metrics
        self._flush_rows = flush_rows
        self._flush_seconds = flush_seconds
        self._max_pending = max_pending
        self._pending: list[LoggedPrediction] = []
        self._wakeup = threading.Condition()
        self._stopping = False
        self._connection: psycopg.Connection | None = None
        self._thread = threading.Thread(target=self._run, name="prediction-log", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, rows: Sequence[LoggedPrediction]) -> None:
        """Queue rows for writing; never blocks on the database."""
        with self._wakeup:
            room = self._max_pending - len(self._pending)
            accepted = rows if len(rows) <= room else rows[: max(room, 0)]
            self._pending.extend(accepted)
            if len(self._pending) >= self._flush_rows:
                self._wakeup.notify()
        if len(accepted) < len(rows):
            dropped = len(rows) - len(accepted)
            self._metrics.log_rows.labels("dropped").inc(dropped)
            log.warning("prediction log full: rows dropped", extra={"rows": dropped})

    def close(self, timeout: float = 30) -> None:
        """Write what is pending and stop the writer."""
        with self._wakeup:
            self._stopping = True
            self._wakeup.notify()
        self._thread.join(timeout)
        if self._connection is not None:
            self._connection.close()

    def _run(self) -> None:
        while True:
            with self._wakeup:
                if not self._stopping and len(self._pending) < self._flush_rows:
                    self._wakeup.wait(self._flush_seconds)
                rows, self._pending = self._pending, []
                stopping = self._stopping
            if rows:
                self._write(rows)
            if stopping:
                return

    def _write(self, rows: list[LoggedPrediction]) -> None:
        try:
            if self._connection is None or self._connection.closed:
                self._connection = psycopg.connect(self._conninfo, autocommit=True)
            self._connection.execute(INSERT_STATEMENT, (to_json(rows).decode(),))
        except psycopg.Error:
            log.exception("prediction log write failed: rows lost", extra={"rows": len(rows)})
            self._metrics.log_rows.labels("failed").inc(len(rows))
            if self._connection is not None:
                self._connection.close()
                self._connection = None
            return
        self._metrics.log_rows.labels("written").inc(len(rows))
