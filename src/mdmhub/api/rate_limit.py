"""Per-key rate limiting: a token bucket per API key, in this process's memory.

A bucket holds up to `burst` tokens and refills at `rate` per second; each
request takes one. Buckets live per process, so with several server processes
the effective limit is that many times higher: good enough to stop a runaway
client, and it costs no database round trip per request.
"""

import threading
import time
from collections.abc import Callable

from mdmhub.errors import TooManyRequestsError


class RateLimiter:
    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        """Key -> (tokens left, when they were counted)."""
        self._lock = threading.Lock()

    def take(self, key: str) -> None:
        """Spend one token of `key`'s bucket, or raise TooManyRequestsError with the wait."""
        with self._lock:
            now = self.clock()
            tokens, then = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.rate)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                raise TooManyRequestsError(
                    f"this key sent more than {self.rate:g} requests a second; slow down",
                    retry_after=(1 - tokens) / self.rate,
                )
            self._buckets[key] = (tokens - 1, now)
