"""The refresh log of live calls, and starting a refresh by hand (admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from app.models.refresh import RefreshPublic
from app.pagination import Page
from app.routers.auth import AdminPrincipal, AnyPrincipal
from app.routers.deps import NowDep, PageDep, SessionDep, app_state
from app.routers.problems import problem_responses
from app.services import calls
from app.services.audit import actor_of

router = APIRouter(prefix="/api/v1/catalogue", tags=["catalogue"], responses=problem_responses(401, 422))


@router.post("/refreshes", status_code=202, response_model=RefreshPublic, responses=problem_responses(403, 409))
def start_refresh(
    request: Request, response: Response, principal: AdminPrincipal, session: SessionDep, now: NowDep
) -> RefreshPublic:
    """Refresh live calls from the EU Funding & Tenders Portal now.

    Answers 202 at once with the new refresh (`status: running`) and its `Location`; follow it to
    see how it ended. 409 while another refresh runs, on any server."""
    state = app_state(request)
    refresh = calls.request_refresh(session, now, state.settings.refresh_lease_seconds, actor_of(principal))
    response.headers["Location"] = f"/api/v1/catalogue/refreshes/{refresh.id}"
    if state.jobs is not None:
        state.jobs.wake()
    return refresh


@router.get("/refreshes", response_model=Page[RefreshPublic])
def list_refreshes(_: AnyPrincipal, session: SessionDep, page: PageDep, now: NowDep) -> Page[RefreshPublic]:
    """Recent refreshes of live calls, newest first: when they ran, how they ended, how many calls
    each created, updated and closed, and why a failed one failed."""
    items, total = calls.list_refreshes(session, page, now)
    return Page[RefreshPublic](items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/refreshes/{refresh_id}", response_model=RefreshPublic, responses=problem_responses(404))
def get_refresh(
    refresh_id: Annotated[int, Path(description="The refresh's id.")], _: AnyPrincipal, session: SessionDep, now: NowDep
) -> RefreshPublic:
    """One refresh of live calls."""
    return calls.get_refresh(session, refresh_id, now)
