"""What every job gets: the database, the settings, the clock and an HTTP client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import Engine

from app.matching import Lexicon
from app.services.snapshot import SnapshotCache
from app.settings import Settings


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class JobContext:
    engine: Engine
    settings: Settings
    clock: Callable[[], datetime]
    http: httpx.Client
    # called after a job changed the catalogue, so this worker checks the version at once
    catalogue_changed: Callable[[], None] = field(default=_nothing)
    # the worker's catalogue and lexicon (alerts rank needs with them); None: made when needed
    snapshots: SnapshotCache | None = None
    lexicon: Lexicon | None = None
    # True while this process ranks a request's need: long background ranking gives way to it
    requests_busy: Callable[[], bool] = field(default=lambda: False)


JobFunction = Callable[[JobContext, dict[str, Any]], None]
