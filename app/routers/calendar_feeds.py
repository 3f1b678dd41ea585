"""Calendar feeds of the token's organisation (scope read), and the feeds themselves: iCalendar
documents at a secret URL that calendar programs subscribe to."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response, status

from app.models.notices import CalendarFeedCreate, CalendarFeedCreated, CalendarFeedPublic
from app.pagination import Page
from app.routers.auth import ReadPrincipal
from app.routers.deps import NowDep, PageDep, SessionDep, SnapshotDep, app_state
from app.routers.problems import problem_responses
from app.services import calendar_feeds as service

router = APIRouter(prefix="/api/v1", tags=["calendar feeds"], responses=problem_responses(400, 401, 403, 413, 422))
Id = Annotated[int, Path(ge=1, le=2**31 - 1, description="The feed's id.")]
Token = Annotated[
    str,
    Path(
        min_length=20,
        max_length=100,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The feed's secret, from the URL given when it was created.",
    ),
]


@router.post("/calendar-feeds", status_code=status.HTTP_201_CREATED, response_model=CalendarFeedCreated)
def create_calendar_feed(
    body: CalendarFeedCreate,
    principal: ReadPrincipal,
    session: SessionDep,
    now: NowDep,
    request: Request,
    response: Response,
) -> Any:
    """A feed of the organisation's deadlines. Its `url` (shown this once) is the credential: add
    it to a calendar program as a subscription; anyone with it can read the feed until it is deleted."""
    base = app_state(request).settings.public_url or str(request.base_url)
    feed, url = service.create_feed(session, principal, body, base, now)
    response.headers["Cache-Control"] = "no-store"
    return {"id": feed.id, "name": feed.name, "language": feed.language, "url": url}


@router.get("/calendar-feeds", response_model=Page[CalendarFeedPublic])
def list_calendar_feeds(principal: ReadPrincipal, session: SessionDep, page: PageDep) -> Any:
    """The organisation's feeds (without their URLs, which only the creating answer shows)."""
    feeds = service.list_feeds(session, principal)
    items = [CalendarFeedPublic.model_validate(f, from_attributes=True) for f in page.slice(feeds)]
    return {"items": items, "total": len(feeds), "limit": page.limit, "offset": page.offset}


@router.delete("/calendar-feeds/{feed_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(404))
def delete_calendar_feed(feed_id: Id, principal: ReadPrincipal, session: SessionDep) -> Response:
    """Revoke the feed at once: its URL answers 404 from now on."""
    service.delete_feed(session, principal, feed_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/calendar/{token}.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {"schema": {"type": "string"}}}}, **problem_responses(404)},
)
def calendar_feed(token: Token, session: SessionDep, snapshot: SnapshotDep, now: NowDep, request: Request) -> Response:
    """The feed (RFC 5545): one event per deadline, with a reminder for each alert threshold."""
    feed = service.feed_of(session, token)
    days = app_state(request).settings.deadline_alert_thresholds
    body = service.render_feed(session, feed, snapshot, days, now)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, no-store", "Content-Disposition": 'inline; filename="fundmatch.ics"'},
    )
