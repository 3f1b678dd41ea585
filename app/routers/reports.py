"""Reports over the token's organisation's applications."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.models.iso import IsoDate
from app.models.report import FundingReport
from app.routers.auth import ReadPrincipal
from app.routers.deps import LanguageDep, NowDep, SessionDep, SnapshotDep
from app.routers.problems import problem_responses
from app.services.reports import GroupBy, funding_report

router = APIRouter(prefix="/api/v1/reports", tags=["reports"], responses=problem_responses(400, 401, 403, 422))


@router.get("/funding", response_model=FundingReport)
def funding(
    principal: ReadPrincipal,
    session: SessionDep,
    snapshot: SnapshotDep,
    now: NowDep,
    language: LanguageDep,
    start: Annotated[
        IsoDate | None, Query(alias="from", description="First day (default: 1 January this year).")
    ] = None,
    end: Annotated[IsoDate | None, Query(alias="to", description="Last day, included (default: 31 December).")] = None,
    group_by: Annotated[
        GroupBy, Query(description="How to group: `pillar`, `programme`, `funder`, `strategy_goal` or `status`.")
    ] = "pillar",
) -> Any:
    """What the organisation applied for, submitted and was granted in a period, by pillar,
    programme, funder, strategy goal or status, counted by the date each status took effect:
    `applications` created in the period, `submitted`/`requested_eur` those that reached
    `submitted` in it, `granted`/`granted_eur` and `rejected` those decided in it. An application
    counts in each of its groups (a need with two pillars in both) and once in `totals`. Grouped by
    `status`, an application is in the group of its status at the end of the period. `label`
    follows `Accept-Language`."""
    return funding_report(
        session, principal, snapshot, start=start, end=end, group_by=group_by, language=language, today=now.date()
    )
