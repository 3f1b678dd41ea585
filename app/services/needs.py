"""Needs of one organisation. Tenancy lives here: every query starts from `_scoped(principal)`.

A need of another organisation is indistinguishable from one that does not exist (404). Writes
are conditional on the need's revision, so concurrent updates with the same If-Match give exactly
one success on every database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from sqlmodel.sql.expression import SelectOfScalar

from app.errors import Conflict, InvalidInput, NotFound, PreconditionFailed, PreconditionRequired, validation_errors
from app.etags import etag_matches
from app.matching import detect_language
from app.models import Application, Need, Organisation
from app.models.base import utcnow
from app.models.need import NeedCreate, NeedFields, NeedPublic, NeedUpdate
from app.principal import Principal
from app.services import audit
from app.services.snapshot import CatalogueSnapshot
from app.services.tables import Cell, Delimiter, render_csv

CONTENT_FIELDS = tuple(name for name in NeedCreate.model_fields)


def _scoped(principal: Principal) -> SelectOfScalar[Need]:
    return select(Need).where(Need.organisation_id == principal.organisation_id)


def etag(need: Need) -> str:
    return f'"{need.id}-{need.revision}"'


def _matches(if_match: str, need: Need) -> bool:
    return etag_matches(if_match, etag(need))


def get_need(session: Session, principal: Principal, need_id: int) -> Need:
    need = session.exec(_scoped(principal).where(Need.id == need_id)).first()
    if need is None:
        raise NotFound(f"No need with id {need_id}.")
    return need


@dataclass(frozen=True)
class NeedFilter:
    status: str | None = None
    pillar: str | None = None
    theme: str | None = None
    q: str | None = None

    def accepts(self, need: Need) -> bool:
        text = f"{need.title}\n{need.description}".casefold()
        return (
            (self.pillar is None or self.pillar in need.pillars)
            and (self.theme is None or self.theme in need.themes)
            and (self.q is None or self.q.casefold() in text)
        )


def list_needs(session: Session, principal: Principal, flt: NeedFilter) -> list[Need]:
    """The organisation's needs, oldest first. Code-list filters run in memory over one organisation."""
    query = _scoped(principal)
    if flt.status is not None:
        query = query.where(Need.status == flt.status)
    return [need for need in session.exec(query.order_by(Need.id)).all() if flt.accepts(need)]  # type: ignore[arg-type]


def check_codes(body: NeedFields, snapshot: CatalogueSnapshot) -> None:
    errors: list[dict[str, Any]] = []
    for field, section in (("pillars", "pillars"), ("themes", "themes")):
        known = snapshot.by_code.get(section, {})
        for i, code in enumerate(getattr(body, field)):
            if code not in known:
                errors.append(
                    {"loc": ["body", field, i], "msg": f"unknown {field[:-1]} '{code}'", "type": "unknown_reference"}
                )
    if errors:
        raise InvalidInput(f"{len(errors)} unknown code(s) in the need.", errors=errors)


def _with_defaults(body: NeedCreate, organisation: Organisation) -> dict[str, Any]:
    values = body.model_dump(mode="python")
    values["applicant_type"] = values["applicant_type"] or organisation.type
    values["country"] = values["country"] or organisation.country
    values["region"] = values["region"] or organisation.region
    if body.partners is not None:
        values["partners"] = body.partners.model_dump()
    return values


def create_need(session: Session, principal: Principal, body: NeedCreate, snapshot: CatalogueSnapshot) -> Need:
    check_codes(body, snapshot)
    organisation = session.get(Organisation, principal.organisation_id)
    assert organisation is not None
    need = Need(
        **_with_defaults(body, organisation), organisation_id=principal.organisation_id, created_by=principal.key_name
    )
    session.add(need)
    session.flush()
    audit.record_by(session, principal, "need.create", f"need/{need.id}")
    session.commit()
    return need


def replace_need(
    session: Session,
    principal: Principal,
    need_id: int,
    body: NeedCreate,
    if_match: str | None,
    snapshot: CatalogueSnapshot,
) -> Need:
    """PUT: the whole need; If-Match is required."""
    if if_match is None:
        raise PreconditionRequired("Send If-Match with the need's ETag to replace it.")
    current = get_need(session, principal, need_id)
    check_codes(body, snapshot)
    organisation = session.get(Organisation, principal.organisation_id)
    assert organisation is not None
    _conditional_write(session, principal, current, _with_defaults(body, organisation), if_match)
    audit.record_by(session, principal, "need.replace", f"need/{need_id}")
    session.commit()
    return get_need(session, principal, need_id)


