"""Periodic jobs: each period is cut into slots from the Unix epoch, and each slot is one job key,
so however many servers and workers look, a slot is queued once (the key is unique)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from app.jobs.queue import enqueue
from app.services.alerts import DEADLINES_JOB
from app.services.calls import REFRESH_JOB
from app.settings import Settings

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DEADLINES_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class Periodic:
    kind: str
    name: str  # the key prefix, e.g. "refresh:ftportal"
    every: timedelta


def periodic_jobs(settings: Settings) -> list[Periodic]:
    jobs = []
    if settings.calls_refresh_hours > 0:
        jobs.append(Periodic(REFRESH_JOB, "refresh:ftportal", timedelta(hours=settings.calls_refresh_hours)))
    if settings.deadline_alert_thresholds:
        jobs.append(Periodic(DEADLINES_JOB, "alerts:deadlines", DEADLINES_EVERY))
    return jobs


def slot_start(now: datetime, every: timedelta) -> datetime:
    return EPOCH + ((now - EPOCH) // every) * every


def slot_key(periodic: Periodic, now: datetime) -> str:
    return f"{periodic.name}:{slot_start(now, periodic.every).isoformat()}"


def enqueue_due(session: Session, periodic: list[Periodic], now: datetime) -> int:
    """Queue the current slot of each periodic job unless it is queued already (in the caller's
    transaction). Returns how many this call queued."""
    queued = 0
    for job in periodic:
        if enqueue(session, job.kind, {}, key=slot_key(job, now), run_at=now, max_attempts=1):
            queued += 1
    return queued
