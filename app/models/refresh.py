"""The refresh log: one row per refresh of live calls from an outside source."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from app.models.base import AwareDateTime

REFRESH_RUNNING, REFRESH_SUCCEEDED, REFRESH_FAILED = "running", "succeeded", "failed"


class CatalogueRefresh(SQLModel, table=True):
    __tablename__ = "catalogue_refresh"

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(default="ftportal", max_length=50)
    trigger: str = Field(default="schedule", max_length=20)  # schedule, admin, cli
    started_at: datetime = Field(sa_type=AwareDateTime, index=True)
    finished_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    status: str = Field(default=REFRESH_RUNNING, max_length=20)
    fetched: int = 0
    created: int = 0
    updated: int = 0
    closed: int = 0
    catalogue_version: str | None = Field(default=None, max_length=100)
    error: str | None = Field(default=None, max_length=2000)


class RefreshPublic(BaseModel):
    """A refresh of live calls: `created`, `updated` and `closed` count calls."""

    id: int
    source: str
    trigger: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    fetched: int
    created: int
    updated: int
    closed: int
    catalogue_version: str | None
    error: str | None
