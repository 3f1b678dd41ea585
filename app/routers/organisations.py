"""Organisations and their API keys (scope admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status

from app.models.organisation import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    OrganisationCreate,
    OrganisationPublic,
    OrganisationUpdate,
)
from app.pagination import Page
from app.routers.auth import AdminPrincipal
from app.routers.deps import PageDep, SessionDep
from app.routers.problems import problem_responses
from app.services import keys as key_service
from app.services import organisations as org_service
from app.services.audit import actor_of

router = APIRouter(prefix="/api/v1", tags=["organisations"], responses=problem_responses(400, 401, 403, 413, 422))
OrgCode = Annotated[str, Path(description="The organisation's code, e.g. `borlange`.")]
KeyId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The key's id (from the key list or its creation).")]


@router.post(
    "/organisations",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganisationPublic,
    responses=problem_responses(409),
)
def create_organisation(body: OrganisationCreate, principal: AdminPrincipal, session: SessionDep) -> Any:
    """Create an organisation; its `type`, `country` and `region` are the defaults of its needs."""
    return org_service.create_organisation(session, body, actor_of(principal))


@router.get("/organisations", response_model=Page[OrganisationPublic])
def list_organisations(_: AdminPrincipal, session: SessionDep, page: PageDep) -> Any:
    rows, total = org_service.list_organisations(session, page)
    return {"items": rows, "total": total, "limit": page.limit, "offset": page.offset}


@router.get("/organisations/{code}", response_model=OrganisationPublic, responses=problem_responses(404))
def get_organisation(code: OrgCode, _: AdminPrincipal, session: SessionDep) -> Any:
    return key_service.organisation_by_code(session, code)


@router.patch("/organisations/{code}", response_model=OrganisationPublic, responses=problem_responses(404))
def update_organisation(code: OrgCode, body: OrganisationUpdate, principal: AdminPrincipal, session: SessionDep) -> Any:
    return org_service.update_organisation(session, code, body, actor_of(principal))


@router.post(
    "/organisations/{code}/api-keys",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiKeyCreated,
    responses=problem_responses(404),
)
def create_api_key(
    code: OrgCode, body: ApiKeyCreate, principal: AdminPrincipal, session: SessionDep, response: Response
) -> Any:
    """Create a key; the token is in this answer only, and only its hash is stored."""
    key, token = key_service.create_key(session, code, body.name, body.scopes, actor_of(principal))
    response.headers["Cache-Control"] = "no-store"  # no proxy or browser cache may keep the token
    return {**org_service.key_public(key, code).model_dump(), "token": token}


@router.get("/organisations/{code}/api-keys", response_model=Page[ApiKeyPublic], responses=problem_responses(404))
def list_api_keys(code: OrgCode, _: AdminPrincipal, session: SessionDep, page: PageDep) -> Any:
    """The organisation's keys, without tokens."""
    keys = key_service.list_keys(session, code)
    items = [org_service.key_public(key, code) for key in page.slice(keys)]
    return {"items": items, "total": len(keys), "limit": page.limit, "offset": page.offset}


@router.delete("/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(404))
def revoke_api_key(key_id: KeyId, principal: AdminPrincipal, session: SessionDep) -> Response:
    """Revoke a key at once: its token gets 401 from the next request on."""
    key_service.revoke_key(session, key_id, actor_of(principal))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
