"""Who changed what and when: records written in the caller's transaction, and the log's reads.

A record holds names, codes and ids only, never a token, secret or text of a need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from app.models import Organisation
from app.models.audit import AuditEvent
from app.models.audit import AuditEventPublic as AuditEventPublic

__all__ = [
    "CLI",
    "STARTUP",
    "Actor",
    "AuditEventPublic",
    "AuditFilter",
    "actor_of",
    "list_events",
    "record",
    "record_by",
]
from app.pagination import PageParams
from app.principal import Principal
from app.request_context import current_request_id


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a key of an organisation, or the command line or start-up."""

    name: str
    key_id: int | None = None
    organisation_id: int | None = None


CLI = Actor("cli")
STARTUP = Actor("startup")
SCHEDULE = Actor("schedule")  # background work that the schedule started


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.key_name, principal.key_id, principal.organisation_id)


def record(
    session: Session,
    actor: Actor,
    action: str,
    resource: str,
    organisation_id: int | None,
    *,
    request_id: str | None = None,
) -> None:
    """Add one audit record to the caller's transaction: it lands if and only if the change does."""
    session.add(
        AuditEvent(
            organisation_id=organisation_id,
            actor=actor.name,
            actor_key_id=actor.key_id,
            action=action,
            resource=resource,
            request_id=request_id or current_request_id.get(),
        )
    )


def record_by(session: Session, principal: Principal, action: str, resource: str) -> None:
    """`record` a change a key made to its own organisation's data."""
    record(session, actor_of(principal), action, resource, principal.organisation_id)


@dataclass(frozen=True)
class AuditFilter:
    organisation: str | None = None
    action: str | None = None
    since: datetime | None = None


def _visible(principal: Principal, flt: AuditFilter) -> SelectOfScalar[AuditEvent]:
    query = select(AuditEvent)
    if "admin" not in principal.scopes:
        query = query.where(AuditEvent.organisation_id == principal.organisation_id)
    if flt.organisation is not None:
        org_id = select(Organisation.id).where(Organisation.code == flt.organisation).scalar_subquery()
        query = query.where(AuditEvent.organisation_id == org_id)
    if flt.action is not None:
        query = query.where(AuditEvent.action == flt.action)
    if flt.since is not None:
        since = flt.since if flt.since.tzinfo else flt.since.replace(tzinfo=UTC)
        query = query.where(AuditEvent.at >= since)
    return query


def list_events(
    session: Session, principal: Principal, flt: AuditFilter, page: PageParams
) -> tuple[list[AuditEventPublic], int]:
    """Newest first. An admin key sees every organisation's records; other keys their own."""
    query = _visible(principal, flt)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(AuditEvent.id.desc()).offset(page.offset).limit(page.limit)).all()  # type: ignore[union-attr]
    codes = dict(session.exec(select(Organisation.id, Organisation.code)).all())
    items = [
        AuditEventPublic(
            id=row.id or 0,
            at=row.at,
            organisation=codes.get(row.organisation_id) if row.organisation_id is not None else None,
            actor=row.actor,
            action=row.action,
            resource=row.resource,
            request_id=row.request_id,
            outcome=row.outcome,
        )
        for row in rows
    ]
    return items, total
