"""Rank a need given in the body, without storing it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from app.db import SessionDep
from app.errors import problem_responses
from app.i18n import LanguageDep
from app.models import Organisation
from app.models.match import MatchAnswerPublic, MatchRequest
from app.routers.deps import NowDep, SnapshotDep
from app.security import ReadPrincipal
from app.services import matching as match_service
from app.services.needs import check_codes

router = APIRouter(prefix="/api/v1", tags=["matching"], responses=problem_responses(401, 403, 422))


@router.post("/match", response_model=MatchAnswerPublic)
def match(
    body: MatchRequest,
    request: Request,
    principal: ReadPrincipal,
    session: SessionDep,
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
    organisation = session.get(Organisation, principal.organisation_id)
    assert organisation is not None
    need = match_service.with_organisation_defaults(match_service.request_body(body), organisation)
    index = match_service.index_for(snapshot, request.app.state.lexicon)
    return match_service.rank(
        index,
        need,
        need_id=None,
        today=now.date(),
        limit=limit,
        include_ineligible=include_ineligible,
        display_language=lang,
    )
