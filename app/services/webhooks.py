"""Webhook endpoints of one organisation: create (the secret shown once), read, change, delete,
ping, and the delivery log. Every query starts from the principal's organisation, so another
organisation's endpoint is a 404 like a missing one."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.errors import InvalidInput, NotFound
from app.models.notices import (
    DeliveryPublic,
    OutboxEvent,
    PingQueued,
    Webhook,
    WebhookCreate,
    WebhookDelivery,
    WebhookPublic,
    WebhookUpdate,
)
from app.pagination import PageParams
from app.principal import Principal
from app.services import audit, events, secret_box
from app.services.webhook_targets import TargetRefused, target_of
from app.settings import Settings

SECRET_BYTES = 24


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def public(webhook: Webhook) -> WebhookPublic:
    return WebhookPublic.model_validate(webhook, from_attributes=True)


def _checked(url: str, settings: Settings) -> str:
    try:
        target_of(url, settings.webhook_allow_private)
    except TargetRefused as exc:
        raise InvalidInput(
            f"url: {exc}.", errors=[{"loc": ["body", "url"], "msg": str(exc), "type": "unsafe_target"}]
        ) from exc
    return url


def get_webhook(session: Session, principal: Principal, webhook_id: int) -> Webhook:
    webhook = session.exec(
        select(Webhook).where(Webhook.id == webhook_id, Webhook.organisation_id == principal.organisation_id)
    ).first()
    if webhook is None:
        raise NotFound(f"No webhook with id {webhook_id}.")
    return webhook


def create_webhook(
    session: Session, principal: Principal, body: WebhookCreate, settings: Settings, now: datetime
) -> tuple[Webhook, str]:
    """A new endpoint and its secret (returned here only; stored encrypted)."""
    url = _checked(body.url, settings)
    secret = new_secret()
    webhook = Webhook(
        organisation_id=principal.organisation_id,
        url=url,
        events=sorted(set(body.events)),
        description=body.description,
        secret_encrypted=secret_box.encrypt(settings, secret),
        created_by=principal.key_name,
        created_at=now,
        updated_at=now,
    )
    session.add(webhook)
    session.flush()
    audit.record_by(session, principal, "webhook.create", f"webhook/{webhook.id}")
    session.commit()
    return webhook, secret


def list_webhooks(session: Session, principal: Principal, page: PageParams) -> tuple[list[Webhook], int]:
    query = select(Webhook).where(Webhook.organisation_id == principal.organisation_id)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Webhook.id)).offset(page.offset).limit(page.limit)).all()
    return list(rows), total


def update_webhook(
    session: Session, principal: Principal, webhook_id: int, body: WebhookUpdate, settings: Settings, now: datetime
) -> Webhook:
    webhook = get_webhook(session, principal, webhook_id)
    sent = body.model_dump(exclude_unset=True)
    for name in ("url", "events", "active"):
        if name in sent and sent[name] is None:
            raise InvalidInput(
                f"{name}: may not be null.",
                errors=[{"loc": ["body", name], "msg": "may not be null", "type": "none_forbidden"}],
            )
    if "url" in sent:
        webhook.url = _checked(sent["url"], settings)
    if "events" in sent:
        webhook.events = sorted(set(sent["events"]))
    if "description" in sent:
        webhook.description = sent["description"]
    if "active" in sent:
        webhook.active = sent["active"]
        if webhook.active:  # resumed by its owner: start counting failures afresh
            webhook.disabled_reason = None
            webhook.failed_in_a_row = 0
    webhook.updated_at = now
    session.add(webhook)
    audit.record_by(session, principal, "webhook.update", f"webhook/{webhook_id}")
    session.commit()
    return webhook


def delete_webhook(session: Session, principal: Principal, webhook_id: int) -> None:
    """Delete an endpoint and its delivery log; its pending deliveries are not sent."""
    webhook = get_webhook(session, principal, webhook_id)
    session.execute(delete(WebhookDelivery).where(col(WebhookDelivery.webhook_id) == webhook.id))
    session.delete(webhook)
    audit.record_by(session, principal, "webhook.delete", f"webhook/{webhook_id}")
    session.commit()


def ping(session: Session, principal: Principal, webhook_id: int, now: datetime) -> PingQueued:
    webhook = get_webhook(session, principal, webhook_id)
    event, delivery = events.record_ping(session, webhook, now)
    audit.record_by(session, principal, "webhook.ping", f"webhook/{webhook_id}")
    session.commit()
    assert delivery.id is not None
    return PingQueued(event_id=event.message_id, delivery_id=delivery.id)


def list_deliveries(
    session: Session, principal: Principal, webhook_id: int, page: PageParams
) -> tuple[list[DeliveryPublic], int]:
    """One endpoint's deliveries, newest first."""
    webhook = get_webhook(session, principal, webhook_id)
    total = session.exec(
        select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id)
    ).one()
    rows = session.exec(
        select(WebhookDelivery, OutboxEvent.message_id, OutboxEvent.type)
        .join(OutboxEvent, col(OutboxEvent.id) == col(WebhookDelivery.event_id))
        .where(WebhookDelivery.webhook_id == webhook.id)
        .order_by(col(WebhookDelivery.id).desc())
        .offset(page.offset)
        .limit(page.limit)
    ).all()
    items = [
        DeliveryPublic(
            id=delivery.id or 0,
            event_id=message,
            type=kind,
            status=delivery.status,
            attempts=delivery.attempts,
            last_status_code=delivery.last_status_code,
            last_error=delivery.last_error,
            next_attempt_at=delivery.next_attempt_at,
            delivered_at=delivery.delivered_at,
            created_at=delivery.created_at,
        )
        for delivery, message, kind in rows
    ]
    return items, total
