"""Rank a need given in the body, without storing it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.models.match import MatchAnswerPublic, MatchRequest
from app.routers.auth import ReadPrincipal
from app.routers.match_options import MatchOptionsDep
from app.routers.problems import problem_responses
from app.services import suggestions
from app.services.needs import check_codes

router = APIRouter(prefix="/api/v1", tags=["matching"], responses=problem_responses(400, 401, 403, 413, 422))


@router.post("/match", response_model=MatchAnswerPublic)
async def match(body: MatchRequest, principal: ReadPrincipal, options: MatchOptionsDep) -> Any:
    """Rank the catalogue for the need in the body: programmes best first, with their open and
    forthcoming calls, reasons and warnings, and the strategy goals the need serves.

    `applicant_type`, `country` and `region` default to the token's organisation. Ineligible
    programmes come only with `include_ineligible=true`, each with its reason in `warnings`.
    """
    check_codes(body, options.snapshot)
    need = suggestions.with_organisation_defaults(suggestions.request_body(body), principal)
    return await options.answer(need, None)
