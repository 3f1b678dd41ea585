"""Helpers of the notices tests: run the job loop's work now, on the app's own state."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient

from app.jobs.context import JobContext
from app.jobs.kinds import KINDS
from app.jobs.worker import Worker
from tests.conftest import Clock, state_of


def worker_of(client: TestClient, clock: Clock, name: str = "test-worker", **changes: Any) -> Worker:
    """A job loop on the app's engine, catalogue and clock (not started: call `tick`)."""
    state = state_of(client)
    settings = state.settings.model_copy(update=changes)
    context = JobContext(
        state.engine, settings, clock, httpx.Client(), state.snapshots.invalidate, state.snapshots, state.lexicon
    )
    return Worker(context, KINDS, [], interval_seconds=0.1, lease_seconds=60, name=name)


def run_jobs(client: TestClient, clock: Clock, **changes: Any) -> int:
    """Run every due job, as one tick of the loop would."""
    return worker_of(client, clock, **changes).tick()
