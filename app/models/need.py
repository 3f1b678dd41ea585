"""A development need of one organisation. Every query on it is scoped in services/needs.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from app.models.base import AwareDateTime, JSONColumn, utcnow


class Need(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    title: str = Field(max_length=300)
    description: str = Field(sa_column=Column(Text, nullable=False))
    language: str | None = Field(default=None, max_length=2)
    pillars: list[str] = Field(default_factory=list, sa_column=Column(JSONColumn, nullable=False))
    themes: list[str] = Field(default_factory=list, sa_column=Column(JSONColumn, nullable=False))
    applicant_type: str | None = Field(default=None, max_length=50)
    country: str | None = Field(default=None, max_length=2)
    region: str | None = Field(default=None, max_length=10)
    budget_eur: int | None = None
    cofinancing_capacity: float | None = None
    start_date: date | None = None
    end_date: date | None = None
    partners: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONColumn, nullable=True))
    status: str = Field(default="active", max_length=20, index=True)
    revision: int = Field(default=1)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
