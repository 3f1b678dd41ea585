"""A development need of one organisation. Every query on it is scoped in services/needs.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StrictBool, StrictInt, StringConstraints, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from app.catalogue.document import ApplicantType, Code, CountryCode, NutsCode, StrictRate
from app.models.base import AwareDateTime, JSONColumn, utcnow
from app.models.iso import IsoDate


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


LanguageCode = Literal["sv", "en"]
NeedStatus = Literal["draft", "active", "archived"]
# Budgets are stored as 32-bit integers: two billion euros is beyond any municipal need.
MAX_BUDGET_EUR = 2_000_000_000
Title = Annotated[str, StringConstraints(min_length=1, max_length=300)]
Description = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]


class NeedPartners(BaseModel):
    model_config = ConfigDict(extra="forbid")

    has_partners: StrictBool = False
    countries: list[CountryCode] = PydanticField(default_factory=list, max_length=60)


class NeedFields(BaseModel):
    """The contract's need body. Unknown fields (`id`, `organisation`, …) are rejected, never obeyed."""

    model_config = ConfigDict(extra="forbid")

    language: LanguageCode | None = PydanticField(default=None, description="sv or en; detected when absent.")
    pillars: list[Code] = PydanticField(default_factory=list, max_length=20)
    themes: list[Code] = PydanticField(default_factory=list, max_length=50)
    applicant_type: ApplicantType | None = None
    country: CountryCode | None = None
    region: NutsCode | None = None
    budget_eur: StrictInt | None = PydanticField(default=None, ge=0, le=MAX_BUDGET_EUR)
    cofinancing_capacity: StrictRate | None = PydanticField(default=None, ge=0, le=1)
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None
    partners: NeedPartners | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> NeedFields:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class NeedCreate(NeedFields):
    title: Title
    description: Description
    status: NeedStatus = "active"


class NeedUpdate(BaseModel):
    """A PATCH: only the fields sent change; null clears an optional field."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Description | None = None
    status: NeedStatus | None = None
    language: LanguageCode | None = None
    pillars: list[Code] | None = PydanticField(default=None, max_length=20)
    themes: list[Code] | None = PydanticField(default=None, max_length=50)
    applicant_type: ApplicantType | None = None
    country: CountryCode | None = None
    region: NutsCode | None = None
    budget_eur: StrictInt | None = PydanticField(default=None, ge=0, le=MAX_BUDGET_EUR)
    cofinancing_capacity: StrictRate | None = PydanticField(default=None, ge=0, le=1)
    start_date: IsoDate | None = None
    end_date: IsoDate | None = None
    partners: NeedPartners | None = None


class NeedPublic(NeedCreate):
    model_config = ConfigDict(extra="ignore")

    id: int
    organisation: str
    language: LanguageCode | None = None
    created_by: str
    created_at: datetime
    updated_at: datetime
