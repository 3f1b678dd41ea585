"""Named leases in the database: one holder at a time across processes and servers.

`acquire` is one guarded UPDATE (`… WHERE holder IS NULL OR expires_at < now`): on PostgreSQL the
second of two concurrent updaters waits for the first's row lock and then finds the row taken; on
SQLite writers are serialised. A holder renews its lease while it works; a holder that dies stops
renewing, and the lease is free once it expires.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.models.jobs import Lease


def acquire(session: Session, name: str, holder: str, now: datetime, seconds: float) -> bool:
    """Take the lease in the caller's transaction (the row is locked until it commits)."""
    _ensure_row(session, name)
    table = Lease.__table__  # type: ignore[attr-defined]
    result = session.execute(
        update(table)
        .where(table.c.name == name)
        .where(or_(table.c.holder.is_(None), table.c.expires_at < now, table.c.holder == holder))
        .values(holder=holder, expires_at=now + timedelta(seconds=seconds))
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def renew(session: Session, name: str, holder: str, now: datetime, seconds: float) -> bool:
    """Push the expiry on while `holder` still holds the lease; False if it lost it."""
    table = Lease.__table__  # type: ignore[attr-defined]
    result = session.execute(
        update(table)
        .where(table.c.name == name, table.c.holder == holder)
        .values(expires_at=now + timedelta(seconds=seconds))
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def release(session: Session, name: str, holder: str) -> None:
    table = Lease.__table__  # type: ignore[attr-defined]
    session.execute(
        update(table).where(table.c.name == name, table.c.holder == holder).values(holder=None, expires_at=None)
    )


def holder_of(session: Session, name: str, now: datetime) -> str | None:
    lease = session.get(Lease, name)
    if lease is None or lease.holder is None or lease.expires_at is None or lease.expires_at < now:
        return None
    return lease.holder


def _ensure_row(session: Session, name: str) -> None:
    if session.get(Lease, name) is not None:
        return
    try:
        with session.begin_nested():
            session.add(Lease(name=name))
    except IntegrityError:  # another process made it first
        pass