def patch_need(
    session: Session,
    principal: Principal,
    need_id: int,
    changes: NeedUpdate,
    if_match: str | None,
    snapshot: CatalogueSnapshot,
) -> Need:
    current = get_need(session, principal, need_id)
    merged = {name: getattr(current, name) for name in CONTENT_FIELDS}
    for key, value in changes.model_dump(exclude_unset=True, mode="python").items():
        if key in ("title", "description", "status") and value is None:
            raise InvalidInput(
                f"{key} cannot be cleared.",
                errors=[{"loc": ["body", key], "msg": "may not be null", "type": "none_forbidden"}],
            )
        merged[key] = value
    try:
        body = NeedCreate.model_validate(merged)
    except ValidationError as exc:
        errors = validation_errors(exc.errors(include_url=False, include_input=False), prefix=("body",))
        raise InvalidInput("The need would not be valid after this change.", errors=errors) from exc
    check_codes(body, snapshot)
    values = body.model_dump(mode="python")
    values["partners"] = body.partners.model_dump() if body.partners is not None else None
    _conditional_write(session, principal, current, values, if_match)
    audit.record_by(session, principal, "need.update", f"need/{need_id}")
    session.commit()
    return get_need(session, principal, need_id)


def _unchanged(principal: Principal, current: Need) -> Any:
    """The condition that `current` is still as read: the same revision of the same organisation's need."""
    return (
        (Need.id == current.id)
        & (Need.organisation_id == principal.organisation_id)
        & (Need.revision == current.revision)
    )


def _conditional_write(
    session: Session, principal: Principal, current: Need, values: dict[str, Any], if_match: str | None
) -> None:
    """Update `current` only if it is unchanged since it was read (and matches If-Match)."""
    if if_match is not None and not _matches(if_match, current):
        raise PreconditionFailed("The need has changed since that ETag; fetch it again.")
    statement = (
        update(Need)
        .where(_unchanged(principal, current))
        .values(**values, revision=current.revision + 1, updated_at=utcnow())
    )
    result = session.execute(statement)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise PreconditionFailed("The need was changed by another request at the same time; fetch it again.")
    session.expire_all()


def _has_applications(session: Session, principal: Principal, need_id: int) -> Conflict | None:
    count = session.exec(
        select(func.count())
        .select_from(Application)
        .where(Application.organisation_id == principal.organisation_id, Application.need_id == need_id)
    ).one()
    if not count:
        return None
    return Conflict(
        f"The need has {count} application(s); the funding report counts them. Archive the need "
        f"(status 'archived'), or delete its applications first."
    )


def delete_need(session: Session, principal: Principal, need_id: int, if_match: str | None) -> None:
    """Delete a need only if it is unchanged since it was read (and matches If-Match) and has no
    applications (409: they hold the organisation's funding history)."""
    need = get_need(session, principal, need_id)
    if if_match is not None and not _matches(if_match, need):
        raise PreconditionFailed("The need has changed since that ETag; fetch it again.")
    conflict = _has_applications(session, principal, need_id)
    if conflict is not None:
        raise conflict
    try:
        result = session.execute(delete(Need).where(_unchanged(principal, need)))
    except IntegrityError as exc:  # an application was added in between (the foreign key refuses)
        session.rollback()
        raise _has_applications(session, principal, need_id) or Conflict("The need has applications.") from exc
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise PreconditionFailed("The need was changed by another request at the same time; fetch it again.")
    audit.record_by(session, principal, "need.delete", f"need/{need_id}")
    session.commit()


def need_public(need: Need, principal: Principal) -> NeedPublic:
    data = need.model_dump()
    data["organisation"] = principal.organisation_code
    data["language"] = need.language or detect_language(f"{need.title}\n{need.description}")
    return NeedPublic.model_validate(data)


def need_body(need: Need) -> dict[str, Any]:
    """The stored need as a contract need body, for the matching engine."""
    body = {name: getattr(need, name) for name in CONTENT_FIELDS if name != "status"}
    for key in ("start_date", "end_date"):
        if body[key] is not None:
            body[key] = body[key].isoformat()
    return body


CSV_HEADER = (
    "id",
    "title",
    "status",
    "language",
    "pillars",
    "themes",
    "applicant_type",
    "country",
    "region",
    "budget_eur",
    "cofinancing_capacity",
    "start_date",
    "end_date",
    "has_partners",
    "partner_countries",
    "description",
    "created_by",
    "created_at",
    "updated_at",
)


def csv_table(needs: Sequence[Need], delimiter: Delimiter) -> bytes:
    """Every need given as one CSV row; code lists joined with ", "."""

    def row(need: Need) -> tuple[Cell, ...]:
        partners = need.partners or {}
        return (
            need.id,
            need.title,
            need.status,
            need.language or detect_language(f"{need.title}\n{need.description}"),
            ", ".join(need.pillars),
            ", ".join(need.themes),
            need.applicant_type,
            need.country,
            need.region,
            need.budget_eur,
            need.cofinancing_capacity,
            need.start_date,
            need.end_date,
            "yes" if partners.get("has_partners") else "no",
            ", ".join(partners.get("countries", [])),
            need.description,
            need.created_by,
            need.created_at,
            need.updated_at,
        )

    return render_csv(CSV_HEADER, (row(need) for need in needs), delimiter)
