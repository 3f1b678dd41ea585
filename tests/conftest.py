"""Fixtures: a freshly migrated database per test (SQLite or PostgreSQL) and a real app on it.

Set FUNDMATCH_TEST_DATABASE_URL to a PostgreSQL server URL (`postgresql+psycopg://…/postgres`) to
run the whole suite against PostgreSQL: migrations run once into a template database, and every
test gets its own database cloned from it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.db import make_engine, unit_of_work
from app.main import create_app
from app.migrations import upgrade
from app.settings import Settings
from app.state import AppState

ADMIN_TOKEN = "fm_test-admin-token-0123456789abcdef"
SECRET_KEY = "test-secret-key-for-webhook-secrets-0123456789"
PG_URL = os.environ.get("FUNDMATCH_TEST_DATABASE_URL", "")
FROZEN_NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _pg_admin_engine() -> Any:
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database to clone: a SQLite file, or a PostgreSQL template database name."""
    if PG_URL:
        name = f"fm_template_{uuid.uuid4().hex[:8]}"
        admin = _pg_admin_engine()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        upgrade(url)
        yield name
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        upgrade(f"sqlite:///{path}")
        yield str(path)


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> Iterator[str]:
    if PG_URL:
        name = f"fm_test_{uuid.uuid4().hex[:12]}"
        admin = _pg_admin_engine()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{database_template}"'))
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = tmp_path / "fundmatch.db"
        shutil.copyfile(database_template, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        load_default_catalogue=False,
        bootstrap_admin_token=ADMIN_TOKEN,  # type: ignore[arg-type]
        secret_key=SECRET_KEY,  # type: ignore[arg-type]
        catalogue_check_seconds=0,
        warm_index=False,
        jobs_enabled=False,
        ftportal_allow_http=True,
        ftportal_retry_initial_seconds=0,
        log_json=True,
    )


class Clock:
    """A clock that stands still until a test moves it; pass it where the app or a job reads the time."""

    def __init__(self, now: datetime = FROZEN_NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    """A unit of work on the test database, for tests of services and model-level factories. It
    commits only when the code under test does."""
    engine = make_engine(database_url)
    with unit_of_work(engine) as unit:
        yield unit
    engine.dispose()


Handler = Callable[[httpx.Request], httpx.Response]


class RecordingTransport(httpx.MockTransport):
    """An `httpx.MockTransport` that keeps every request it answered, in order."""

    def __init__(self, handler: Handler) -> None:
        self.requests: list[httpx.Request] = []

        def record(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return handler(request)

        super().__init__(record)


@pytest.fixture
def mock_transport() -> Callable[[Handler], RecordingTransport]:
    """Make a transport from a handler: `client = httpx.Client(transport=mock_transport(handler))`."""
    return RecordingTransport


def state_of(client: TestClient) -> AppState:
    """The running app's typed state (made by its lifespan)."""
    state: AppState = client.app.state.fm  # type: ignore[attr-defined]
    return state


AppFactory = Callable[..., TestClient]


@pytest.fixture
def make_client(settings: Settings, clock: Clock) -> Iterator[AppFactory]:
    """Start a real app (lifespan included) on the test database; override settings by keyword."""
    clients: list[TestClient] = []

    def factory(**overrides: Any) -> TestClient:
        app = create_app(settings.model_copy(update=overrides), clock=clock)
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: AppFactory) -> TestClient:
    return make_client()


@pytest.fixture
def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def live_server(settings: Settings) -> Iterator[str]:
    """A real uvicorn server on a free loopback port, for tests of concurrent requests."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings, clock=lambda: FROZEN_NOW),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
