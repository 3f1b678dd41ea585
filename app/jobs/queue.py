"""The job queue: one table, claimed with a lease.

PostgreSQL claims with `SELECT … FOR UPDATE SKIP LOCKED` inside one `UPDATE … RETURNING`, so two
workers never take the same job and never wait for each other. SQLite has no row locks but
serialises writers: the same single UPDATE statement is atomic there. A claim sets `locked_until`;
a job still `running` after that moment belonged to a worker that died, and is claimed again.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from app.models.jobs import DONE, FAILED, QUEUED, RUNNING, Job

BACKOFF_BASE_SECONDS = 30.0
BACKOFF_MAX_SECONDS = 3600.0
ERROR_CHARS = 2000


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    max_attempts: int


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any] | None = None,
    *,
    key: str | None = None,
    run_at: datetime,
    max_attempts: int = 5,
) -> bool:
    """Queue a job in the caller's transaction (not committed). With a `key`, a job of that key is
    queued once ever: the call returns False when one exists already."""
    values = {
        "kind": kind,
        "key": key,
        "payload": payload or {},
        "status": QUEUED,
        "run_at": run_at,
        "attempts": 0,
        "max_attempts": max_attempts,
        "created_at": run_at,
    }
    table = Job.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    if key is None:
        session.execute(table.insert().values(**values))
        return True
    insert = pg_insert(table) if dialect == "postgresql" else sqlite_insert(table)
    statement = insert.values(**values).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id)
    return session.execute(statement).first() is not None


def claim(engine: Engine, worker: str, now: datetime, lease_seconds: float) -> ClaimedJob | None:
    """Take the next due job (or one whose lease ran out) in a short transaction of its own."""
    table = Job.__table__  # type: ignore[attr-defined]
    due = or_(
        (table.c.status == QUEUED) & (table.c.run_at <= now),
        (table.c.status == RUNNING) & (table.c.locked_until < now),
    )
    next_id = (
        select(table.c.id).where(due).order_by(table.c.run_at, table.c.id).limit(1).with_for_update(skip_locked=True)
    ).scalar_subquery()
    statement = (
        update(table)
        .where(table.c.id == next_id)
        .where(due)  # SQLite: the row must still be due when the write lands
        .values(
            status=RUNNING,
            locked_by=worker,
            locked_until=now + timedelta(seconds=lease_seconds),
            attempts=table.c.attempts + 1,
        )
        .returning(table.c.id, table.c.kind, table.c.payload, table.c.attempts, table.c.max_attempts)
    )
    with Session(engine) as session:
        row = session.execute(statement).first()
        session.commit()
    if row is None:
        return None
    return ClaimedJob(
        id=row.id, kind=row.kind, payload=dict(row.payload or {}), attempts=row.attempts, max_attempts=row.max_attempts
    )


def extend(engine: Engine, job_id: int, worker: str, until: datetime) -> bool:
    """Renew a claim while a long job runs; False if the job is no longer this worker's."""
    return _finish(engine, job_id, worker, locked_until=until, status=RUNNING)


def complete(engine: Engine, job_id: int, worker: str, now: datetime) -> bool:
    return _finish(engine, job_id, worker, status=DONE, locked_by=None, locked_until=None, finished_at=now)


def fail(engine: Engine, job: ClaimedJob, worker: str, now: datetime, error: str, *, final: bool = False) -> bool:
    """Record a failed attempt: queue it again after a backoff, or give up after its last attempt
    (or at once when trying again cannot help)."""
    error = error[:ERROR_CHARS]
    if final or job.attempts >= job.max_attempts:
        return _finish(
            engine, job.id, worker, status=FAILED, locked_by=None, locked_until=None, finished_at=now, last_error=error
        )
    return _finish(
        engine,
        job.id,
        worker,
        status=QUEUED,
        locked_by=None,
        locked_until=None,
        run_at=now + timedelta(seconds=backoff_seconds(job.attempts)),
        last_error=error,
    )


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with full jitter after `attempts` failures."""
    ceiling = min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return random.uniform(ceiling / 2, ceiling)


def _finish(engine: Engine, job_id: int, worker: str, **values: Any) -> bool:
    """Change a job only while this worker still holds it (a worker that lost its lease to
    another must not mark the other's run)."""
    table = Job.__table__  # type: ignore[attr-defined]
    with Session(engine) as session:
        result = session.execute(
            update(table)
            .where(table.c.id == job_id, table.c.locked_by == worker, table.c.status == RUNNING)
            .values(**values)
        )
        session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def jobs_of(session: Session, kind: str | None = None) -> list[Job]:
    """Jobs, oldest first (tests and operators)."""
    query = select(Job).order_by(col(Job.id))
    if kind is not None:
        query = query.where(col(Job.kind) == kind)
    return list(session.execute(query).scalars())
