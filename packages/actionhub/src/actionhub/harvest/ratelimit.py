"""Per-host politeness: a token bucket per host, with a host-wide pause for Retry-After and crawl delays."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """Lets through ``rate`` requests per second on average and at most ``burst`` back to back.

    Args:
        rate: Refill rate in tokens per second; 0 means unlimited (pauses still apply).
        burst: Bucket size.
        clock: Monotonic seconds (injected for tests).
        sleep: Blocks for a number of seconds (injected for tests).
    """

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._stamp = clock()
        self._not_before = 0.0
        self._lock = threading.Lock()

    def pause(self, seconds: float) -> None:
        """Holds every caller of this host for ``seconds`` from now (a 429's Retry-After)."""
        with self._lock:
            self._not_before = max(self._not_before, self._clock() + seconds)

    def slow_to(self, rate: float) -> None:
        """Lowers the rate (never raises it), e.g. to a robots.txt crawl delay."""
        with self._lock:
            self.rate = rate if self.rate <= 0 else min(self.rate, rate)

    def acquire(self) -> float:
        """Blocks until a request may go; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                if self.rate > 0:
                    self._tokens = min(float(self.burst), self._tokens + (now - self._stamp) * self.rate)
                self._stamp = now
                wait = self._not_before - now
                if wait <= 0:
                    if self.rate <= 0:
                        return waited
                    if self._tokens >= 1.0:
                        self._tokens -= 1.0
                        return waited
                    wait = (1.0 - self._tokens) / self.rate
            self._sleep(wait)
            waited += wait


class HostLimiter:
    """One :class:`TokenBucket` per host, created on first use."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._args = (rate, burst, clock, sleep)
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def bucket(self, host: str) -> TokenBucket:
        with self._lock:
            if host not in self._buckets:
                self._buckets[host] = TokenBucket(*self._args)
            return self._buckets[host]

    def acquire(self, host: str) -> float:
        return self.bucket(host).acquire()
