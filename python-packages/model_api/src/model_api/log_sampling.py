"""Log lines for events that may come thousands of times a second (a request refused during
an outage): the first one, then one every few seconds with how many came since. One line per
event would flood the log, and slow the very process that is coping with the fault."""

from __future__ import annotations

import threading
import time

LOG_EVERY_S = 5


class Sampled:
    def __init__(self, every: float = LOG_EVERY_S) -> None:
        self._every = every
        self._last: dict[str, float] = {}
        self._since: dict[str, int] = {}
        self._lock = threading.Lock()

    def due(self, key: str, events: int = 1) -> int | None:
        """Count `events` of `key`; when a line is due, the count since the last one."""
        now = time.monotonic()
        with self._lock:
            self._since[key] = self._since.get(key, 0) + events
            if now - self._last.get(key, -self._every) < self._every:
                return None
            self._last[key] = now
            return self._since.pop(key)
