"""The prediction log: every prediction served, written to PostgreSQL off the request path.

Requests only append rows to a bounded in-memory buffer; a writer thread inserts them into
`prediction_log` every `flush_rows` rows or `flush_seconds` seconds, and once more on
shutdown. Nothing is lost silently when the database is away: rows a write fails on go at
once to a spill folder under `Volumes/` (`spill.py`), as do rows beyond the buffer and those
still pending at shutdown; spilled rows are replayed once the database answers (and at the
next start). The writer tries again every `flush_seconds`. Only rows the spill folder cannot
take (full, or not writable) are dropped, counted in `gls_prediction_log_rows{outcome=
"dropped"}` and logged. A process killed with SIGKILL loses only the rows of its current
interval (at most `flush_seconds` of predictions, or `max_pending` rows), outage or not:
rows do not wait in memory across failed writes, unless the spill folder cannot take them.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, NamedTuple

import psycopg
from pydantic_core import from_json, to_json

from green_light_platform.settings import to_libpq_url
from model_api.log_sampling import Sampled

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from model_api.metrics import ApiMetrics
    from model_api.spill import SpillFolder

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
        spill: SpillFolder,
        *,
        flush_rows: int,
        flush_seconds: float,
        max_pending: int,
        connect_timeout: int = 3,
    ) -> None:
        self._conninfo = to_libpq_url(database_url)
        self._metrics = metrics
        self._spill = spill
        self._flush_rows = flush_rows
        self._flush_seconds = flush_seconds
        self._max_pending = max_pending
        self._connect_timeout = connect_timeout
        self._pending: list[LoggedPrediction] = []
        self._in_flight = 0
        """Rows the writer has taken for a write not yet finished: they count against
        `max_pending` and in the pending gauge until they are written, put back or spilled."""
        self._wakeup = threading.Condition()
        self._stopping = False
        self._connection: psycopg.Connection | None = None
        self._thread = threading.Thread(target=self._run, name="prediction-log", daemon=True)
        self._sampled = Sampled()

    def start(self) -> None:
        self._thread.start()

    def submit(self, rows: Sequence[LoggedPrediction]) -> None:
        """Queue rows for writing; never blocks on the database."""
        with self._wakeup:
            room = self._max_pending - len(self._pending) - self._in_flight
            accepted = rows if len(rows) <= room else rows[: max(room, 0)]
            self._pending.extend(accepted)
            self._publish_pending()
            if len(self._pending) >= self._flush_rows:
                self._wakeup.notify()
        if len(accepted) < len(rows):
            self._keep(list(rows[len(accepted) :]), "prediction log buffer full")

    def close(self, timeout: float = 30) -> None:
        """Write what is pending (or spill it) and stop the writer."""
        with self._wakeup:
            self._stopping = True
            self._wakeup.notify()
        self._thread.join(timeout)
        self._spill.close()
        if self._connection is not None:
            self._connection.close()

    def _keep(self, rows: list[LoggedPrediction], why: str) -> None:
        """Rows the database cannot take now: to the spill folder, else dropped and counted."""
        if not self._spilled(rows, why):
            self._dropped(rows, why)

    def _spilled(self, rows: list[LoggedPrediction], why: str) -> bool:
        if self._spill.write(to_json(rows)):
            self._metrics.log_rows.labels("spilled").inc(len(rows))
            if (count := self._sampled.due("spilled", len(rows))) is not None:
                log.warning(
                    f"{why}: rows spilled",
                    extra={"rows_since_last_line": count, "folder": str(self._spill.folder)},
                )
            return True
        return False

    def _dropped(self, rows: list[LoggedPrediction], why: str) -> None:
        self._metrics.log_rows.labels("dropped").inc(len(rows))
        if (count := self._sampled.due("dropped", len(rows))) is not None:
            log.error(
                f"{why}, spill folder full or unwritable: rows dropped",
                extra={"rows_since_last_line": count},
            )

    def _run(self) -> None:
        self._replay(abandoned=True)
        failing = False
        while True:
            deadline = time.monotonic() + self._flush_seconds
            with self._wakeup:
                # While failing, wait the whole interval whatever arrives: no retry storm.
                while not self._stopping and (failing or len(self._pending) < self._flush_rows):
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self._wakeup.wait(remaining)
                rows, self._pending = self._pending, []
                self._in_flight = len(rows)
                stopping = self._stopping
            failing = bool(rows) and not self._write(rows)
            overflow: list[LoggedPrediction] = []
            # On disk at once, so a process killed during an outage loses none of them; back
            # in memory (bounded) only when the spill folder cannot take them.
            spilled = failing and self._spilled(rows, "prediction log not written")
            with self._wakeup:
                self._in_flight = 0
                if failing and not spilled:
                    self._pending[:0] = rows
                    overflow = self._pending[self._max_pending :]
                    del self._pending[self._max_pending :]
                    if stopping:
                        overflow, self._pending = self._pending, []
                self._publish_pending()
            if overflow:
                why = "prediction log not written at shutdown" if stopping else "buffer full"
                self._dropped(overflow, why)
            if not failing and self._spill.holds_rows:
                self._replay()
            if stopping:
                return

    def _publish_pending(self) -> None:
        """The pending gauge: buffered rows and rows being written (caller holds the lock)."""
        self._metrics.log_pending.set(len(self._pending) + self._in_flight)

    def _connected(self) -> psycopg.Connection:
        if self._connection is None or self._connection.closed:
            self._connection = psycopg.connect(
                self._conninfo, autocommit=True, connect_timeout=self._connect_timeout
            )
        return self._connection

    def _write(self, rows: list[LoggedPrediction]) -> bool:
        try:
            self._connected().execute(INSERT_STATEMENT, (to_json(rows).decode(),))
        except psycopg.Error as error:
            self._failed(error, len(rows))
            return False
        self._metrics.log_rows.labels("written").inc(len(rows))
        return True

    def _failed(self, error: psycopg.Error, rows: int) -> None:
        self._metrics.log_write_failures.inc()
        log.warning(
            "prediction log write failed: rows kept for the next try",
            extra={"rows": rows, "error": type(error).__name__},
        )
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _replay(self, *, abandoned: bool = False) -> None:
        """Write every spilled file, each in one transaction, then delete it."""
        for path in self._spill.claim(abandoned=abandoned):
            lines = self._spill.lines(path)
            try:
                connection = self._connected()
                with connection.transaction():
                    for line in lines:
                        connection.execute(INSERT_STATEMENT, (line.decode(),))
            except psycopg.Error as error:
                self._failed(error, len(lines))
                self._spill.give_back(path)
                return
            rows = sum(len(from_json(line)) for line in lines)
            self._spill.release(path)
            self._metrics.log_rows.labels("replayed").inc(rows)
            log.info("spilled prediction log rows written", extra={"rows": rows, "file": path.name})
