"""Dependencies shared by routers: the worker's catalogue snapshot and the clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from app.services.snapshot import CatalogueSnapshot, SnapshotCache


async def get_snapshot(request: Request) -> CatalogueSnapshot:
    """The worker's catalogue. Between version checks it is at hand on the event loop; a check runs
    in the thread pool on a short-lived session of its own."""
    cache: SnapshotCache = request.app.state.snapshots
    snapshot = cache.fresh()
    if snapshot is None:
        snapshot = await run_in_threadpool(cache.get)
    return snapshot


def now_of(request: Request) -> datetime:
    """Now, from the app's clock (tests freeze it)."""
    clock = request.app.state.clock
    now: datetime = clock() if clock else datetime.now(UTC)
    return now


async def get_now(request: Request) -> datetime:
    return now_of(request)


SnapshotDep = Annotated[CatalogueSnapshot, Depends(get_snapshot)]
NowDep = Annotated[datetime, Depends(get_now)]
