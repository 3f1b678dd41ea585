"""Requests per token: a moving window per worker process, with the `limits` library.

Counts live in the worker's memory (the database is the only shared infrastructure, and a write
per request would cost more than most requests): with N workers, a token can make up to N times the
limit in the worst case, when the server spreads its requests evenly over the workers.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import limits
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from app.errors import TooManyRequests


@dataclass(frozen=True)
class Quota:
    """Where a token stands after a request: for the RateLimit headers."""

    limit: int
    remaining: int
    reset_seconds: int
    window_seconds: int
    allowed: bool = True

    def headers(self) -> list[tuple[bytes, bytes]]:
        """The RateLimit header fields (IETF httpapi draft): the policy and where the token stands."""
        return [
            (b"ratelimit-policy", f"{self.limit};w={self.window_seconds}".encode()),
            (b"ratelimit-limit", str(self.limit).encode()),
            (b"ratelimit-remaining", str(self.remaining).encode()),
            (b"ratelimit-reset", str(self.reset_seconds).encode()),
        ]


class RateLimiter:
    def __init__(self, rate: str) -> None:
        self._item = limits.parse(rate)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, key_id: int) -> Quota:
        """Count one request of a key (one past the limit is not counted) and say where it stands."""
        allowed = self._limiter.hit(self._item, "key", str(key_id))
        stats = self._limiter.get_window_stats(self._item, "key", str(key_id))
        reset = max(1, math.ceil(stats.reset_time - time.time()))
        return Quota(self._item.amount, stats.remaining, reset, self._item.get_expiry(), allowed)

    @staticmethod
    def refuse(quota: Quota) -> TooManyRequests:
        return TooManyRequests(
            f"This token may make {quota.limit} requests per {quota.window_seconds} seconds; "
            f"try again in {quota.reset_seconds} s.",
            retry_after=quota.reset_seconds,
        )
