"""Organisations (admin only): create, list, read, update."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.errors import Conflict
from app.models import ApiKey, Organisation
from app.models.base import utcnow
from app.models.organisation import ApiKeyPublic, OrganisationCreate, OrganisationUpdate
from app.pagination import PageParams
from app.services import audit
from app.services.auth import credentials_changed
from app.services.keys import organisation_by_code


def create_organisation(session: Session, body: OrganisationCreate, actor: audit.Actor) -> Organisation:
    org = Organisation(**body.model_dump())
    session.add(org)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(f"An organisation with code '{body.code}' exists already.") from exc
    audit.record(session, actor, "organisation.create", f"organisation/{org.code}", org.id)
    session.commit()
    return org


def list_organisations(session: Session, page: PageParams) -> tuple[list[Organisation], int]:
    total = session.exec(select(func.count()).select_from(Organisation)).one()
    rows = session.exec(select(Organisation).order_by(Organisation.code).offset(page.offset).limit(page.limit)).all()
    return list(rows), total


def update_organisation(session: Session, code: str, body: OrganisationUpdate, actor: audit.Actor) -> Organisation:
    org = organisation_by_code(session, code)
    for key, value in body.model_dump(exclude_unset=True).items():
        if key in ("name", "type") and value is None:
            continue  # required fields cannot be cleared
        setattr(org, key, value)
    org.updated_at = utcnow()
    session.add(org)
    audit.record(session, actor, "organisation.update", f"organisation/{org.code}", org.id)
    session.commit()
    credentials_changed()  # its keys' principals carry the organisation's profile
    return org


def key_public(key: ApiKey, organisation_code: str) -> ApiKeyPublic:
    assert key.id is not None
    return ApiKeyPublic(
        id=key.id,
        organisation=organisation_code,
        name=key.name,
        token_prefix=key.token_prefix,
        scopes=key.scopes,
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
    )
