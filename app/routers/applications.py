"""Applications of the token's organisation: what it does about a programme for a need, from
first interest to the funder's decision. Tenancy and the status rules live in services/applications.py."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Response, status

from app.models.application import ApplicationCreate, ApplicationPublic, ApplicationStatus, ApplicationUpdate
from app.models.iso import IsoDate
from app.pagination import Page, PageParams
from app.principal import Principal
from app.routers.auth import ReadPrincipal, WritePrincipal
from app.routers.deps import (
    CSV_RESPONSE,
    LanguageDep,
    ListFormat,
    ListFormatDep,
    NowDep,
    PageDep,
    SessionDep,
    SnapshotDep,
    csv_response,
)
from app.routers.problems import problem_responses
from app.services import applications as service
from app.services.snapshot import CatalogueSnapshot

router = APIRouter(prefix="/api/v1", tags=["applications"], responses=problem_responses(400, 401, 403, 404, 413, 422))
NeedId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The need's id.")]
ApplicationId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The application's id.")]
IfMatch = Annotated[str | None, Header(description="The ETag from GET; a stale one gets 412.")]
Statuses = Annotated[
    list[ApplicationStatus] | None, Query(alias="status", description="One or more statuses (repeat the parameter).")
]
DeadlineBefore = Annotated[
    IsoDate | None,
    Query(description="Only applications whose call deadline or internal deadline falls before this date."),
]


def _listing(
    session: SessionDep,
    principal: Principal,
    snapshot: CatalogueSnapshot,
    flt: service.ApplicationFilter,
    page: PageParams,
    output: ListFormat,
    language: str | None,
) -> Any:
    rows = service.list_applications(session, principal, flt, snapshot)
    if output.csv:
        return csv_response(
            service.csv_table(session, principal, rows, snapshot, language, output.delimiter), "applications"
        )
    items = service.publish(session, page.slice(rows), snapshot)
    return {"items": items, "total": len(rows), "limit": page.limit, "offset": page.offset}


@router.post(
    "/needs/{need_id}/applications",
    status_code=status.HTTP_201_CREATED,
    response_model=ApplicationPublic,
    responses=problem_responses(409),
)
def create_application(
    need_id: NeedId,
    body: ApplicationCreate,
    principal: WritePrincipal,
    session: SessionDep,
    snapshot: SnapshotDep,
    now: NowDep,
    response: Response,
) -> Any:
    """Record what the organisation does about a programme (optionally one of its calls) for this
    need. It starts as `interested` (or `preparing`, `submitted`, `dismissed`) on `status_date`
    (default today, never in the future). An unknown programme or call, or a call of another
    programme, is a 422; a second application for the same programme is a 409 naming the first
    (its id, and its address in `Location`)."""
    application = service.create_application(session, principal, need_id, body, snapshot, now)
    response.headers["ETag"] = service.etag(application)
    response.headers["Location"] = service.location(application.id)
    return service.publish(session, [application], snapshot)[0]


@router.get("/needs/{need_id}/applications", response_model=Page[ApplicationPublic], responses=CSV_RESPONSE)
def list_need_applications(
    need_id: NeedId,
    principal: ReadPrincipal,
    session: SessionDep,
    snapshot: SnapshotDep,
    page: PageDep,
    output: ListFormatDep,
    language: LanguageDep,
    statuses: Statuses = None,
) -> Any:
    """One need's applications, oldest first."""
    flt = service.ApplicationFilter(statuses=tuple(statuses or ()), need=need_id, need_must_exist=True)
    return _listing(session, principal, snapshot, flt, page, output, language)


@router.get("/applications", response_model=Page[ApplicationPublic], responses=CSV_RESPONSE)
def list_applications(
    principal: ReadPrincipal,
    session: SessionDep,
    snapshot: SnapshotDep,
    page: PageDep,
    output: ListFormatDep,
    language: LanguageDep,
    statuses: Statuses = None,
    need: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="A need's id.")] = None,
    programme: Annotated[str | None, Query(max_length=100, description="A programme's code.")] = None,
    pillar: Annotated[str | None, Query(max_length=100, description="A pillar of the application's need.")] = None,
    deadline_before: DeadlineBefore = None,
) -> Any:
    """The organisation's applications, oldest first. `deadline_before` keeps those whose call's
    `deadline_at` (its date as written in the catalogue) or `internal_deadline` is before the date
    given. `format=csv` gives every application that passes the filters as one CSV table
    (`delimiter=semicolon` for spreadsheets set to Swedish; names in the display language)."""
    flt = service.ApplicationFilter(tuple(statuses or ()), need, programme, pillar, deadline_before)
    return _listing(session, principal, snapshot, flt, page, output, language)


@router.get("/applications/{application_id}", response_model=ApplicationPublic)
def get_application(
    application_id: ApplicationId,
    principal: ReadPrincipal,
    session: SessionDep,
    snapshot: SnapshotDep,
    response: Response,
) -> Any:
    application = service.get_application(session, principal, application_id)
    response.headers["ETag"] = service.etag(application)
    return service.publish(session, [application], snapshot)[0]


@router.patch("/applications/{application_id}", response_model=ApplicationPublic, responses=problem_responses(409, 412))
def patch_application(
    application_id: ApplicationId,
    body: ApplicationUpdate,
    principal: WritePrincipal,
    session: SessionDep,
    snapshot: SnapshotDep,
    now: NowDep,
    response: Response,
    if_match: IfMatch = None,
) -> Any:
    """Change an application; with `If-Match`, only if it is unchanged since (412 otherwise).

    A new `status` must follow the graph: interested → preparing → submitted → granted | rejected;
    `withdrawn` from any status before a decision; `dismissed` from interested or preparing.
    Anything else is a 409 whose `allowed` lists the statuses it may go to. `status_date` says
    when the change took effect (default today; never in the future nor before the current
    status's date). `amount_granted_eur` only with `granted`."""
    application = service.patch_application(session, principal, application_id, body, if_match, snapshot, now)
    response.headers["ETag"] = service.etag(application)
    return service.publish(session, [application], snapshot)[0]


@router.delete(
    "/applications/{application_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(412)
)
def delete_application(
    application_id: ApplicationId,
    principal: WritePrincipal,
    session: SessionDep,
    snapshot: SnapshotDep,
    now: NowDep,
    if_match: IfMatch = None,
) -> Response:
    """Delete an application and its history."""
    service.delete_application(session, principal, application_id, if_match, snapshot, now)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
