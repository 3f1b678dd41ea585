"""What both match routes share: the options of a ranking and answering it (cached or computed)."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends, Header, Query, Request, Response

from app.i18n import parse_accept_language
from app.routers.deps import SnapshotDep, now_of
from app.services import matching as match_service


class MatchOptions:
    """The query options and context of one ranking; `job(body)` binds them to a need."""

    def __init__(
        self,
        request: Request,
        snapshot: SnapshotDep,
        accept_language: Annotated[str | None, Header(description="Display language, e.g. `sv` or `en`.")] = None,
        limit: Annotated[int, Query(ge=1, le=100, description="How many suggestions (1–100).")] = 10,
        include_ineligible: Annotated[
            bool, Query(description="Also list programmes the need cannot apply to, each with its reason.")
        ] = False,
    ) -> None:
        self.request = request
        self.snapshot = snapshot
        # the clock and the header are read here, not by dependencies of their own: this runs on every match
        self.now = now_of(request)
        self.today = self.now.date()
        self.display_language = parse_accept_language(accept_language)
        self.limit = limit
        self.include_ineligible = include_ineligible

    def job(self, body: dict[str, Any]) -> match_service.MatchJob:
        return match_service.MatchJob(
            snapshot=self.snapshot,
            lexicon=self.request.app.state.lexicon,
            body=body,
            today=self.today,
            now=self.now,
            limit=self.limit,
            include_ineligible=self.include_ineligible,
            display_language=self.display_language,
        )

    async def answer(self, body: dict[str, Any], need_id: int | None) -> Response:
        """A repeated need is answered on the event loop; a new one is ranked in a worker thread,
        one ranking at a time per worker (it is CPU-bound). The engine shapes the answer and the
        tests check it against the schema, so it is not validated again here."""
        job = self.job(body)
        answer = job.cached()
        if answer is None:
            answer = await anyio.to_thread.run_sync(job.compute, limiter=self.request.app.state.engine_limiter)
        return Response(match_service.render(answer, need_id), media_type="application/json")


MatchOptionsDep = Annotated[MatchOptions, Depends()]
