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
from pydantic.config import JsonDict

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


# Field descriptions shared by several record types (the OpenAPI text integrators read).
CODE = (
    "The record's key: a lowercase slug (letters, digits, `-`, `_`, `.`), e.g. `erasmus-plus`; stable across imports."
)
NAME = 'The name by language code, e.g. `{"sv": "Unga", "en": "Youth"}`; at least one language.'
DESCRIPTION = "A longer text by language code, like `name`; null or absent when there is none."
URL = "A web page about it (`http` or `https`); null when unknown."
SOURCES = "Where the facts were taken from, for review; null when none are given."


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PillarRecord(Record):
    """A pillar of the municipality's international strategy (development, solidarity, …)."""

    code: Code = Field(description=CODE)
    name: LocalisedText = Field(description=NAME)
    description: LocalisedText | None = Field(default=None, description=DESCRIPTION)


class ThemeRecord(Record):
    """A theme (youth, climate, …) with the words that point to it in a need's text."""

    code: Code = Field(description=CODE)
    name: LocalisedText = Field(description=NAME)
    description: LocalisedText | None = Field(default=None, description=DESCRIPTION)
    keywords: dict[LanguageCode, list[Annotated[str, StringConstraints(min_length=1, max_length=200)]]] | None = Field(
        default=None,
        description='Words and phrases by language code that point to the theme, e.g. `{"sv": ["ungdomsutbyte"]}`; '
        "null when none.",
    )


class StrategyGoalRecord(Record):
    """A goal of a strategy framework (a Europa 2020 target, an Agenda 2030 goal, …)."""

    code: Code = Field(description=CODE)
    framework: Slug | None = Field(
        default=None, description="The framework it belongs to, as a lowercase slug, e.g. `europa-2020`, `agenda-2030`."
    )
    kind: Slug | None = Field(
        default=None, description="What sort of goal, as a lowercase slug, e.g. `headline_target`, `flagship`, `sdg`."
    )
    name: LocalisedText = Field(description=NAME)
    description: LocalisedText | None = Field(default=None, description=DESCRIPTION)
    themes: list[Code] | None = Field(
        default=None, description="Codes of the themes the goal serves; null or empty: none."
    )
    url: Url | None = Field(default=None, description=URL)


class FunderRecord(Record):
    """Who gives the money: an EU institution or agency, a managing authority, a Swedish agency, a foundation."""

    code: Code = Field(description=CODE)
    name: LocalisedText = Field(description=NAME)
    description: LocalisedText | None = Field(default=None, description=DESCRIPTION)
    kind: Slug | None = Field(
        default=None,
        description="What sort of funder, as a lowercase slug, e.g. `eu_institution`, `national_agency`, "
        "`interreg_authority`, `foundation`.",
    )
    country: CountryCode | None = Field(
        default=None, description="Its country (ISO 3166-1 alpha-2, e.g. `SE`); null for EU bodies."
    )
    url: Url | None = Field(default=None, description=URL)


class Source(Record):
    """A page the facts of a record were taken from."""

    url: Url = Field(description="The page's address.")
    retrieved: date | None = Field(default=None, description="When it was read (ISO 8601 date); null if unknown.")
    title: str | None = Field(default=None, max_length=500, description="The page's title; null if not given.")


class CountryGroupRecord(Record):
    """A named set of countries that programmes' `partner_countries` may refer to by code."""

    code: Code = Field(description=CODE)
    name: LocalisedText = Field(description=NAME)
    description: LocalisedText | None = Field(default=None, description=DESCRIPTION)
    countries: list[CountryCode] = Field(
        min_length=1, max_length=300, description="Its countries, as ISO 3166-1 alpha-2 codes (`DE`, `UA`)."
    )
    sources: list[Source] | None = Field(default=None, description=SOURCES)


class Period(Record):
    """When a programme runs."""

    start: date | None = Field(default=None, description="First day (ISO 8601 date); null if unknown.")
    end: date | None = Field(
        default=None, description="Last day (ISO 8601 date); null if open-ended. After it, the programme is inactive."
    )
    projects_until: date | None = Field(
        default=None,
        description=(
            "Last day that projects funded in the period may run (ISO 8601 date), on or after `end`; null if "
            "unknown. A need that starts after `end` but by this day is not excluded: the last calls can fund it."
        ),
    )

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.start and self.end and self.end < self.start:
            raise ValueError("period.end is before period.start")
        if self.projects_until and (self.end is None or self.projects_until < self.end):
            raise ValueError("period.projects_until needs an end and must not be before it")
        return self


