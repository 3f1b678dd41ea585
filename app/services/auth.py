"""Bearer tokens: hashing, the per-worker trust cache, and checking a token against the database.

Tokens are random, shown once, and stored only as SHA-256 hashes; a lookup by hash is followed by a
constant-time comparison. Checking a token only reads; recording when a key was last used is a
separate write (`KeyUsage`) on a thread of its own, so that a request never waits for a write lock
(an import on SQLite holds it for seconds).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, bindparam
from sqlalchemy import select as sa_select
from sqlalchemy import update as sa_update
from sqlalchemy.exc import OperationalError

from app.errors import Unauthorized
from app.models import ApiKey, Organisation
from app.principal import Principal

log = logging.getLogger("fundmatch.auth")

TOKEN_PREFIX = "fm_"  # noqa: S105 (a prefix, not a secret)
# last_used_at is written at most this often per key, so reads do not turn into writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


_KEY_COLUMNS: tuple[Any, ...] = (
    ApiKey.id,
    ApiKey.name,
    ApiKey.token_hash,
    ApiKey.scopes,
    ApiKey.revoked_at,
    ApiKey.last_used_at,
    Organisation.id,
    Organisation.code,
    Organisation.type,
    Organisation.country,
    Organisation.region,
)


# Built once: this runs on every request, and building and caching a statement cost more than running it.
_KEY_QUERY = (
    sa_select(*_KEY_COLUMNS)
    .join(Organisation, Organisation.id == ApiKey.organisation_id)  # type: ignore[arg-type]
    .where(ApiKey.token_hash == bindparam("digest"))  # type: ignore[arg-type]
)


class PrincipalCache:
    """Keys this worker checked recently, by token hash, each trusted for `ttl` seconds.

    Every request authenticates, and a database round trip costs more than the rest of a repeated
    match. A short trust period bounds how late another worker sees a revocation; in this process,
    `credentials_changed()` (called by revocations and organisation updates) voids every entry at once.
    """

    MAX_ENTRIES = 10_000
    now = staticmethod(time.monotonic)

    @staticmethod
    def generation() -> int:
        """The process's count of credential changes; read it before reading a key from the database."""
        return _changes.generation

    def __init__(self, ttl: float) -> None:
        self._ttl = ttl
        self._entries: dict[str, tuple[Principal, float, int]] = {}

    def get(self, digest: str) -> Principal | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        principal, expires, generation = entry
        if generation != _changes.generation or self.now() >= expires:
            self._entries.pop(digest, None)
            return None
        return principal

    def put(self, digest: str, principal: Principal, generation: int) -> None:
        """Remember `principal`, read from the database when the change count was `generation`."""
        if self._ttl <= 0:
            return
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()
        self._entries[digest] = (principal, self.now() + self._ttl, generation)


class _Changes:
    """How many times keys or organisations changed in this process (read by every cache)."""

    generation = 0


_changes = _Changes()


def credentials_changed() -> None:
    """A key was revoked or an organisation changed: no cached principal of this process stays valid."""
    _changes.generation += 1


@dataclass(frozen=True)
class Authenticated:
    principal: Principal
    # When set, the key's last use is older than LAST_USED_RESOLUTION: record this moment (`KeyUsage`).
    touch_at: datetime | None = None


def authenticate(engine: Engine, token: str, cache: PrincipalCache | None = None) -> Authenticated:
    """The key's principal: from `cache` when it is fresh, else by one Core select on a short-lived
    connection (no ORM objects, no write, and no connection held for the rest of the request)."""
    digest = hash_token(token)
    if cache is not None and (principal := cache.get(digest)) is not None:
        return Authenticated(principal)
    generation = PrincipalCache.generation()
    with engine.connect() as connection:
        row = connection.execute(_KEY_QUERY, {"digest": digest}).first()
    if row is None or not hmac.compare_digest(row[2], digest):
        raise Unauthorized("The token is not valid.")
    key_id, key_name, _, scopes, revoked_at, last_used_at, org_id, org_code, org_type, country, region = row
    if revoked_at is not None:
        raise Unauthorized("The token has been revoked.")
    principal = Principal(
        key_id=key_id,
        key_name=key_name,
        organisation_id=org_id,
        organisation_code=org_code,
        scopes=frozenset(scopes),
        organisation_type=org_type,
        organisation_country=country,
        organisation_region=region,
    )
    if cache is not None:
        cache.put(digest, principal, generation)
    now = datetime.now(UTC)
    stale = last_used_at is None or now - _aware(last_used_at) > LAST_USED_RESOLUTION
    return Authenticated(principal, touch_at=now if stale else None)


_TOUCH_KEY = (
    sa_update(ApiKey)
    .where(ApiKey.id == bindparam("key_id"))  # type: ignore[arg-type]
    .values(last_used_at=bindparam("now"))
)


class KeyUsage:
    """Records keys' last use from one background thread, in batches.

    Authentication only reads; this write waits for the database's write lock (an import on SQLite
    holds it for seconds) on a thread of its own, so no request and no event loop waits for it.
    A busy database only makes the record late; a key used again meanwhile is written once.
    """

    def __init__(self, engine: Engine, pause: float = 1.0) -> None:
        self._engine = engine
        self._pause = pause
        self._pending: dict[int, datetime] = {}
        self._lock = threading.Lock()
        self._writing = threading.Lock()  # one batch written at a time
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def record(self, key_id: int, moment: datetime) -> None:
        with self._lock:
            self._pending[key_id] = moment
            if self._thread is None and not self._stopping:
                self._thread = threading.Thread(target=self._run, name="key-usage", daemon=True)
                self._thread.start()
        self._wake.set()

    def flush(self) -> None:
        """Write what is pending now, in the caller's thread; returns once every use recorded
        before the call is written (a write under way in the background included)."""
        with self._writing:
            self._write_pending()

    def _write_pending(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, {}
        if not batch:
            return
        try:
            with self._engine.begin() as connection:
                connection.execute(_TOUCH_KEY, [{"key_id": k, "now": m} for k, m in sorted(batch.items())])
        except OperationalError:
            log.warning("could not record the last use of %d key(s); will try again", len(batch))
            with self._lock:
                self._pending = {**batch, **self._pending}
            raise

    def close(self) -> None:
        with self._lock:
            self._stopping = True
            thread = self._thread
        self._wake.set()
        if thread is not None:
            thread.join(timeout=5)
        with contextlib.suppress(OperationalError):
            self.flush()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stopping:
                return
            try:
                self.flush()
            except OperationalError:
                time.sleep(self._pause)
                self._wake.set()
            except Exception:  # a broken database must not end the thread; the next use retries
                log.exception("recording key use failed")
                time.sleep(self._pause)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
