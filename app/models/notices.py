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


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url = PydanticField(description="An https URL on a public address; fundmatch POSTs each event to it.")
    events: Events = PydanticField(description="The event types to send (a `ping` is always sent when asked for).")
    description: Description | None = None


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url | None = None
    events: Events | None = None
    description: Description | None = None
    active: bool | None = PydanticField(
        default=None, description="false pauses the endpoint; true resumes one that was paused or disabled."
    )


class WebhookPublic(BaseModel):
    id: int
    url: str
    events: list[str]
    description: str | None
    active: bool = PydanticField(description="false: paused by its owner, or disabled after failing again and again.")
    disabled_reason: str | None = PydanticField(
        default=None, description="Why fundmatch disabled the endpoint (null when it did not)."
    )
    created_at: datetime


class WebhookCreated(WebhookPublic):
    secret: str = PydanticField(
        description="`whsec_…`: the key of the signatures. Shown in this answer only; keep it safe."
    )


class DeliveryPublic(BaseModel):
    id: int
    event_id: str = PydanticField(description="The event's `webhook-id`, the same on every attempt.")
    type: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status_code: int | None
    last_error: str | None = None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime


class PingQueued(BaseModel):
    event_id: str
    delivery_id: int


Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class CalendarFeedCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    language: Literal["sv", "en"] = "sv"


class CalendarFeedPublic(BaseModel):
    id: int
    name: str
    language: str
    created_at: datetime


class CalendarFeedCreated(BaseModel):
    id: int
    name: str
    language: str
    url: str = PydanticField(
        description="The feed's address (ends in .ics). It is the credential: shown in this answer only."
    )
