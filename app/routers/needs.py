"""Needs of the token's organisation, and their matches. Tenancy is enforced in services/needs.py."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Response, status
from starlette.concurrency import run_in_threadpool

from app.models.match import MatchAnswerPublic
from app.models.need import NeedCreate, NeedPublic, NeedUpdate
from app.pagination import Page
from app.routers.auth import ReadPrincipal, WritePrincipal
from app.routers.deps import CSV_RESPONSE, ListFormatDep, PageDep, SessionDep, SnapshotDep, csv_response
from app.routers.match_options import MatchOptionsDep
from app.routers.problems import problem_responses
from app.services import needs as need_service
from app.services import suggestions

router = APIRouter(prefix="/api/v1/needs", tags=["needs"], responses=problem_responses(400, 401, 403, 404, 413, 422))
NeedId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The need's id.")]
IfMatch = Annotated[str | None, Header(description="The ETag from GET; a stale one gets 412.")]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=NeedPublic)
def create_need(
    body: NeedCreate, principal: WritePrincipal, session: SessionDep, snapshot: SnapshotDep, response: Response
) -> Any:
    """Store a need of the token's organisation. `applicant_type`, `country`, `region` default to the organisation's."""
    need = need_service.create_need(session, principal, body, snapshot)
    response.headers["ETag"] = need_service.etag(need)
    response.headers["Location"] = f"/api/v1/needs/{need.id}"
    return need_service.need_public(need, principal)


@router.get("", response_model=Page[NeedPublic], responses=CSV_RESPONSE)
def list_needs(
    principal: ReadPrincipal,
    session: SessionDep,
    page: PageDep,
    output: ListFormatDep,
    status_: Annotated[
        Literal["draft", "active", "archived"] | None, Query(alias="status", description="Only needs with this status.")
    ] = None,
    pillar: Annotated[str | None, Query(description="Only needs with this pillar's code, e.g. `development`.")] = None,
    theme: Annotated[str | None, Query(description="Only needs with this theme's code, e.g. `youth`.")] = None,
    q: Annotated[
        str | None, Query(min_length=1, max_length=200, description="Free text in titles and descriptions (any case).")
    ] = None,
) -> Any:
    """The organisation's needs, oldest first. `format=csv` gives all of them that pass the filters
    as one CSV table (`delimiter=semicolon` for spreadsheets set to Swedish)."""
    needs = need_service.list_needs(session, principal, need_service.NeedFilter(status_, pillar, theme, q))
    if output.csv:
        return csv_response(need_service.csv_table(needs, output.delimiter), "needs")
    items = [need_service.need_public(need, principal) for need in page.slice(needs)]
    return {"items": items, "total": len(needs), "limit": page.limit, "offset": page.offset}


@router.get("/{need_id}", response_model=NeedPublic)
def get_need(need_id: NeedId, principal: ReadPrincipal, session: SessionDep, response: Response) -> Any:
    need = need_service.get_need(session, principal, need_id)
    response.headers["ETag"] = need_service.etag(need)
    return need_service.need_public(need, principal)


@router.put("/{need_id}", response_model=NeedPublic, responses=problem_responses(412, 428))
def replace_need(
    need_id: NeedId,
    body: NeedCreate,
    principal: WritePrincipal,
    session: SessionDep,
    snapshot: SnapshotDep,
    response: Response,
    if_match: IfMatch = None,
) -> Any:
    """Replace a need; `If-Match` is required (428 without it)."""
    need = need_service.replace_need(session, principal, need_id, body, if_match, snapshot)
    response.headers["ETag"] = need_service.etag(need)
    return need_service.need_public(need, principal)


@router.patch("/{need_id}", response_model=NeedPublic, responses=problem_responses(412))
def patch_need(
    need_id: NeedId,
    body: NeedUpdate,
    principal: WritePrincipal,
    session: SessionDep,
    snapshot: SnapshotDep,
    response: Response,
    if_match: IfMatch = None,
) -> Any:
    """Change some fields of a need; with `If-Match`, only if it is unchanged since."""
    need = need_service.patch_need(session, principal, need_id, body, if_match, snapshot)
    response.headers["ETag"] = need_service.etag(need)
    return need_service.need_public(need, principal)


@router.delete("/{need_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(409, 412))
def delete_need(need_id: NeedId, principal: WritePrincipal, session: SessionDep, if_match: IfMatch = None) -> Response:
    """Delete a need. A need with applications is not deleted (409): archive it instead, or delete
    its applications first, so that the funding report keeps what they record."""
    need_service.delete_need(session, principal, need_id, if_match)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{need_id}/matches", response_model=MatchAnswerPublic)
async def match_need(
    need_id: NeedId,
    principal: ReadPrincipal,
    session: SessionDep,
    options: MatchOptionsDep,
    include_dismissed: Annotated[
        bool, Query(description="Also list programmes with a `dismissed` application of this need.")
    ] = False,
) -> Any:
    """Rank the catalogue for a stored need: best first, with reasons and warnings.

    A programme that has an application for this need carries it as `application` (`id`,
    `status`); programmes dismissed as "not for us" are left out unless `include_dismissed=true`
    (the items are then ranked from 1 again, and still `limit` of them where the catalogue has them).
    """
    body, overlay = await run_in_threadpool(suggestions.stored_need, session, principal, need_id, include_dismissed)
    return await options.answer(body, need_id, overlay)
