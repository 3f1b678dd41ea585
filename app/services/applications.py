"""Applications of one organisation's needs. Tenancy lives here: every query starts from
`_scoped(principal)`, so another organisation's application is a 404 like a missing one, and never
appears in a list, a filter or a count.

Status changes follow `NEXT_STATUSES`; each one is a row of `application_status_change` (the
status, the date it took effect, when and by which key), written in the same transaction as the
change. Writes are conditional on the revision read, as for needs (412 when stale).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from app.etags import etag_matches
from app.i18n import render
from app.models import Application, ApplicationStatusChange, Need
from app.models.application import (
    INITIAL_STATUSES,
    NEXT_STATUSES,
    ApplicationCreate,
    ApplicationPublic,
    ApplicationUpdate,
)
from app.models.base import utcnow
from app.principal import Principal
from app.services import audit, events
from app.services.needs import get_need
from app.services.snapshot import CatalogueSnapshot
from app.services.tables import Cell, Delimiter, render_csv

EDITABLE = ("amount_requested_eur", "amount_granted_eur", "owner", "notes", "internal_deadline")


def _scoped(principal: Principal) -> SelectOfScalar[Application]:
    return select(Application).where(Application.organisation_id == principal.organisation_id)


def etag(application: Application) -> str:
    return f'"{application.id}-{application.revision}"'


def location(application_id: int | None) -> str:
    return f"/api/v1/applications/{application_id}"


def get_application(session: Session, principal: Principal, application_id: int) -> Application:
    application = session.exec(_scoped(principal).where(Application.id == application_id)).first()
    if application is None:
        raise NotFound(f"No application with id {application_id}.")
    return application


def _invalid(field: str, msg: str, kind: str = "value_error") -> InvalidInput:
    return InvalidInput(f"{field}: {msg}", errors=[{"loc": ["body", field], "msg": msg, "type": kind}])


def _check_catalogue(snapshot: CatalogueSnapshot, programme: str, call: str | None) -> None:
    if programme not in snapshot.by_code.get("programmes", {}):
        raise _invalid("programme", f"unknown programme '{programme}'", "unknown_reference")
    if call is None:
        return
    record = snapshot.by_code.get("calls", {}).get(call)
    if record is None:
        raise _invalid("call", f"unknown call '{call}'", "unknown_reference")
    if record.get("programme") != programme:
        raise _invalid("call", f"call '{call}' belongs to programme '{record.get('programme')}', not '{programme}'")


def _check_date(value: date | None, today: date, not_before: date | None = None) -> date:
    """The date a status took effect: today unless given; never in the future, never before the
    date of the status it follows."""
    if value is None:
        value = today
    if value > today:
        raise _invalid("status_date", f"{value.isoformat()} is in the future (today is {today.isoformat()})")
    if not_before is not None and value < not_before:
        raise _invalid(
            "status_date", f"{value.isoformat()} is before the current status took effect ({not_before.isoformat()})"
        )
    return value


def _duplicate(existing: Application) -> Conflict:
    error = Conflict(
        f"The need already has application {existing.id} for programme '{existing.programme_code}' "
        f"(status {existing.status}); change that one: {location(existing.id)}."
    )
    error.headers = {"Location": location(existing.id)}
    error.extra = {"existing": {"id": existing.id, "status": existing.status, "location": location(existing.id)}}
    return error


def _existing(session: Session, principal: Principal, need_id: int, programme: str) -> Application | None:
    query = _scoped(principal).where(Application.need_id == need_id, Application.programme_code == programme)
    return session.exec(query).first()


def _record_change(session: Session, application: Application, status: str, when: date, now: datetime, by: str) -> None:
    """One history entry: `when` the status took effect, `now` (the app's clock) when it was recorded."""
    assert application.id is not None
    session.add(
        ApplicationStatusChange(
            application_id=application.id, status=status, effective_date=when, at=now, changed_by=by
        )
    )


def create_application(
    session: Session,
    principal: Principal,
    need_id: int,
    body: ApplicationCreate,
    snapshot: CatalogueSnapshot,
    now: datetime,
) -> Application:
    get_need(session, principal, need_id)
    _check_catalogue(snapshot, body.programme, body.call)
    if body.status not in INITIAL_STATUSES:
        raise _invalid(
            "status",
            f"an application starts as one of {', '.join(INITIAL_STATUSES)}; create it, then move it to {body.status}",
        )
    when = _check_date(body.status_date, now.date())
    existing = _existing(session, principal, need_id, body.programme)
    if existing is not None:
        raise _duplicate(existing)
    application = Application(
        organisation_id=principal.organisation_id,
        need_id=need_id,
        programme_code=body.programme,
        call_code=body.call,
        status=body.status,
        status_date=when,
        amount_requested_eur=body.amount_requested_eur,
        owner=body.owner,
        notes=body.notes,
        internal_deadline=body.internal_deadline,
        created_by=principal.key_name,
    )
    session.add(application)
    try:
        session.flush()
    except IntegrityError as exc:  # another request created it in between
        session.rollback()
        existing = _existing(session, principal, need_id, body.programme)
        if existing is None:
            raise
        raise _duplicate(existing) from exc
    _record_change(session, application, body.status, when, now, principal.key_name)
    audit.record_by(session, principal, "application.create", f"application/{application.id}")
    _changed(session, application, "created", snapshot, now)
    session.commit()
    return application


def _changed(
    session: Session, application: Application, change: str, snapshot: CatalogueSnapshot, now: datetime
) -> None:
    """The `application.changed` event, in the change's transaction."""
    session.flush()
    public = publish(session, [application], snapshot)[0]
    data = {"application": public.model_dump(mode="json"), "change": change}
    events.record(session, application.organisation_id, "application.changed", data, now)


def _transition(current: str, target: str) -> None:
    allowed = NEXT_STATUSES[current]
    if target in allowed:
        return
    if allowed:
        detail = f"An application cannot go from '{current}' to '{target}'; allowed next: {', '.join(allowed)}."
    else:
        detail = f"An application in '{current}' is final; no further status change is allowed."
    error = Conflict(detail)
    error.extra = {"allowed": list(allowed)}
    raise error


def patch_application(
    session: Session,
    principal: Principal,
    application_id: int,
    changes: ApplicationUpdate,
    if_match: str | None,
    snapshot: CatalogueSnapshot,
    now: datetime,
) -> Application:
    current = get_application(session, principal, application_id)
    sent = changes.model_dump(exclude_unset=True, mode="python")
    if "status" in sent and sent["status"] is None:
        raise _invalid("status", "may not be null", "none_forbidden")
    target = sent.get("status", current.status)
    status_changes = target != current.status
    if status_changes:
        _transition(current.status, target)
    elif sent.get("status_date") is not None:
        raise _invalid("status_date", "only with a change of status")
    values: dict[str, Any] = {name: sent[name] for name in EDITABLE if name in sent}
    if values.get("amount_granted_eur") is not None and target != "granted":
        raise _invalid("amount_granted_eur", f"only with the status granted (the status would be {target})")
    if "call" in sent:
        if sent["call"] is not None:
            _check_catalogue(snapshot, current.programme_code, sent["call"])
        values["call_code"] = sent["call"]
    when = current.status_date
    if status_changes:
        when = _check_date(sent.get("status_date"), now.date(), not_before=current.status_date)
        values.update(status=target, status_date=when)
    if if_match is not None and not etag_matches(if_match, etag(current)):
        raise PreconditionFailed("The application has changed since that ETag; fetch it again.")
    statement = (
        update(Application)
        .where(
            (col(Application.id) == current.id)
            & (col(Application.organisation_id) == principal.organisation_id)
            & (col(Application.revision) == current.revision)
        )
        .values(**values, revision=current.revision + 1, updated_at=utcnow())
    )
    if session.execute(statement).rowcount != 1:  # type: ignore[attr-defined]
        raise PreconditionFailed("The application was changed by another request at the same time; fetch it again.")
    if status_changes:
        _record_change(session, current, target, when, now, principal.key_name)
    action = "application.status" if status_changes else "application.update"
    audit.record_by(session, principal, action, f"application/{application_id}")
    if status_changes:
        session.expire_all()
        _changed(session, get_application(session, principal, application_id), "status", snapshot, now)
    session.commit()
    session.expire_all()
    return get_application(session, principal, application_id)


def delete_application(
    session: Session,
    principal: Principal,
    application_id: int,
    if_match: str | None,
    snapshot: CatalogueSnapshot,
    now: datetime,
) -> None:
    """Delete an application and its history, only if it is unchanged since it was read."""
    current = get_application(session, principal, application_id)
    if if_match is not None and not etag_matches(if_match, etag(current)):
        raise PreconditionFailed("The application has changed since that ETag; fetch it again.")
    _changed(session, current, "deleted", snapshot, now)
    # The history goes too: explicitly, so that no database depends on ON DELETE CASCADE being on.
    session.execute(delete(ApplicationStatusChange).where(col(ApplicationStatusChange.application_id) == current.id))
    result = session.execute(
        delete(Application).where(
            (col(Application.id) == current.id)
            & (col(Application.organisation_id) == principal.organisation_id)
            & (col(Application.revision) == current.revision)
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise PreconditionFailed("The application was changed by another request at the same time; fetch it again.")
    audit.record_by(session, principal, "application.delete", f"application/{application_id}")
    session.commit()


@dataclass(frozen=True)
class ApplicationFilter:
    """Filters of the list. `deadline_before` keeps applications whose call deadline (its date where
    it was written) or internal deadline falls strictly before that date."""

    statuses: tuple[str, ...] = ()
    need: int | None = None
    programme: str | None = None
    pillar: str | None = None
    deadline_before: date | None = None
    # One need's list: a need that is not the organisation's is a 404, not an empty list.
    need_must_exist: bool = False


def call_deadline(snapshot: CatalogueSnapshot, call_code: str | None) -> str | None:
    if call_code is None:
        return None
    call = snapshot.by_code.get("calls", {}).get(call_code)
    return call.get("deadline_at") if call else None


def _deadline_date(snapshot: CatalogueSnapshot, call_code: str | None) -> date | None:
    text = call_deadline(snapshot, call_code)
    return datetime.fromisoformat(text).date() if text else None


def list_applications(
    session: Session, principal: Principal, flt: ApplicationFilter, snapshot: CatalogueSnapshot
) -> list[Application]:
    """The organisation's applications that pass `flt`, oldest first."""
    if flt.need_must_exist and flt.need is not None:
        get_need(session, principal, flt.need)
    query = _scoped(principal)
    if flt.statuses:
        query = query.where(col(Application.status).in_(flt.statuses))
    if flt.need is not None:
        query = query.where(Application.need_id == flt.need)
    if flt.programme is not None:
        query = query.where(Application.programme_code == flt.programme)
    if flt.pillar is not None:
        needs = select(Need.id, Need.pillars).where(Need.organisation_id == principal.organisation_id)
        with_pillar = [need_id for need_id, pillars in session.exec(needs).all() if flt.pillar in (pillars or ())]
        query = query.where(col(Application.need_id).in_(with_pillar))
    rows: Sequence[Application] = session.exec(query.order_by(col(Application.id))).all()
    if flt.deadline_before is not None:
        before = flt.deadline_before
        rows = [row for row in rows if _due_before(row, snapshot, before)]
    return list(rows)


def _due_before(row: Application, snapshot: CatalogueSnapshot, before: date) -> bool:
    call = _deadline_date(snapshot, row.call_code)
    return (call is not None and call < before) or (
        row.internal_deadline is not None and row.internal_deadline < before
    )


def histories(session: Session, application_ids: Iterable[int | None]) -> dict[int, list[ApplicationStatusChange]]:
    ids = [i for i in application_ids if i is not None]
    by_application: dict[int, list[ApplicationStatusChange]] = defaultdict(list)
    if not ids:
        return by_application
    query = (
        select(ApplicationStatusChange)
        .where(col(ApplicationStatusChange.application_id).in_(ids))
        .order_by(col(ApplicationStatusChange.application_id), col(ApplicationStatusChange.id))
    )
    for change in session.exec(query).all():
        by_application[change.application_id].append(change)
    return by_application


def application_public(
    application: Application, history: Sequence[ApplicationStatusChange], snapshot: CatalogueSnapshot
) -> ApplicationPublic:
    return ApplicationPublic.model_validate(
        {
            "id": application.id,
            "need": application.need_id,
            "programme": application.programme_code,
            "call": application.call_code,
            "status": application.status,
            "status_date": application.status_date,
            "allowed_next": list(NEXT_STATUSES[application.status]),
            "amount_requested_eur": application.amount_requested_eur,
            "amount_granted_eur": application.amount_granted_eur,
            "owner": application.owner,
            "notes": application.notes,
            "internal_deadline": application.internal_deadline,
            "deadline_at": call_deadline(snapshot, application.call_code),
            "created_at": application.created_at,
            "updated_at": application.updated_at,
            "history": [
                {"status": c.status, "date": c.effective_date, "at": c.at, "by": c.changed_by} for c in history
            ],
        }
    )


def publish(
    session: Session, applications: Sequence[Application], snapshot: CatalogueSnapshot
) -> list[ApplicationPublic]:
    """Public records of `applications`, their histories read in one query."""
    by_application = histories(session, (a.id for a in applications))
    return [application_public(a, by_application.get(a.id or 0, []), snapshot) for a in applications]


def applications_of_need(session: Session, principal: Principal, need_id: int) -> dict[str, tuple[int, str]]:
    """Programme code -> (application id, status) of one need's applications (no check of the need)."""
    query = select(Application.programme_code, Application.id, Application.status).where(
        Application.organisation_id == principal.organisation_id, Application.need_id == need_id
    )
    return {programme: (app_id or 0, status) for programme, app_id, status in session.exec(query).all()}


CSV_HEADER = (
    "id",
    "need",
    "need_title",
    "programme",
    "programme_name",
    "funder",
    "call",
    "status",
    "status_date",
    "amount_requested_eur",
    "amount_granted_eur",
    "owner",
    "internal_deadline",
    "deadline_at",
    "notes",
    "created_at",
    "updated_at",
)


def csv_table(
    session: Session,
    principal: Principal,
    applications: Sequence[Application],
    snapshot: CatalogueSnapshot,
    language: str | None,
    delimiter: Delimiter,
) -> bytes:
    """Every application given as one CSV row (`tables.render_csv`), with the need's title and the
    programme's name in the display language."""
    titles = dict(
        session.exec(select(Need.id, Need.title).where(Need.organisation_id == principal.organisation_id)).all()
    )
    programmes = snapshot.by_code.get("programmes", {})

    def row(a: Application) -> tuple[Cell, ...]:
        programme = programmes.get(a.programme_code, {})
        return (
            a.id,
            a.need_id,
            titles.get(a.need_id),
            a.programme_code,
            render(programme.get("name"), language) or None,
            programme.get("funder"),
            a.call_code,
            a.status,
            a.status_date,
            a.amount_requested_eur,
            a.amount_granted_eur,
            a.owner,
            a.internal_deadline,
            call_deadline(snapshot, a.call_code),
            a.notes,
            a.created_at,
            a.updated_at,
        )

    return render_csv(CSV_HEADER, (row(a) for a in applications), delimiter)
