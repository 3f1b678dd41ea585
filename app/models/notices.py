"""Notices: webhook endpoints, the event outbox, deliveries, and calendar feeds.

An event row is written in the same transaction as the change that causes it, with one delivery row
per subscribed endpoint; the worker loop sends the deliveries. `event.key` is unique, so an alert
with a key (need, call and deadline; application, deadline and threshold) is recorded once ever.
Webhook secrets are stored encrypted; calendar feed secrets only as a hash.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints
from pydantic import Field as PydanticField
from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import AwareDateTime, JSONColumn, utcnow

EventType = Literal["call.matched", "deadline.approaching", "application.changed"]
EVENT_TYPES: tuple[str, ...] = ("call.matched", "deadline.approaching", "application.changed")
PING = "ping"
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


class Webhook(SQLModel, table=True):
    __tablename__ = "webhook"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    url: str = Field(max_length=2000)
    events: list[str] = Field(default_factory=list, sa_column=Column(JSONColumn, nullable=False))
    description: str | None = Field(default=None, max_length=500)
    active: bool = True
    # Fernet token of the secret (`whsec_…`), under a key derived from the server's secret key.
    secret_encrypted: str = Field(max_length=500)
    failed_in_a_row: int = 0  # deliveries that ended `failed` since the last one delivered
    disabled_reason: str | None = Field(default=None, max_length=300)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)


class OutboxEvent(SQLModel, table=True):
    __tablename__ = "outbox_event"
    __table_args__ = (Index("ix_outbox_event_organisation_id_type", "organisation_id", "type"),)

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(max_length=40, unique=True)  # the `webhook-id` header
    organisation_id: int = Field(foreign_key="organisation.id")
    type: str = Field(max_length=40)
    key: str | None = Field(default=None, max_length=300, unique=True)
    body: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONColumn, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id", name="uq_webhook_delivery_webhook_id_event_id"),
        Index("ix_webhook_delivery_webhook_id_id", "webhook_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    webhook_id: int = Field(foreign_key="webhook.id")
    event_id: int = Field(foreign_key="outbox_event.id", index=True)
    status: str = Field(default=PENDING, max_length=20)
    attempts: int = 0
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, max_length=500)
    next_attempt_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)


class CalendarFeed(SQLModel, table=True):
    __tablename__ = "calendar_feed"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    language: str = Field(max_length=2)
    token_hash: str = Field(max_length=64, unique=True)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)


# --- API schemas ---------------------------------------------------------------------------------

Url = Annotated[str, StringConstraints(min_length=1, max_length=2000, strip_whitespace=True)]
Description = Annotated[str, StringConstraints(max_length=500)]
Events = Annotated[list[EventType], PydanticField(min_length=1, max_length=3)]


WEBHOOK_ID = "The webhook's id, given when it was created."
HOOK_URL = "An https URL on a public address; fundmatch POSTs each event to it."
HOOK_EVENTS = (
    "The event types to send: `call.matched`, `deadline.approaching`, `application.changed` "
    "(a `ping` is always sent when asked for)."
)
HOOK_DESCRIPTION = "What the endpoint is for, in your own words (null: none)."
FEED_NAME = "A name that says whose deadlines the feed shows, e.g. the office's."
FEED_LANGUAGE = "The language of the events' texts: `sv` or `en`."


class WebhookCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://intranat.borlange.se/hooks/fundmatch",
                    "events": ["call.matched", "deadline.approaching", "application.changed"],
                    "description": "Internationella kontorets nyhetsflöde på intranätet",
                }
            ]
        },
    )

    url: Url = PydanticField(description=HOOK_URL)
    events: Events = PydanticField(description=HOOK_EVENTS)
    description: Description | None = PydanticField(default=None, description=HOOK_DESCRIPTION)


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"events": ["application.changed"]}, {"active": True}]},
    )

    url: Url | None = PydanticField(default=None, description=HOOK_URL + " Absent: unchanged.")
    events: Events | None = PydanticField(default=None, description=HOOK_EVENTS + " Absent: unchanged.")
    description: Description | None = PydanticField(default=None, description=HOOK_DESCRIPTION)
    active: bool | None = PydanticField(
        default=None, description="false pauses the endpoint; true resumes one that was paused or disabled."
    )


class WebhookPublic(BaseModel):
    id: int = PydanticField(description=WEBHOOK_ID)
    url: str = PydanticField(description="Where the events are sent.")
    events: list[str] = PydanticField(description="The event types it receives.")
    description: str | None = PydanticField(description=HOOK_DESCRIPTION)
    active: bool = PydanticField(description="false: paused by its owner, or disabled after failing again and again.")
    disabled_reason: str | None = PydanticField(
        default=None, description="Why fundmatch disabled the endpoint (null when it did not)."
    )
    created_at: datetime = PydanticField(description="When it was created (UTC).")


class WebhookCreated(WebhookPublic):
    secret: str = PydanticField(
        description="`whsec_…`: the key of the signatures. Shown in this answer only; keep it safe."
    )


class DeliveryPublic(BaseModel):
    id: int = PydanticField(description="The delivery's id.")
    event_id: str = PydanticField(description="The event's `webhook-id`, the same on every attempt.")
    type: str = PydanticField(description="The event type, e.g. `call.matched`.")
    status: Literal["pending", "delivered", "failed"] = PydanticField(
        description="`pending`: not yet accepted, attempts go on; `delivered`: a 2xx came; `failed`: every retry used."
    )
    attempts: int = PydanticField(description="How many times it was sent.")
    last_status_code: int | None = PydanticField(description="The HTTP status of the last attempt (null: no answer).")
    last_error: str | None = PydanticField(default=None, description="Why the last attempt failed, if it did.")
    next_attempt_at: datetime | None = PydanticField(description="When it is sent again (null: no further attempt).")
    delivered_at: datetime | None = PydanticField(description="When a 2xx came (null: not delivered).")
    created_at: datetime = PydanticField(description="When the event happened (UTC).")


class PingQueued(BaseModel):
    event_id: str = PydanticField(description="The ping event's `webhook-id`.")
    delivery_id: int = PydanticField(description="Its delivery, to follow in the delivery log.")


Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class CalendarFeedCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Internationella kontoret", "language": "sv"}]},
    )

    name: Name = PydanticField(description=FEED_NAME)
    language: Literal["sv", "en"] = PydanticField(default="sv", description=FEED_LANGUAGE)


class CalendarFeedPublic(BaseModel):
    id: int = PydanticField(description="The feed's id.")
    name: str = PydanticField(description=FEED_NAME)
    language: str = PydanticField(description=FEED_LANGUAGE)
    created_at: datetime = PydanticField(description="When it was created (UTC).")


class CalendarFeedCreated(BaseModel):
    id: int = PydanticField(description="The feed's id.")
    name: str = PydanticField(description=FEED_NAME)
    language: str = PydanticField(description=FEED_LANGUAGE)
    url: str = PydanticField(
        description="The feed's address (ends in .ics). It is the credential: shown in this answer only."
    )
