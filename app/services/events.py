"""The outbox: an event is one row written in the caller's transaction, with one delivery (and one
queued job) per active endpoint of the organisation that subscribed to its type. It lands if and
only if the change that caused it does; the worker loop sends it afterwards.

An event with a `key` is recorded once ever (the key is unique): an alert that a restarted or a
second server computes again is not sent again.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.jobs.queue import enqueue
from app.models.notices import PENDING, PING, OutboxEvent, Webhook, WebhookDelivery

DELIVER_JOB = "webhook.deliver"


def message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def delivery_job_key(delivery_id: int, attempt: int) -> str:
    return f"{DELIVER_JOB}:{delivery_id}:{attempt}"


def active_webhooks(session: Session, organisation_id: int) -> list[Webhook]:
    query = select(Webhook).where(Webhook.organisation_id == organisation_id, col(Webhook.active).is_(True))
    return list(session.exec(query.order_by(col(Webhook.id))).all())


def record(
    session: Session,
    organisation_id: int,
    kind: str,
    data: dict[str, Any],
    now: datetime,
    *,
    key: str | None = None,
    webhooks: Sequence[Webhook] | None = None,
) -> OutboxEvent | None:
    """Record one event and queue its deliveries, in the caller's transaction (not committed).
    With a `key` already recorded, nothing happens and the answer is None. `webhooks` (the
    organisation's active endpoints) spares a query when the caller records many events."""
    body = {"type": kind, "timestamp": now.isoformat(), "data": data}
    values: dict[str, Any] = {
        "message_id": message_id(),
        "organisation_id": organisation_id,
        "type": kind,
        "key": key,
        "body": body,
        "created_at": now,
    }
    table = OutboxEvent.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = pg_insert(table) if dialect == "postgresql" else sqlite_insert(table)
    statement = insert.values(**values)
    if key is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["key"])
    row = session.execute(statement.returning(table.c.id)).first()
    if row is None:
        return None
    event = OutboxEvent(id=row.id, **values)
    endpoints = active_webhooks(session, organisation_id) if webhooks is None else webhooks
    for webhook in endpoints:
        if kind in webhook.events:
            queue_delivery(session, webhook, event, now)
    return event


def record_ping(session: Session, webhook: Webhook, now: datetime) -> tuple[OutboxEvent, WebhookDelivery]:
    """A `ping` for one endpoint, whatever it subscribed to."""
    event = record(session, webhook.organisation_id, PING, {"webhook": {"id": webhook.id}}, now, webhooks=[])
    assert event is not None
    return event, queue_delivery(session, webhook, event, now)


def queue_delivery(session: Session, webhook: Webhook, event: OutboxEvent, now: datetime) -> WebhookDelivery:
    assert webhook.id is not None and event.id is not None
    delivery = WebhookDelivery(webhook_id=webhook.id, event_id=event.id, status=PENDING, next_attempt_at=now)
    session.add(delivery)
    session.flush()
    assert delivery.id is not None
    enqueue(
        session,
        DELIVER_JOB,
        {"delivery_id": delivery.id, "attempt": 1},
        key=delivery_job_key(delivery.id, 1),
        run_at=now,
    )
    return delivery
