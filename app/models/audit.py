"""The audit log: one row per write through the API or the CLI, in the same transaction as the write."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from app.models.base import AwareDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_organisation_id_id", "organisation_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(AwareDateTime(timezone=True), nullable=False))
    # The organisation the change concerns (a need's, a key's); None for the shared catalogue.
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    actor: str = Field(max_length=200)
    actor_key_id: int | None = Field(default=None)
    action: str = Field(max_length=60, index=True)
    resource: str = Field(max_length=200)
    request_id: str | None = Field(default=None, max_length=64)
    outcome: str = Field(default="succeeded", max_length=20)


class AuditEventPublic(BaseModel):
    id: int = PydanticField(description="The record's id; later records have higher ids.")
    at: datetime = PydanticField(description="When the change was made (UTC).")
    organisation: str | None = PydanticField(
        description="The code of the organisation whose data changed; null for the shared catalogue."
    )
    actor: str = PydanticField(description="The name of the API key that made the change, or `cli`/`startup`.")
    action: str = PydanticField(description="What was done, e.g. `need.create`, `application.status`.")
    resource: str = PydanticField(description="What it was done to, e.g. `need/7`, `api_key/3`, `catalogue`.")
    request_id: str | None = PydanticField(description="The request's id (its X-Request-ID); null outside the API.")
    outcome: str = PydanticField(description="`succeeded`: the change was made (refused changes leave no record).")
