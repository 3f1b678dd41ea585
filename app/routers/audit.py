"""The audit log: who changed what and when (public records)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.models.iso import IsoDateTime
from app.pagination import Page
from app.routers.auth import ReadPrincipal
from app.routers.deps import PageDep, SessionDep
from app.routers.problems import problem_responses
from app.services import audit

router = APIRouter(prefix="/api/v1", tags=["audit"], responses=problem_responses(401, 403, 422))


@router.get("/audit-events", response_model=Page[audit.AuditEventPublic])
def list_audit_events(
    principal: ReadPrincipal,
    session: SessionDep,
    page: PageDep,
    organisation: Annotated[str | None, Query(max_length=50, description="An organisation's code.")] = None,
    action: Annotated[str | None, Query(max_length=60, description="e.g. `need.create`.")] = None,
    since: Annotated[IsoDateTime | None, Query(description="Only records at or after this moment (ISO 8601).")] = None,
) -> Any:
    """Every write through the API or the command line, newest first: who (`actor`, the key's
    name), what (`action`, `resource`), when, and the request's id. An admin key sees every
    organisation's records; other keys see their own organisation's."""
    items, total = audit.list_events(session, principal, audit.AuditFilter(organisation, action, since), page)
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}