class GrantRange(Record):
    """The size of one grant, in whole euros."""

    min: StrictInt | None = Field(
        default=None, ge=0, description="Smallest grant, in euros (integer); null: no minimum."
    )
    max: StrictInt | None = Field(
        default=None, ge=0, description="Largest grant, in euros (integer); null: no maximum."
    )

    @model_validator(mode="after")
    def _ordered(self) -> GrantRange:
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError("grant_eur.max is below grant_eur.min")
        return self


class Partnership(Record):
    """What a project must have in partners to apply."""

    required: StrictBool | None = Field(default=None, description="Whether partners are required; null if unknown.")
    min_partners: StrictInt | None = Field(
        default=None, ge=0, description="Fewest partner organisations (the applicant included); null: no minimum."
    )
    min_countries: StrictInt | None = Field(
        default=None, ge=0, description="Fewest countries the partners come from; null: no minimum."
    )


class ProgrammeRecord(Record):
    """A funding programme: what it funds, who may apply, and how much."""

    code: Code = Field(description=CODE)
    name: LocalisedText = Field(description=NAME)
    description: LocalisedText = Field(
        description="What the programme funds, by language code; matched against a need's text."
    )
    funder: Code = Field(description="The code of the funder that runs it.")
    kind: ProgrammeKind | None = Field(
        default=None,
        description="`eu_direct` (run by the Commission or its agencies), `eu_shared` (EU funds run by a "
        "managing authority in the country), `interreg`, `sida`, `national`, `regional`, `foundation` or "
        "`other`; null if not given.",
    )
    period: Period | None = Field(default=None, description="When the programme runs; null if unknown.")
    themes: list[Code] | None = Field(default=None, description="Codes of the themes it funds; null or empty: none.")
    pillars: list[Code] | None = Field(
        default=None, description="Codes of the strategy pillars it serves; null or empty: none."
    )
    strategy_goals: list[Code] | None = Field(
        default=None, description="Codes of the strategy goals it serves; null or empty: none."
    )
    eligible_applicants: list[ApplicantType] | None = Field(
        default=None,
        description=(
            "Who may apply (`municipality`, `association`, `school`, …); null or empty: no restriction. The first "
            "is the kind of applicant the programme is mainly made for: a need from that kind ranks a little higher."
        ),
    )
    eligible_countries: list[CountryCode] | None = Field(
        default=None,
        description="Countries applicants may come from (ISO 3166-1 alpha-2, `SE`); null or empty: no restriction.",
    )
    eligible_regions: list[NutsCode] | None = Field(
        default=None,
        description="NUTS codes of the regions applicants may come from; a code covers every region under it "
        "(`SE31` covers `SE312`, Dalarnas län). Null or empty: no restriction.",
    )
    grant_eur: GrantRange | None = Field(default=None, description="The size of one grant, in euros; null if unknown.")
    cofinancing_max_rate: StrictRate | None = Field(
        default=None,
        ge=0,
        le=1,
        description="The largest share of the costs the programme pays, from 0 to 1 (0.8 = 80 %); the applicant "
        "pays the rest. Null if unknown.",
    )
    partnership: Partnership | None = Field(
        default=None, description="What the project needs in partners; null if unknown."
    )
    partner_countries: list[PartnerCode] | None = Field(
        default=None,
        max_length=300,
        description="Where partners may come from: ISO 3166-1 alpha-2 codes (`DE`) and codes of country groups "
        "(`nordic`, `eastern-partnership`). Null or empty: no restriction known.",
    )
    keywords: list[Annotated[str, StringConstraints(min_length=1, max_length=200)]] | None = Field(
        default=None, description="Extra words, in any language, that point to the programme; null when none."
    )
    url: Url | None = Field(default=None, description=URL)
    sources: list[Source] | None = Field(default=None, description=SOURCES)


