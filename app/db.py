"""Database engine and units of work. The one place that knows how to connect."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets its folder created, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            _private_file(Path(path))
        # As many connections as the server's worker threads, so that no request waits for the pool.
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=20, max_overflow=30
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=20, max_overflow=30)


def _private_file(path: Path) -> None:
    """Create a new database file readable by its owner only (SQLite gives its WAL and shared-memory
    files the same mode): it holds key hashes and the organisations' needs."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        path.touch(mode=0o600)


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """A session for one use case. The use case commits once, when its change is whole; whatever
    it leaves uncommitted (an error, a read) is rolled back here. Requests, the CLI, start-up and
    background jobs all open their sessions this way."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
        finally:
            session.rollback()
