"""The refresh log: one row per refresh of live calls from an outside source."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from pydantic import Field as PydanticField
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

    id: int = PydanticField(description="The refresh's id; its address is `/api/v1/catalogue/refreshes/{id}`.")
    source: str = PydanticField(description="Where calls were read from: `ftportal` (EU Funding & Tenders Portal).")
    trigger: str = PydanticField(
        description="What started it: `schedule` (inside `serve`), `admin` (the API) or `cli` (the command line)."
    )
    started_at: datetime = PydanticField(description="When it started (ISO 8601 with offset).")
    finished_at: datetime | None = PydanticField(description="When it ended; null while it runs.")
    status: str = PydanticField(description="`running`, `succeeded` or `failed` (a failed refresh changes nothing).")
    fetched: int = PydanticField(description="Topics read from the source.")
    created: int = PydanticField(description="Calls added to the catalogue.")
    updated: int = PydanticField(description="Calls whose dates or texts changed.")
    closed: int = PydanticField(
        description="Calls still open or forthcoming here that the source no longer lists: closed now."
    )
    catalogue_version: str | None = PydanticField(
        description="The catalogue version after it; null while it runs or when it failed."
    )
    error: str | None = PydanticField(description="Why it failed; null unless `status` is `failed`.")
