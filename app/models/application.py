"""An application: what an organisation does about one programme for one need, from first interest
to the funder's decision. Every query on it is scoped in services/applications.py.

The history is a table of status changes; the report counts by the date each status took effect.
"""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StrictInt, StringConstraints
from pydantic import Field as PydanticField
from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.catalogue.document import Code
from app.models.base import AwareDateTime, utcnow
from app.models.iso import IsoDate

ApplicationStatus = Literal["interested", "preparing", "submitted", "granted", "rejected", "withdrawn", "dismissed"]
STATUSES: tuple[ApplicationStatus, ...] = (
    "interested",
    "preparing",
    "submitted",
    "granted",
    "rejected",
    "withdrawn",
    "dismissed",
)
# Where each status may go next. Decided, withdrawn and dismissed applications are final.
# The contract's graph, exactly: interested -> preparing -> submitted -> granted | rejected; withdrawn
# before a decision; dismissed ("not for us") from interested or preparing.
NEXT_STATUSES: dict[str, tuple[ApplicationStatus, ...]] = {
    "interested": ("preparing", "withdrawn", "dismissed"),
    "preparing": ("submitted", "withdrawn", "dismissed"),
    "submitted": ("granted", "rejected", "withdrawn"),
    "granted": (),
    "rejected": (),
    "withdrawn": (),
    "dismissed": (),
}
# An application starts at one of these; a decision or a withdrawal is a change of an existing one.
INITIAL_STATUSES: tuple[ApplicationStatus, ...] = ("interested", "preparing", "submitted", "dismissed")

Amount = Annotated[StrictInt, PydanticField(ge=0, le=10_000_000_000)]
Owner = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Notes = Annotated[str, StringConstraints(max_length=20_000)]


class Application(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("need_id", "programme_code", name="uq_application_need_id_programme_code"),
        Index("ix_application_organisation_id_status", "organisation_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Indexed by the composite index (organisation, status) above.
    organisation_id: int = Field(foreign_key="organisation.id")
    # No cascade: a need with applications is not deleted (services/needs.py answers 409). The
    # unique constraint (need, programme) indexes it.
    need_id: int = Field(foreign_key="need.id")
    # Catalogue codes, not foreign keys: a catalogue import may drop a programme, the record stays.
    programme_code: str = Field(max_length=100)
    call_code: str | None = Field(default=None, max_length=100)
    status: str = Field(max_length=20)
    # The date the current status took effect (the last history entry's date).
    status_date: date
    amount_requested_eur: int | None = Field(default=None, sa_type=BigInteger)
    amount_granted_eur: int | None = Field(default=None, sa_type=BigInteger)
    owner: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    internal_deadline: date | None = None
    revision: int = Field(default=1)
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)


class ApplicationStatusChange(SQLModel, table=True):
    """One entry of an application's history: the status, the date it took effect, when it was
    recorded and by which key."""

    __tablename__ = "application_status_change"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True, ondelete="CASCADE")
    status: str = Field(max_length=20)
    effective_date: date
    at: datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)
    changed_by: str = Field(max_length=200)


STATUS = (
    "Where it stands: `interested` → `preparing` → `submitted` → `granted` or `rejected`; `withdrawn` (before a "
    'decision) and `dismissed` ("not for us", from interested or preparing) end it too.'
)
NOTES = "Free notes for colleagues; null when none."
OWNER = "Who in the organisation runs it; null if no one is named."
INTERNAL_DEADLINE = "The organisation's own deadline, e.g. for a first draft (ISO 8601 date); null when none."
REQUESTED = "What the application asks for, in whole euros (integer); null if not known yet."


