"""Bearer tokens, scopes and the current organisation.

Tokens are random, shown once, and stored only as SHA-256 hashes; a lookup by hash is followed by a
constant-time comparison. `Principal` is what every route gets: the key, its organisation, its scopes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine, bindparam
from sqlalchemy import select as sa_select
from sqlalchemy import update as sa_update

from app.errors import Forbidden, Unauthorized
from app.models import ApiKey, Organisation
from app.models.base import utcnow

SCOPES = ("admin", "write", "read")
TOKEN_PREFIX = "fm_"  # noqa: S105 (a prefix, not a secret)
# last_used_at is written at most this often per key, so reads do not turn into writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)

bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer <token>`.")


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Principal:
    key_id: int
    key_name: str
    organisation_id: int
    organisation_code: str
    scopes: frozenset[str]
    # The organisation's profile: the defaults of its needs.
    organisation_type: str = "municipality"
    organisation_country: str | None = None
    organisation_region: str | None = None

    def has(self, scope: str) -> bool:
        if "admin" in self.scopes:
            return True
        if scope == "read":
            return bool(self.scopes & {"read", "write"})
        return scope in self.scopes


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


def authenticate(engine: Engine, token: str, cache: PrincipalCache | None = None) -> Principal:
    """The key's principal: from `cache` when it is fresh, else by one Core select on a short-lived
    connection (no ORM objects, and no connection held for the rest of the request)."""
    digest = hash_token(token)
    if cache is not None and (principal := cache.get(digest)) is not None:
        return principal
    generation = PrincipalCache.generation()
    with engine.connect() as connection:
        row = connection.execute(_KEY_QUERY, {"digest": digest}).first()
        if row is None or not hmac.compare_digest(row[2], digest):
            raise Unauthorized("The token is not valid.")
        key_id, key_name, _, scopes, revoked_at, last_used_at, org_id, org_code, org_type, country, region = row
        if revoked_at is not None:
            raise Unauthorized("The token has been revoked.")
        now = utcnow()
        if last_used_at is None or now - _aware(last_used_at) > LAST_USED_RESOLUTION:
            connection.execute(_TOUCH_KEY, {"key_id": key_id, "now": now})
            connection.commit()
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
    return principal


_TOUCH_KEY = (
    sa_update(ApiKey)
    .where(ApiKey.id == bindparam("key_id"))  # type: ignore[arg-type]
    .values(last_used_at=bindparam("now"))
)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """Runs on the event loop: mostly a cache hit, at worst one indexed lookup (a round trip on
    PostgreSQL), which costs less than the hop to a worker thread and back."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("An API key is required: send 'Authorization: Bearer <token>'.")
    app = request.app
    principal = authenticate(app.state.engine, credentials.credentials, app.state.principals)
    request.state.principal = principal
    return principal


def require(scope: str) -> object:
    """A dependency that authenticates and checks `scope` in one step (one dependency less to solve
    on every request than a check stacked on `current_principal`)."""

    async def authorised(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Principal:
        principal = await current_principal(request, credentials)
        if not principal.has(scope):
            raise Forbidden(f"This action needs the '{scope}' scope.")
        return principal

    return Depends(authorised)


AnyPrincipal = Annotated[Principal, Depends(current_principal)]
ReadPrincipal = Annotated[Principal, require("read")]
WritePrincipal = Annotated[Principal, require("write")]
AdminPrincipal = Annotated[Principal, require("admin")]
