"""Dependencies shared by routers: the worker's catalogue snapshot and the clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request

from app.db import SessionDep
from app.services.snapshot import CatalogueSnapshot


def get_snapshot(request: Request, session: SessionDep) -> CatalogueSnapshot:
    """The worker's catalogue; the version check reuses the request's session (one connection a request)."""
    snapshot: CatalogueSnapshot = request.app.state.snapshots.get(session)
    return snapshot


def get_now(request: Request) -> datetime:
    """Now, from the app's clock (tests freeze it)."""
    clock = request.app.state.clock
    now: datetime = clock() if clock else datetime.now(UTC)
    return now


SnapshotDep = Annotated[CatalogueSnapshot, Depends(get_snapshot)]
NowDep = Annotated[datetime, Depends(get_now)]
