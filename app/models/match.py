"""API schemas of a match: the request body and the ranked, explained answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.models.need import Description, NeedFields, Title


class MatchRequest(NeedFields):
    """A need to rank without storing it: the contract's need body."""

    title: Title
    description: Description


class PartnerCountryPublic(BaseModel):
    """A partner country of the need: from `partners.countries` ("given") or named in its text ("text")."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True, serialize_by_alias=True)

    code: str
    source: Literal["given", "text"] = Field(alias="from")


class MatchNeedRef(BaseModel):
    id: int | None = None
    language: str
    partner_countries: list[PartnerCountryPublic] = Field(default_factory=list)


class ProgrammeRefPublic(BaseModel):
    code: str
    name: str
    funder: str
    url: str | None = None


class CallSuggestionPublic(BaseModel):
    code: str
    title: str
    status: Literal["forthcoming", "open", "closed"]
    opens_at: str | None = None
    deadline_at: str | None = None
    closing_soon: bool = Field(description="The deadline is within 30 days.")
    url: str | None = None


class ScoreBreakdownPublic(BaseModel):
    text: float
    themes: float
    pillars: float
    strategy_goals: float
    penalty: float = 0.0
    credit: float = 0.0


class MatchApplicationPublic(BaseModel):
    id: int
    status: str


class MatchItemPublic(BaseModel):
    rank: int
    score: float = Field(ge=0, le=1)
    eligible: bool
    programme: ProgrammeRefPublic
    calls: list[CallSuggestionPublic]
    score_breakdown: ScoreBreakdownPublic
    reasons: list[str]
    warnings: list[str]
    application: MatchApplicationPublic | None = Field(
        default=None, description="A stored need's application for this programme, if it has one."
    )


class GoalSuggestionPublic(BaseModel):
    code: str
    name: str
    framework: str
    kind: str
    score: float
    reasons: list[str]


class MatchAnswerPublic(BaseModel):
    need: MatchNeedRef
    catalogue_version: str
    display_language: str
    items: list[MatchItemPublic]
    strategy_goals: list[GoalSuggestionPublic]
