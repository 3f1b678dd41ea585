"""What both match routes share: the options of a ranking, bound to a need as a `MatchJob`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request, Response

from app.i18n import parse_accept_language
from app.routers.deps import SnapshotDep, app_state
from app.services import suggestions


class MatchOptions:
    """The query options and context of one ranking."""

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
        self.state = app_state(request)
        self.snapshot = snapshot
        # the clock and the header are read here, not by dependencies of their own: this runs on every match
        self.now = self.state.now()
        self.display_language = parse_accept_language(accept_language)
        self.limit = limit
        self.include_ineligible = include_ineligible

    async def answer(
        self, body: dict[str, Any], need_id: int | None, overlay: suggestions.ApplicationOverlay | None = None
    ) -> Response:
        """The engine shapes the answer and the tests check it against the schema, so it is not
        validated again here."""
        job = suggestions.MatchJob(
            snapshot=self.snapshot,
            lexicon=self.state.lexicon,
            body=body,
            today=self.now.date(),
            call_epoch=self.snapshot.call_epoch(self.now),
            now=self.now,
            limit=self.limit,
            include_ineligible=self.include_ineligible,
            display_language=self.display_language,
        )
        rendered = await suggestions.answer(job, need_id, self.state.engine_limiter, overlay)
        return Response(rendered, media_type="application/json")


MatchOptionsDep = Annotated[MatchOptions, Depends()]
