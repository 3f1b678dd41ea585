"""API schema of the funding report."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class FundingCounts(BaseModel):
    applications: int = Field(description="Applications created in the period (their first status took effect in it).")
    submitted: int = Field(description="Applications that reached `submitted` in the period.")
    granted: int = Field(description="Applications granted in the period.")
    rejected: int = Field(description="Applications rejected in the period.")
    requested_eur: int = Field(description="What the applications submitted in the period asked for.")
    granted_eur: int = Field(description="What the applications granted in the period were granted.")
    success_rate: float | None = Field(description="granted / (granted + rejected); null when neither.")


class FundingGroup(FundingCounts):
    key: str | None = Field(description="The code of the group (null: applications without one, e.g. no pillar).")
    label: str = Field(description="The group's name in the display language (`Accept-Language`).")


class FundingReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from")
    to: date
    group_by: str
    groups: list[FundingGroup]
    totals: FundingCounts = Field(description="Each application counted once, whatever its groups.")
