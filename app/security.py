"""Bearer tokens, scopes and the current organisation.

Tokens are random, shown once, and stored only as SHA-256 hashes; a lookup by hash is followed by a
constant-time comparison. `Principal` is what every route gets: the key, its organisation, its scopes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session, select

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

    def has(self, scope: str) -> bool:
        if "admin" in self.scopes:
            return True
        if scope == "read":
            return bool(self.scopes & {"read", "write"})
        return scope in self.scopes


def authenticate(session: Session, token: str) -> Principal:
    digest = hash_token(token)
    row = session.exec(
        select(ApiKey, Organisation)
        .join(Organisation, Organisation.id == ApiKey.organisation_id)  # type: ignore[arg-type]
        .where(ApiKey.token_hash == digest)
    ).first()
    if row is None or not hmac.compare_digest(row[0].token_hash, digest):
        raise Unauthorized("The token is not valid.")
    key, organisation = row
    if key.revoked_at is not None:
        raise Unauthorized("The token has been revoked.")
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        key.last_used_at = now
        session.add(key)
        session.commit()
    assert key.id is not None and organisation.id is not None
    return Principal(
        key_id=key.id,
        key_name=key.name,
        organisation_id=organisation.id,
        organisation_code=organisation.code,
        scopes=frozenset(key.scopes),
    )


def current_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("An API key is required: send 'Authorization: Bearer <token>'.")
    principal = authenticate(session, credentials.credentials)
    request.state.principal = principal
    return principal


def require(scope: str) -> object:
    def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.has(scope):
            raise Forbidden(f"This action needs the '{scope}' scope.")
        return principal

    return Depends(check)


AnyPrincipal = Annotated[Principal, Depends(current_principal)]
ReadPrincipal = Annotated[Principal, require("read")]
WritePrincipal = Annotated[Principal, require("write")]
AdminPrincipal = Annotated[Principal, require("admin")]
