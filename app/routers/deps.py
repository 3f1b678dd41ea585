"""Dependencies shared by routers: the app's state, a unit of work, the catalogue snapshot, the
clock, the display language and the page of a list."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, Header, Query, Request, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from app.db import unit_of_work
from app.i18n import parse_accept_language
from app.pagination import MAX_LIMIT, MAX_OFFSET, PageParams
from app.services.snapshot import CatalogueSnapshot
from app.services.tables import MEDIA_TYPE, Delimiter
from app.state import AppState


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.fm
    return state


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A unit of work per request; the service that uses it commits. Opening one does no I/O, so
    this runs on the event loop (two thread-pool hops a request saved); the queries run in the
    sync routes' threads."""
    with unit_of_work(app_state(request).engine) as session:
        yield session


async def get_snapshot(request: Request) -> CatalogueSnapshot:
    """The worker's catalogue. Between version checks it is at hand on the event loop; a check runs
    in the thread pool on a short-lived session of its own."""
    cache = app_state(request).snapshots
    snapshot = cache.fresh()
    if snapshot is None:
        snapshot = await run_in_threadpool(cache.get)
    return snapshot


def now_of(request: Request) -> datetime:
    """Now, from the app's clock (tests freeze it)."""
    return app_state(request).now()


async def get_now(request: Request) -> datetime:
    return now_of(request)


async def display_language(
    accept_language: Annotated[str | None, Header(description="Display language, e.g. `sv` or `en`.")] = None,
) -> str | None:
    return parse_accept_language(accept_language)


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1–200).")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


@dataclass(frozen=True)
class ListFormat:
    csv: bool
    delimiter: Delimiter


async def list_format(
    format_: Annotated[
        Literal["json", "csv"],
        Query(
            alias="format",
            description="`csv`: every record that passes the filters (`limit`/`offset` do not apply), as "
            "`text/csv; charset=utf-8` with a byte-order mark and a header row.",
        ),
    ] = "json",
    delimiter: Annotated[
        Delimiter, Query(description="With `format=csv`: `semicolon` for spreadsheets set to Swedish.")
    ] = "comma",
) -> ListFormat:
    return ListFormat(csv=format_ == "csv", delimiter=delimiter)


CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "JSON, or CSV with `format=csv`."}
}


def csv_response(content: bytes, name: str) -> Response:
    return Response(
        content, media_type=MEDIA_TYPE, headers={"Content-Disposition": f'attachment; filename="{name}.csv"'}
    )


SessionDep = Annotated[Session, Depends(get_session)]
SnapshotDep = Annotated[CatalogueSnapshot, Depends(get_snapshot)]
NowDep = Annotated[datetime, Depends(get_now)]
LanguageDep = Annotated[str | None, Depends(display_language)]
PageDep = Annotated[PageParams, Depends(page_params)]
ListFormatDep = Annotated[ListFormat, Depends(list_format)]
