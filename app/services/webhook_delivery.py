"""Sending one attempt of one delivery, and recording what came of it.

A delivery's attempts are jobs of the queue (`webhook.deliver`, one key per attempt), so two
workers or servers never send the same attempt, and an attempt whose worker died is claimed again
once its lease runs out and sent again with the same `webhook-id` (at least once). An attempt is
recorded with a guard on the attempt count: a second run of a recorded attempt does nothing.

A 2xx within the time-out ends the delivery; anything else queues the next attempt after the next
delay of `FUNDMATCH_WEBHOOK_RETRY_SECONDS`, and after the last one the delivery is `failed`. An
endpoint whose deliveries fail `DISABLE_AFTER` times in a row is disabled.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import Engine, update
from sqlmodel import Session, col
from standardwebhooks import Webhook as Signer

from app.db import unit_of_work
from app.jobs.queue import enqueue
from app.models.notices import DELIVERED, FAILED, PENDING, OutboxEvent, Webhook, WebhookDelivery
from app.services import secret_box
from app.services.events import DELIVER_JOB, delivery_job_key
from app.services.webhook_targets import Target, TargetRefused, target_of
from app.settings import Settings

log = logging.getLogger("fundmatch.webhooks")

TIMEOUT_SECONDS = 10.0
RESPONSE_BYTES = 64 * 1024  # read at most this much of a target's answer
DISABLE_AFTER = 5  # deliveries failed in a row
USER_AGENT = "fundmatch-webhooks/1"


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def body_bytes(event: OutboxEvent) -> bytes:
    return json.dumps(event.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signed_headers(secret: str, message_id: str, sent_at: datetime, body: bytes) -> dict[str, str]:
    """The Standard Webhooks headers, signed with the `standardwebhooks` package."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Signer(secret).sign(message_id, sent_at, body),
    }


def send(target: Target, headers: dict[str, str], body: bytes) -> Outcome:
    """POST to the checked address (TLS still verifies the host's name); no redirects; only the
    first `RESPONSE_BYTES` of the answer are read."""
    request_headers = {
        **headers,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "host": target.host_header,
    }
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    started = time.monotonic()
    try:
        with (
            httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False, trust_env=False) as client,
            client.stream(
                "POST", target.pinned_url, content=body, headers=request_headers, extensions=extensions
            ) as response,
        ):
            # httpx bounds each step (connect, send, wait); the whole answer must come within the time-out too
            if time.monotonic() - started > TIMEOUT_SECONDS:
                return Outcome(response.status_code, f"answered after more than {TIMEOUT_SECONDS:g} s")
            read = 0
            for chunk in response.iter_raw():
                read += len(chunk)
                if read >= RESPONSE_BYTES or time.monotonic() - started > TIMEOUT_SECONDS:
                    break
            return Outcome(response.status_code, None if response.is_success else f"HTTP {response.status_code}")
    except httpx.TimeoutException:
        return Outcome(None, f"no answer within {TIMEOUT_SECONDS:g} s")
    except httpx.HTTPError as exc:
        return Outcome(None, f"{type(exc).__name__}: could not reach the target")


def deliver(
    engine: Engine,
    settings: Settings,
    clock: Callable[[], datetime],
    delivery_id: int,
    attempt: int,
    wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Send attempt `attempt` of a delivery, unless it was recorded already or the delivery ended."""
    with unit_of_work(engine) as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.status != PENDING or delivery.attempts >= attempt:
            return
        webhook = session.get(Webhook, delivery.webhook_id)
        event = session.get(OutboxEvent, delivery.event_id)
        session.expunge_all()
    if webhook is None or event is None:
        return
    if not webhook.active:
        outcome = Outcome(None, webhook.disabled_reason or "the endpoint is paused")
        _record(engine, settings, delivery, webhook, attempt, outcome, clock(), final=True)
        return
    try:
        target = target_of(webhook.url, settings.webhook_allow_private)
        secret = secret_box.decrypt(settings, webhook.secret_encrypted)
    except TargetRefused as exc:
        outcome = Outcome(None, f"refused: {exc}")
    except secret_box.SecretUnreadable as exc:
        outcome = Outcome(None, str(exc))
    else:
        body = body_bytes(event)
        outcome = send(target, signed_headers(secret, event.message_id, wall_clock(), body), body)
    _record(engine, settings, delivery, webhook, attempt, outcome, clock())


def _record(
    engine: Engine,
    settings: Settings,
    delivery: WebhookDelivery,
    webhook: Webhook,
    attempt: int,
    outcome: Outcome,
    now: datetime,
    *,
    final: bool = False,
) -> None:
    delays = settings.webhook_retry_delays
    values: dict[str, object] = {
        "attempts": attempt,
        "last_status_code": outcome.status_code,
        "last_error": (outcome.error or "")[:500] or None,
    }
    retry = not outcome.ok and not final and attempt <= len(delays)
    if outcome.ok:
        values.update(status=DELIVERED, delivered_at=now, next_attempt_at=None)
    elif retry:
        values.update(next_attempt_at=now + timedelta(seconds=delays[attempt - 1]))
    else:
        values.update(status=FAILED, next_attempt_at=None)
    with unit_of_work(engine) as session:
        result = session.execute(
            update(WebhookDelivery)
            .where(
                col(WebhookDelivery.id) == delivery.id,
                col(WebhookDelivery.status) == PENDING,
                col(WebhookDelivery.attempts) == attempt - 1,
            )
            .values(**values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return  # recorded by another run of this attempt
        assert delivery.id is not None
        if retry:
            run_at = values["next_attempt_at"]
            assert isinstance(run_at, datetime)
            enqueue(
                session,
                DELIVER_JOB,
                {"delivery_id": delivery.id, "attempt": attempt + 1},
                key=delivery_job_key(delivery.id, attempt + 1),
                run_at=run_at,
            )
        elif outcome.ok:
            session.execute(update(Webhook).where(col(Webhook.id) == webhook.id).values(failed_in_a_row=0))
        elif webhook.active:
            _count_failure(session, webhook)
        session.commit()
    log.info(
        "webhook delivery attempt",
        extra={
            "webhook_id": webhook.id,
            "delivery_id": delivery.id,
            "attempt": attempt,
            "status_code": outcome.status_code,
            "outcome": values.get("status", PENDING),
        },
    )


def _count_failure(session: Session, webhook: Webhook) -> None:
    current = session.get(Webhook, webhook.id)
    if current is None:
        return
    current.failed_in_a_row += 1
    if current.failed_in_a_row >= DISABLE_AFTER and current.active:
        current.active = False
        current.disabled_reason = f"disabled after {current.failed_in_a_row} deliveries in a row failed"
        log.warning("webhook disabled", extra={"webhook_id": current.id})
    session.add(current)