class ApplicationCreate(BaseModel):
    """A new application of a stored need for one programme (optionally one of its calls)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "programme": "erasmus-plus-youth",
                    "status": "preparing",
                    "amount_requested_eur": 48000,
                    "owner": "Anna Lind",
                    "notes": "Söks hos MUCF (Erasmus+ ungdomsutbyten). Vänorten tar emot gruppen i Tyskland.",
                    "internal_deadline": "2027-01-15",
                }
            ]
        },
    )

    programme: Code = PydanticField(description="The programme's code in the catalogue, e.g. `erasmus-plus-youth`.")
    call: Code | None = PydanticField(
        default=None, description="The code of one of the programme's calls; absent or null: no call chosen yet."
    )
    status: ApplicationStatus = PydanticField(
        default="interested",
        description="Where it starts: `interested` (the default), `preparing`, `submitted` or `dismissed`.",
    )
    status_date: IsoDate | None = PydanticField(
        default=None, description="When that status took effect (ISO 8601 date); default today, never in the future."
    )
    amount_requested_eur: Amount | None = PydanticField(default=None, description=REQUESTED)
    owner: Owner | None = PydanticField(default=None, description=OWNER)
    notes: Notes | None = PydanticField(default=None, description=NOTES)
    internal_deadline: IsoDate | None = PydanticField(default=None, description=INTERNAL_DEADLINE)


class ApplicationUpdate(BaseModel):
    """A PATCH: only the fields sent change; null clears an optional field. A change of `status`
    is recorded in the history; `status_date` says when it took effect (default today)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"status": "submitted", "amount_requested_eur": 52000},
                {"status": "granted", "amount_granted_eur": 45000},
            ]
        },
    )

    status: ApplicationStatus | None = PydanticField(
        default=None, description=f"The new status; 409 if the current one cannot go there. {STATUS}"
    )
    status_date: IsoDate | None = PydanticField(
        default=None,
        description="When the new status took effect (ISO 8601 date; default today, never in the future); only with "
        "a change of status.",
    )
    call: Code | None = PydanticField(
        default=None, description="The code of one of the programme's calls; null: no call chosen."
    )
    amount_requested_eur: Amount | None = PydanticField(default=None, description=REQUESTED)
    amount_granted_eur: Amount | None = PydanticField(
        default=None, description="What the funder granted, in whole euros (integer); only with the status `granted`."
    )
    owner: Owner | None = PydanticField(default=None, description=OWNER)
    notes: Notes | None = PydanticField(default=None, description=NOTES)
    internal_deadline: IsoDate | None = PydanticField(default=None, description=INTERNAL_DEADLINE)


class HistoryEntryPublic(BaseModel):
    status: ApplicationStatus = PydanticField(description="The status the application took.")
    date: dt.date = PydanticField(description="The date the status took effect.")
    at: datetime = PydanticField(description="When the change was recorded.")
    by: str = PydanticField(description="The name of the API key that recorded it (`cli` from the command line).")


class ApplicationPublic(BaseModel):
    id: int = PydanticField(description="The application's id; its address is `/api/v1/applications/{id}`.")
    need: int = PydanticField(description="The need's id.")
    programme: str = PydanticField(description="The programme's code.")
    call: str | None = PydanticField(description="The call's code, if one was chosen.")
    status: ApplicationStatus = PydanticField(description=STATUS)
    status_date: date = PydanticField(description="The date the current status took effect.")
    allowed_next: list[ApplicationStatus] = PydanticField(description="The statuses it may move to next.")
    amount_requested_eur: int | None = PydanticField(description="What the application asks for, in euros.")
    amount_granted_eur: int | None = PydanticField(description="What the funder granted (only when `granted`).")
    owner: str | None = PydanticField(description="Who in the organisation runs it.")
    notes: str | None = PydanticField(description=NOTES)
    internal_deadline: date | None = PydanticField(description="The organisation's own deadline.")
    deadline_at: str | None = PydanticField(description="The call's deadline (from the catalogue), if any.")
    created_at: datetime = PydanticField(description="When it was recorded.")
    updated_at: datetime = PydanticField(description="When it last changed.")
    history: list[HistoryEntryPublic] = PydanticField(description="Every status change, oldest first.")
