"""Webhook endpoints of the token's organisation (scope write): fundmatch POSTs each event it
records to them, signed the Standard Webhooks way. Another organisation's endpoint is a 404."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response, status

from app.models.notices import DeliveryPublic, PingQueued, WebhookCreate, WebhookCreated, WebhookPublic, WebhookUpdate
from app.pagination import Page
from app.routers.auth import WritePrincipal
from app.routers.deps import NowDep, PageDep, SessionDep, app_state
from app.routers.problems import problem_responses
from app.services import webhooks as service
from app.settings import Settings
from app.state import AppState

router = APIRouter(prefix="/api/v1", tags=["webhooks"], responses=problem_responses(400, 401, 403, 413, 422))
Id = Annotated[int, Path(ge=1, le=2**31 - 1, description="The webhook's id.")]


def _settings(state: Annotated[AppState, Depends(app_state)]) -> Settings:
    return state.settings


SettingsDep = Annotated[Settings, Depends(_settings)]


@router.post("/webhooks", status_code=status.HTTP_201_CREATED, response_model=WebhookCreated)
def create_webhook(
    body: WebhookCreate,
    principal: WritePrincipal,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    response: Response,
) -> Any:
    """Subscribe an https URL to events. The target must resolve to public addresses only. The
    answer carries the signing secret (`whsec_…`) this once; fundmatch keeps it encrypted."""
    webhook, secret = service.create_webhook(session, principal, body, settings, now)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Location"] = f"/api/v1/webhooks/{webhook.id}"
    return {**service.public(webhook).model_dump(), "secret": secret}


@router.get("/webhooks", response_model=Page[WebhookPublic])
def list_webhooks(principal: WritePrincipal, session: SessionDep, page: PageDep) -> Any:
    rows, total = service.list_webhooks(session, principal, page)
    return {"items": [service.public(w) for w in rows], "total": total, "limit": page.limit, "offset": page.offset}


@router.get("/webhooks/{webhook_id}", response_model=WebhookPublic, responses=problem_responses(404))
def get_webhook(webhook_id: Id, principal: WritePrincipal, session: SessionDep) -> Any:
    return service.public(service.get_webhook(session, principal, webhook_id))


@router.patch("/webhooks/{webhook_id}", response_model=WebhookPublic, responses=problem_responses(404))
def update_webhook(
    webhook_id: Id,
    body: WebhookUpdate,
    principal: WritePrincipal,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> Any:
    """Change the URL, the events or the description; `active: false` pauses the endpoint (its
    pending deliveries then fail), `active: true` resumes it, also after fundmatch disabled it."""
    return service.public(service.update_webhook(session, principal, webhook_id, body, settings, now))


@router.delete("/webhooks/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problem_responses(404))
def delete_webhook(webhook_id: Id, principal: WritePrincipal, session: SessionDep) -> Response:
    """Delete the endpoint and its delivery log; nothing more is sent to it."""
    service.delete_webhook(session, principal, webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/webhooks/{webhook_id}/deliveries", response_model=Page[DeliveryPublic], responses=problem_responses(404))
def list_deliveries(webhook_id: Id, principal: WritePrincipal, session: SessionDep, page: PageDep) -> Any:
    """The endpoint's deliveries, newest first: `pending` (with `next_attempt_at`), `delivered`
    or `failed` (after the last retry)."""
    items, total = service.list_deliveries(session, principal, webhook_id, page)
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


@router.post(
    "/webhooks/{webhook_id}/ping",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=PingQueued,
    responses=problem_responses(404),
)
def ping_webhook(webhook_id: Id, principal: WritePrincipal, session: SessionDep, now: NowDep) -> Any:
    """Queue a `ping` event to the endpoint; follow it in the delivery log."""
    return service.ping(session, principal, webhook_id, now)
