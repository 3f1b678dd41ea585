"""API keys: create (token shown once), list, revoke; and the bootstrap admin key."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.errors import InvalidInput, NotFound
from app.models import ApiKey, Organisation
from app.models.base import utcnow
from app.principal import SCOPES
from app.services import audit
from app.services.auth import credentials_changed, hash_token, new_token

ADMIN_ORGANISATION = "admin"


def _check_scopes(scopes: Iterable[str]) -> list[str]:
    wanted = sorted(set(scopes), key=SCOPES.index) if set(scopes) <= set(SCOPES) else None
    if not wanted:
        raise InvalidInput(
            f"Scopes must be a non-empty subset of {', '.join(SCOPES)}.",
            errors=[{"loc": ["body", "scopes"], "msg": "unknown or missing scope", "type": "scope"}],
        )
    return wanted


def organisation_by_code(session: Session, code: str) -> Organisation:
    org = session.exec(select(Organisation).where(Organisation.code == code)).first()
    if org is None:
        raise NotFound(f"No organisation with code '{code}'.")
    return org


def _add_key(session: Session, org: Organisation, name: str, scopes: Sequence[str], token: str) -> ApiKey:
    assert org.id is not None
    key = ApiKey(
        organisation_id=org.id,
        name=name,
        token_hash=hash_token(token),
        token_prefix=token[:8],
        scopes=_check_scopes(scopes),
    )
    session.add(key)
    session.flush()
    return key


def create_key(
    session: Session, org_code: str, name: str, scopes: Sequence[str], actor: audit.Actor
) -> tuple[ApiKey, str]:
    """A new key for the organisation; returns it with its token, which is never stored."""
    token = new_token()
    org = organisation_by_code(session, org_code)
    key = _add_key(session, org, name, scopes, token)
    audit.record(session, actor, "api_key.create", f"api_key/{key.id}", org.id)
    session.commit()
    return key, token


def list_keys(session: Session, org_code: str) -> list[ApiKey]:
    org = organisation_by_code(session, org_code)
    return list(session.exec(select(ApiKey).where(ApiKey.organisation_id == org.id).order_by(ApiKey.id)).all())  # type: ignore[arg-type]


def revoke_key(session: Session, key_id: int, actor: audit.Actor) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"No API key with id {key_id}.")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.add(key)
        audit.record(session, actor, "api_key.revoke", f"api_key/{key_id}", key.organisation_id)
        session.commit()
        credentials_changed()
    return key


def ensure_admin_organisation(session: Session) -> Organisation:
    """The organisation of platform administrators, created when missing (its own transaction)."""
    org = session.exec(select(Organisation).where(Organisation.code == ADMIN_ORGANISATION)).first()
    if org is None:
        org = Organisation(code=ADMIN_ORGANISATION, name="Administrators", type="public_body")
        session.add(org)
        try:
            session.flush()
            audit.record(session, audit.STARTUP, "organisation.create", f"organisation/{org.code}", org.id)
            session.commit()
        except IntegrityError:  # another worker created it first
            session.rollback()
            return organisation_by_code(session, ADMIN_ORGANISATION)
    return org


def bootstrap_admin(session: Session, token: str) -> bool:
    """Create an admin key for exactly `token` when no admin key exists. True when one was created.
    Run `ensure_admin_organisation` first (a transaction of its own)."""
    keys = session.exec(select(ApiKey).where(ApiKey.revoked_at.is_(None))).all()  # type: ignore[union-attr]
    if any("admin" in key.scopes for key in keys):
        return False
    try:
        org = organisation_by_code(session, ADMIN_ORGANISATION)
        key = _add_key(session, org, "bootstrap", ["admin"], token)
        audit.record(session, audit.STARTUP, "api_key.create", f"api_key/{key.id}", org.id)
        session.commit()
    except IntegrityError:  # a concurrent worker bootstrapped the same token
        session.rollback()
        return False
    return True
