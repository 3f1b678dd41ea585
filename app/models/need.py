"""A development need of one organisation. Every query on it is scoped in services/needs.py."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StrictBool, StrictInt, StringConstraints, model_validator
from pydantic import Field as PydanticField
from pydantic.config import JsonDict
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


# What integrators read in /docs for each field of a need (shared by the create, update and public schemas).
TITLE = "A short title, in Swedish or English."
DESCRIPTION = "What the need is about, in free text (Swedish or English); matched against programmes' descriptions."
LANGUAGE = "The language of the title and description, `sv` or `en`; detected from the text when absent or null."
PILLARS = "Codes of the strategy pillars the need serves (see `/api/v1/pillars`), e.g. `development`."
THEMES = "Codes of its themes (see `/api/v1/themes`), e.g. `youth`, `town-twinning`."
APPLICANT_TYPE = (
    "Who would apply: `municipality`, `region`, `public_body`, `association`, `ngo`, `company`, `sme`, `school`, "
    "`university`, `research_org` or `individual`. Absent or null: the organisation's type."
)
COUNTRY = "The applicant's country, ISO 3166-1 alpha-2 (`SE`). Absent or null: the organisation's."
REGION = "The applicant's region as a NUTS code (`SE312`, Dalarnas län). Absent or null: the organisation's."
BUDGET = "The project's total budget, in whole euros (integer); null if not known yet."
COFINANCING = (
    "The share of the budget the organisation can pay itself, from 0 to 1 (0.2 = 20 %); null if not known. "
    "Programmes that ask for a larger own share get a warning."
)
START = "When the project would start (ISO 8601 date, `2027-08-01`); null if not known."
END = "When it would end (ISO 8601 date), not before `start_date`; null if not known."
PARTNERS = "Partners the project has or wants; null if not said."
STATUS = (
    "Where the need stands: `draft`, `active` (the default) or `archived` (kept for the record; a need with "
    "applications is archived rather than deleted)."
)


class NeedPartners(BaseModel):
    model_config = ConfigDict(extra="forbid")

    has_partners: StrictBool = PydanticField(
        default=False, description="True when the project already has partners abroad."
    )
    countries: list[CountryCode] = PydanticField(
        default_factory=list,
        max_length=60,
        description="Countries the partners are (or should be) in, ISO 3166-1 alpha-2 (`DE`, `NO`).",
    )


NEED_EXAMPLE: JsonDict = {
    "title": "Ungdomsutbyte med vänort i Tyskland",
    "description": "Gymnasieelever från Borlänge och från vår vänort i Tyskland möts en vecka i varje stad för att "
    "arbeta med klimat och demokrati. Vi söker stöd för resor, boende och ledare.",
    "language": "sv",
    "pillars": ["development"],
    "themes": ["youth"],
    "applicant_type": "municipality",
    "country": "SE",
    "region": "SE312",
    "budget_eur": 60000,
    "cofinancing_capacity": 0.2,
    "start_date": "2027-08-01",
    "end_date": "2028-06-30",
    "partners": {"has_partners": True, "countries": ["DE"]},
}


class NeedFields(BaseModel):
    """The contract's need body. Unknown fields (`id`, `organisation`, …) are rejected, never obeyed."""

    model_config = ConfigDict(extra="forbid")

    language: LanguageCode | None = PydanticField(default=None, description=LANGUAGE)
    pillars: list[Code] = PydanticField(default_factory=list, max_length=20, description=PILLARS)
    themes: list[Code] = PydanticField(default_factory=list, max_length=50, description=THEMES)
    applicant_type: ApplicantType | None = PydanticField(default=None, description=APPLICANT_TYPE)
    country: CountryCode | None = PydanticField(default=None, description=COUNTRY)
    region: NutsCode | None = PydanticField(default=None, description=REGION)
    budget_eur: StrictInt | None = PydanticField(default=None, ge=0, le=MAX_BUDGET_EUR, description=BUDGET)
    cofinancing_capacity: StrictRate | None = PydanticField(default=None, ge=0, le=1, description=COFINANCING)
    start_date: IsoDate | None = PydanticField(default=None, description=START)
    end_date: IsoDate | None = PydanticField(default=None, description=END)
    partners: NeedPartners | None = PydanticField(default=None, description=PARTNERS)

    @model_validator(mode="after")
    def _dates_in_order(self) -> NeedFields:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class NeedCreate(NeedFields):
    """A need: only `title` and `description` are required."""

    model_config = ConfigDict(json_schema_extra={"examples": [NEED_EXAMPLE]})

    title: Title = PydanticField(description=TITLE)
    description: Description = PydanticField(description=DESCRIPTION)
    status: NeedStatus = PydanticField(default="active", description=STATUS)


class NeedUpdate(BaseModel):
    """A PATCH: only the fields sent change; null clears an optional field."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"budget_eur": 75000, "partners": {"has_partners": True, "countries": ["DE", "NO"]}},
                {"status": "archived"},
            ]
        },
    )

    title: Title | None = PydanticField(default=None, description=TITLE)
    description: Description | None = PydanticField(default=None, description=DESCRIPTION)
    status: NeedStatus | None = PydanticField(default=None, description=STATUS)
    language: LanguageCode | None = PydanticField(default=None, description=LANGUAGE)
    pillars: list[Code] | None = PydanticField(default=None, max_length=20, description=PILLARS)
    themes: list[Code] | None = PydanticField(default=None, max_length=50, description=THEMES)
    applicant_type: ApplicantType | None = PydanticField(default=None, description=APPLICANT_TYPE)
    country: CountryCode | None = PydanticField(default=None, description=COUNTRY)
    region: NutsCode | None = PydanticField(default=None, description=REGION)
    budget_eur: StrictInt | None = PydanticField(default=None, ge=0, le=MAX_BUDGET_EUR, description=BUDGET)
    cofinancing_capacity: StrictRate | None = PydanticField(default=None, ge=0, le=1, description=COFINANCING)
    start_date: IsoDate | None = PydanticField(default=None, description=START)
    end_date: IsoDate | None = PydanticField(default=None, description=END)
    partners: NeedPartners | None = PydanticField(default=None, description=PARTNERS)


class NeedPublic(NeedCreate):
    model_config = ConfigDict(extra="ignore", json_schema_extra=None)

    id: int = PydanticField(description="The need's id; its address is `/api/v1/needs/{id}`.")
    organisation: str = PydanticField(description="The code of the organisation the need belongs to.")
    language: LanguageCode | None = PydanticField(
        default=None, description="The language of the title and description, `sv` or `en`, as given or detected."
    )
    created_by: str = PydanticField(description="The name of the API key that created it.")
    created_at: datetime = PydanticField(description="When it was created (ISO 8601 with offset).")
    updated_at: datetime = PydanticField(description="When it last changed (ISO 8601 with offset).")
