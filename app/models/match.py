"""API schemas of a match: the request body and the ranked, explained answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from app.models.need import DESCRIPTION, NEED_EXAMPLE, TITLE, Description, NeedFields, Title

# A need is ranked as it would be stored: the same body as `POST /api/v1/needs`, without `status`.
MATCH_EXAMPLE: JsonDict = {key: value for key, value in NEED_EXAMPLE.items() if key != "status"}


class MatchRequest(NeedFields):
    """A need to rank without storing it: the contract's need body."""

    model_config = ConfigDict(json_schema_extra={"examples": [MATCH_EXAMPLE]})

    title: Title = Field(description=TITLE)
    description: Description = Field(description=DESCRIPTION)


CODE_OF = "The {}'s code in the catalogue."
SHARE = "Its part of the score, already weighted (0–1)."


class PartnerCountryPublic(BaseModel):
    """A partner country of the need: from `partners.countries` ("given") or named in its text ("text")."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True, serialize_by_alias=True)

    code: str = Field(description="The country, ISO 3166-1 alpha-2 (`DE`).")
    source: Literal["given", "text"] = Field(
        alias="from",
        description="`given`: listed in `partners.countries`; `text`: named in the title or description "
        '("Tyskland", "tyska", "Germany").',
    )


class MatchNeedRef(BaseModel):
    """The need that was ranked."""

    id: int | None = Field(default=None, description="The stored need's id; null for a need given in the body.")
    language: str = Field(description="The language its text was read in, `sv` or `en` (as given or detected).")
    partner_countries: list[PartnerCountryPublic] = Field(
        default_factory=list, description="The countries its partners are in, given or named in its text."
    )


class ProgrammeRefPublic(BaseModel):
    code: str = Field(description=CODE_OF.format("programme"))
    name: str = Field(description="Its name in the display language.")
    funder: str = Field(description="The funder's code.")
    url: str | None = Field(default=None, description="Its web page; null if unknown.")


class CallSuggestionPublic(BaseModel):
    """An open or forthcoming call of the programme."""

    code: str = Field(description=CODE_OF.format("call"))
    title: str = Field(description="Its title in the display language.")
    status: Literal["forthcoming", "open", "closed"] = Field(
        description="From its dates: `forthcoming` before it opens, `open` until its deadline, `closed` after."
    )
    opens_at: str | None = Field(
        default=None, description="When it opens (ISO 8601 with offset, as the catalogue has it); null if unknown."
    )
    deadline_at: str | None = Field(
        default=None, description="Its deadline (ISO 8601 with offset, as the catalogue has it); null: none."
    )
    closing_soon: bool = Field(description="The deadline is within 30 days.")
    url: str | None = Field(default=None, description="Its web page; null if unknown.")


class ScoreBreakdownPublic(BaseModel):
    """What the score is made of: `score` = text + themes + pillars + strategy_goals + credit − penalty (0–1)."""

    text: float = Field(description=f"How well the need's words match the programme's. {SHARE}")
    themes: float = Field(description=f"Shared themes. {SHARE}")
    pillars: float = Field(description=f"A shared strategy pillar. {SHARE}")
    strategy_goals: float = Field(description=f"Strategy goals the need and the programme both serve. {SHARE}")
    penalty: float = Field(default=0.0, description="Subtracted for the warnings that lower the rank (0 if none).")
    credit: float = Field(
        default=0.0,
        description=(
            "Added when partner countries, budget or the kind of applicant fit the programme well (0 if none does)."
        ),
    )


class MatchApplicationPublic(BaseModel):
    id: int = Field(description="The application's id.")
    status: str = Field(description="Its current status, e.g. `preparing`.")


class MatchItemPublic(BaseModel):
    """One suggested programme."""

    rank: int = Field(description="Its place in the list, from 1.")
    score: float = Field(ge=0, le=1, description="How well it fits, from 0 to 1; higher ranks first.")
    eligible: bool = Field(
        description="False when the need cannot apply (applicant type, country, region or period); only listed "
        "with `include_ineligible=true`."
    )
    programme: ProgrammeRefPublic = Field(description="The programme.")
    calls: list[CallSuggestionPublic] = Field(
        description="Its open and forthcoming calls, nearest deadline first; empty when none is known."
    )
    score_breakdown: ScoreBreakdownPublic = Field(description="What the score is made of.")
    reasons: list[str] = Field(description="Why it fits, in the display language.")
    warnings: list[str] = Field(
        description="What to check before applying (partners, co-financing, eligibility), in the display language."
    )
    application: MatchApplicationPublic | None = Field(
        default=None, description="A stored need's application for this programme, if it has one."
    )


class GoalSuggestionPublic(BaseModel):
    """A strategy goal the need serves."""

    code: str = Field(description=CODE_OF.format("strategy goal"))
    name: str = Field(description="Its name in the display language.")
    framework: str = Field(description="Its framework, e.g. `europa-2020`, `agenda-2030`.")
    kind: str = Field(description="What sort of goal, e.g. `headline_target`, `sdg`.")
    score: float = Field(description="How strongly the need serves it, from 0 to 1.")
    reasons: list[str] = Field(description="Why, in the display language.")


class MatchAnswerPublic(BaseModel):
    need: MatchNeedRef = Field(description="The need that was ranked: its id, language and partner countries.")
    catalogue_version: str = Field(
        description="The catalogue version ranked against: the same need and version give the same answer."
    )
    display_language: str = Field(
        description="The language of names, reasons and warnings: from `Accept-Language`, else the need's."
    )
    items: list[MatchItemPublic] = Field(
        description="Suggested programmes, highest score first (ties by code), at most `limit`."
    )
    strategy_goals: list[GoalSuggestionPublic] = Field(description="Strategy goals the need serves, strongest first.")
