"""Background work: queued jobs and named leases.

A job is claimed by one worker at a time: `locked_by` and `locked_until` (its lease) say who holds it
and until when; a job whose lease ran out (its worker died) is claimed again. `key` is unique, so a
periodic slot or an event is queued once however many servers try.

A lease is a named lock in the database with an expiry: one holder at a time across processes and
servers, and free again once its holder stops renewing it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from app.models.base import AwareDateTime, JSONColumn, utcnow

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


class Job(SQLModel, table=True):
    __tablename__ = "job"
    __table_args__ = (Index("ix_job_status_run_at", "status", "run_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=100)
    key: str | None = Field(default=None, max_length=300, unique=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONColumn, nullable=False))
    status: str = Field(default=QUEUED, max_length=20)
    run_at: datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
    attempts: int = 0
    max_attempts: int = 5
    locked_by: str | None = Field(default=None, max_length=200)
    locked_until: datetime | None = Field(default=None, sa_type=AwareDateTime)
    last_error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class Lease(SQLModel, table=True):
    __tablename__ = "lease"

    name: str = Field(primary_key=True, max_length=200)
    holder: str | None = Field(default=None, max_length=200)
    expires_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