class CallRecord(Record):
    """A call for proposals of a programme, with its dates. Its status follows from them."""

    code: Code = Field(description=CODE)
    programme: Code = Field(description="The code of the programme the call belongs to.")
    title: LocalisedText = Field(description='The title by language code, e.g. `{"en": "Youth exchanges 2027"}`.')
    description: LocalisedText | None = Field(default=None, description=DESCRIPTION)
    opens_at: AwareDatetime | None = Field(
        default=None,
        description="When applications open (ISO 8601 with offset, `2026-11-01T00:00:00+01:00`); null if unknown.",
    )
    deadline_at: AwareDatetime | None = Field(
        default=None,
        description="When applications close (ISO 8601 with offset, `2027-02-18T12:00:00+01:00`); null: no deadline "
        "(always open).",
    )
    budget_eur: StrictInt | None = Field(
        default=None, ge=0, description="The call's total budget, in euros (integer); null if unknown."
    )
    url: Url | None = Field(default=None, description=URL)
    sources: list[Source] | None = Field(default=None, description=SOURCES)
    external_id: str | None = Field(
        default=None,
        max_length=200,
        description="The call's id at its source, e.g. the topic id in the EU Funding & Tenders Portal; null for "
        "calls entered by hand.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> CallRecord:
        if self.opens_at and self.deadline_at and self.deadline_at < self.opens_at:
            raise ValueError("deadline_at is before opens_at")
        return self


# A small document for /docs: a municipality's own fund for exchanges, with one call. Its codes are its own,
# so importing it (merge) into the bundled catalogue adds to it and overwrites nothing.
DOCUMENT_EXAMPLE: JsonDict = {
    "format": FORMAT,
    "funders": [
        {
            "code": "borlange-kommun",
            "name": {"sv": "Borlänge kommun", "en": "Municipality of Borlänge"},
            "kind": "municipality",
            "country": "SE",
            "url": "https://www.borlange.se/",
        }
    ],
    "programmes": [
        {
            "code": "borlange-internationella-fonden",
            "name": {"sv": "Internationella fonden", "en": "International fund"},
            "description": {
                "sv": "Bidrag till föreningar och skolor i Borlänge för utbyten med vänorter och partner i Europa.",
                "en": "Grants to associations and schools in Borlänge for exchanges with twin towns in Europe.",
            },
            "funder": "borlange-kommun",
            "kind": "other",
            "period": {"start": "2027-01-01", "end": "2027-12-31"},
            "eligible_applicants": ["association", "school"],
            "eligible_countries": ["SE"],
            "eligible_regions": ["SE312"],
            "grant_eur": {"min": 500, "max": 5000},
            "cofinancing_max_rate": 0.5,
            "partnership": {"required": True, "min_partners": 2, "min_countries": 2},
            "partner_countries": ["DE", "FI", "NO"],
            "keywords": ["vänort", "ungdomsutbyte", "twin town"],
        }
    ],
    "calls": [
        {
            "code": "borlange-internationella-fonden-2027",
            "programme": "borlange-internationella-fonden",
            "title": {"sv": "Ansökningsomgång 2027", "en": "2027 round"},
            "opens_at": "2027-01-15T08:00:00+01:00",
            "deadline_at": "2027-03-31T23:59:00+02:00",
            "budget_eur": 40000,
        }
    ],
}


class CatalogueDocument(Record):
    """A `fundmatch-catalogue/1` document: every section is optional; records are keyed by `code`."""

    model_config = ConfigDict(json_schema_extra={"examples": [DOCUMENT_EXAMPLE]})

    format: Literal["fundmatch-catalogue/1"] = Field(description="Always `fundmatch-catalogue/1`.")
    pillars: list[PillarRecord] = Field(default_factory=list, description="Strategy pillars.")
    themes: list[ThemeRecord] = Field(default_factory=list, description="Themes and their keywords.")
    strategy_goals: list[StrategyGoalRecord] = Field(default_factory=list, description="Goals of strategy frameworks.")
    funders: list[FunderRecord] = Field(default_factory=list, description="Funders.")
    country_groups: list[CountryGroupRecord] = Field(
        default_factory=list, description="Named sets of countries that `partner_countries` may refer to."
    )
    programmes: list[ProgrammeRecord] = Field(default_factory=list, description="Funding programmes.")
    calls: list[CallRecord] = Field(default_factory=list, description="Calls for proposals of the programmes.")


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
