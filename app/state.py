"""The running app's state: one typed object, made in the lifespan, read by routers through deps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import anyio
from sqlalchemy import Engine

from app.jobs.worker import Worker
from app.matching import Lexicon
from app.services.auth import KeyUsage, PrincipalCache
from app.services.rate_limit import RateLimiter
from app.services.snapshot import SnapshotCache
from app.settings import Settings


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    snapshots: SnapshotCache
    lexicon: Lexicon
    principals: PrincipalCache
    key_usage: KeyUsage
    rate_limiter: RateLimiter
    # Ranking is CPU-bound and holds the GIL: one at a time per worker beats many threads taking
    # turns (more workers use more cores).
    engine_limiter: anyio.CapacityLimiter
    clock: Callable[[], datetime] = system_clock
    jobs: Worker | None = None  # the background job loop, when this process runs one

    def now(self) -> datetime:
        return self.clock()
