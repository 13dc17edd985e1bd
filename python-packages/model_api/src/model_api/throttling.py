"""Login throttling (a sliding window of failed attempts per username and client address)
and the per-user rate limit of predictions (a token bucket).

The login throttle is keyed on both so that an attacker guessing one account from one
address is slowed down, while the real user logging in from elsewhere is not locked out. Both
live in the process: each replica counts on its own (see the README for what that means
behind a load balancer).
"""

from __future__ import annotations

import threading
import time
from collections import deque

MAX_TRACKED_KEYS = 100_000


class LoginThrottle:
    def __init__(self, max_failures: int, window_seconds: float) -> None:
        self._max_failures = max_failures
        self._window = window_seconds
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, username: str, client: str) -> float | None:
        """Seconds until this key may try again, None when it may try now."""
        now = time.monotonic()
        with self._lock:
            failures = self._failures.get((username, client))
            if failures is None:
                return None
            self._expire(failures, now)
            if len(failures) < self._max_failures:
                return None
            return failures[0] + self._window - now

    def record_failure(self, username: str, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._failures) >= MAX_TRACKED_KEYS:
                self._sweep(now)
            failures = self._failures.setdefault((username, client), deque())
            self._expire(failures, now)
            failures.append(now)

    def reset(self, username: str, client: str) -> None:
        with self._lock:
            self._failures.pop((username, client), None)

    def _expire(self, failures: deque[float], now: float) -> None:
        while failures and failures[0] <= now - self._window:
            failures.popleft()

    def _sweep(self, now: float) -> None:
        """Drop keys with no failure left in the window, keeping memory bounded."""
        for key in list(self._failures):
            self._expire(self._failures[key], now)
            if not self._failures[key]:
                del self._failures[key]


class RateLimit:
    """A token bucket per username: `rate` requests a second sustained, `burst` at once.

    Per process, like the login throttle; buckets full again are forgotten when too many
    users are tracked, so memory stays bounded.
    """

    def __init__(self, rate: float, burst: int) -> None:
        self._rate = rate
        self._burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, username: str) -> float | None:
        """Take one request from the user's bucket; seconds to wait when it is empty."""
        if self._rate <= 0:
            return None
        now = time.monotonic()
        with self._lock:
            tokens, since = self._buckets.get(username, (float(self._burst), now))
            tokens = min(self._burst, tokens + (now - since) * self._rate)
            if tokens < 1:
                self._buckets[username] = (tokens, now)
                return (1 - tokens) / self._rate
            if len(self._buckets) >= MAX_TRACKED_KEYS:
                self._sweep(now)
            self._buckets[username] = (tokens - 1, now)
            return None

    def _sweep(self, now: float) -> None:
        for username, (tokens, since) in list(self._buckets.items()):
            if tokens + (now - since) * self._rate >= self._burst:
                del self._buckets[username]
