"""Bearer tokens, scopes and the current organisation.

Tokens are random, shown once, and stored only as SHA-256 hashes; a lookup by hash is followed by a
constant-time comparison. `Principal` is what every route gets: the key, its organisation, its scopes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlalchemy import update as sa_update
from sqlmodel import Session

from app.db import SessionDep
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


def authenticate(session: Session, token: str) -> Principal:
    """The key's principal, by one Core select on the session's connection (no ORM objects)."""
    digest = hash_token(token)
    row = session.connection().execute(_KEY_QUERY, {"digest": digest}).first()
    if row is None or not hmac.compare_digest(row[2], digest):
        raise Unauthorized("The token is not valid.")
    key_id, key_name, _, scopes, revoked_at, last_used_at, org_id, org_code, org_type, country, region = row
    if revoked_at is not None:
        raise Unauthorized("The token has been revoked.")
    now = utcnow()
    if last_used_at is None or now - _aware(last_used_at) > LAST_USED_RESOLUTION:
        session.execute(sa_update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now))
        session.commit()
    return Principal(
        key_id=key_id,
        key_name=key_name,
        organisation_id=org_id,
        organisation_code=org_code,
        scopes=frozenset(scopes),
        organisation_type=org_type,
        organisation_country=country,
        organisation_region=region,
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def current_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """Runs on the event loop: one indexed lookup (a round trip on PostgreSQL) costs less than the
    hop to a worker thread and back, and every request pays it."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("An API key is required: send 'Authorization: Bearer <token>'.")
    principal = authenticate(session, credentials.credentials)
    request.state.principal = principal
    return principal


def require(scope: str) -> object:
    async def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.has(scope):
            raise Forbidden(f"This action needs the '{scope}' scope.")
        return principal

    return Depends(check)


AnyPrincipal = Annotated[Principal, Depends(current_principal)]
ReadPrincipal = Annotated[Principal, require("read")]
WritePrincipal = Annotated[Principal, require("write")]
AdminPrincipal = Annotated[Principal, require("admin")]
