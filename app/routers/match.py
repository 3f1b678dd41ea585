"""Rank a need given in the body, without storing it."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Query, Request, Response

from app.errors import problem_responses
from app.i18n import LanguageDep
from app.models.match import MatchAnswerPublic, MatchRequest
from app.routers.deps import NowDep, SnapshotDep
from app.security import ReadPrincipal
from app.services import matching as match_service
from app.services.needs import check_codes

router = APIRouter(prefix="/api/v1", tags=["matching"], responses=problem_responses(400, 401, 403, 413, 422))


@router.post("/match", response_model=MatchAnswerPublic)
async def match(
    body: MatchRequest,
    request: Request,
    principal: ReadPrincipal,
    snapshot: SnapshotDep,
    now: NowDep,
    lang: LanguageDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    include_ineligible: bool = False,
) -> Any:
    """Rank the catalogue for the need in the body: programmes best first, with their open and
    forthcoming calls, reasons and warnings, and the strategy goals the need serves.

    `applicant_type`, `country` and `region` default to the token's organisation. Ineligible
    programmes come only with `include_ineligible=true`, each with its reason in `warnings`.
    """
    check_codes(body, snapshot)
    job = match_service.MatchJob(
        snapshot=snapshot,
        lexicon=request.app.state.lexicon,
        body=match_service.with_organisation_defaults(match_service.request_body(body), principal),
        today=now.date(),
        limit=limit,
        include_ineligible=include_ineligible,
        display_language=lang,
    )
    # A repeated need is answered on the event loop; ranking anew runs in the thread pool.
    answer = job.cached()
    if answer is None:
        answer = await anyio.to_thread.run_sync(job.compute, limiter=request.app.state.engine_limiter)
    # Shaped by the engine and checked by the tests; skipping re-validation is a third of the cost.
    return Response(match_service.render(answer, None), media_type="application/json")
