"""Pydantic models of the `fundmatch-catalogue/1` document.

Unknown fields are rejected everywhere (`extra="forbid"`), so a typo is a 422 that names the field
rather than data silently lost. Cross-record rules (duplicate codes, references) are in `checks.py`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)

FORMAT = "fundmatch-catalogue/1"

# Numbers and flags are JSON numbers and booleans, never coerced (`false` is not 0, `"3"` is not 3);
# a rate may be written as an integer (0 or 1).
StrictRate = Annotated[float, Strict()]

Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$", max_length=100)]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
NutsCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}[0-9A-Z]{0,3}$")]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$", max_length=100)]
# where partners may come from: an ISO 3166-1 alpha-2 code (DE) or a country group's code (nordic)
PartnerCode = Annotated[str, StringConstraints(pattern=r"^(?:[A-Z]{2}|[a-z0-9]+(?:[-_.][a-z0-9]+)*)$", max_length=100)]
ApplicantType = Literal[
    "municipality",
    "region",
    "public_body",
    "association",
    "ngo",
    "company",
    "sme",
    "school",
    "university",
    "research_org",
    "individual",
]
ProgrammeKind = Literal["eu_direct", "eu_shared", "interreg", "sida", "national", "regional", "foundation", "other"]


def _non_empty_text(value: dict[str, str]) -> dict[str, str]:
    if not value:
        raise ValueError("needs text in at least one language")
    for lang, text in value.items():
        if not text.strip():
            raise ValueError(f"the '{lang}' text is empty")
    return value


LocalisedText = Annotated[
    dict[LanguageCode, Annotated[str, StringConstraints(min_length=1)]],
    Field(min_length=1),
    AfterValidator(_non_empty_text),
]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PillarRecord(Record):
    code: Code
    name: LocalisedText
    description: LocalisedText | None = None


class ThemeRecord(Record):
    code: Code
    name: LocalisedText
    description: LocalisedText | None = None
    keywords: dict[LanguageCode, list[Annotated[str, StringConstraints(min_length=1, max_length=200)]]] | None = None


class StrategyGoalRecord(Record):
    code: Code
    framework: Slug | None = None
    kind: Slug | None = None
    name: LocalisedText
    description: LocalisedText | None = None
    themes: list[Code] | None = None
    url: Url | None = None


class FunderRecord(Record):
    code: Code
    name: LocalisedText
    description: LocalisedText | None = None
    kind: Slug | None = None
    country: CountryCode | None = None
    url: Url | None = None


class Source(Record):
    url: Url
    retrieved: date | None = None
    title: str | None = Field(default=None, max_length=500)


class CountryGroupRecord(Record):
    """A named set of countries that programmes' `partner_countries` may refer to by code."""

    code: Code
    name: LocalisedText
    description: LocalisedText | None = None
    countries: list[CountryCode] = Field(min_length=1, max_length=300)
    sources: list[Source] | None = None


class Period(Record):
    start: date | None = None
    end: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.start and self.end and self.end < self.start:
            raise ValueError("period.end is before period.start")
        return self


class GrantRange(Record):
    min: StrictInt | None = Field(default=None, ge=0)
    max: StrictInt | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> GrantRange:
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError("grant_eur.max is below grant_eur.min")
        return self


class Partnership(Record):
    required: StrictBool | None = None
    min_partners: StrictInt | None = Field(default=None, ge=0)
    min_countries: StrictInt | None = Field(default=None, ge=0)


class ProgrammeRecord(Record):
    code: Code
    name: LocalisedText
    description: LocalisedText
    funder: Code
    kind: ProgrammeKind | None = None
    period: Period | None = None
    themes: list[Code] | None = None
    pillars: list[Code] | None = None
    strategy_goals: list[Code] | None = None
    eligible_applicants: list[ApplicantType] | None = None
    eligible_countries: list[CountryCode] | None = None
    eligible_regions: list[NutsCode] | None = None
    grant_eur: GrantRange | None = None
    cofinancing_max_rate: StrictRate | None = Field(default=None, ge=0, le=1)
    partnership: Partnership | None = None
    partner_countries: list[PartnerCode] | None = Field(default=None, max_length=300)
    keywords: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] | None = None
    url: Url | None = None
    sources: list[Source] | None = None


class CallRecord(Record):
    code: Code
    programme: Code
    title: LocalisedText
    description: LocalisedText | None = None
    opens_at: AwareDatetime | None = None
    deadline_at: AwareDatetime | None = None
    budget_eur: StrictInt | None = Field(default=None, ge=0)
    url: Url | None = None
    sources: list[Source] | None = None
    external_id: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _ordered(self) -> CallRecord:
        if self.opens_at and self.deadline_at and self.deadline_at < self.opens_at:
            raise ValueError("deadline_at is before opens_at")
        return self


class CatalogueDocument(Record):
    format: Literal["fundmatch-catalogue/1"]
    pillars: list[PillarRecord] = Field(default_factory=list)
    themes: list[ThemeRecord] = Field(default_factory=list)
    strategy_goals: list[StrategyGoalRecord] = Field(default_factory=list)
    funders: list[FunderRecord] = Field(default_factory=list)
    country_groups: list[CountryGroupRecord] = Field(default_factory=list)
    programmes: list[ProgrammeRecord] = Field(default_factory=list)
    calls: list[CallRecord] = Field(default_factory=list)


SECTIONS: tuple[str, ...] = (
    "pillars",
    "themes",
    "strategy_goals",
    "funders",
    "country_groups",
    "programmes",
    "calls",
)


def record_json(record: Record) -> dict[str, object]:
    """The record as the document holds it: absent optional fields stay absent."""
    return record.model_dump(mode="json", exclude_unset=True, exclude_none=True)
