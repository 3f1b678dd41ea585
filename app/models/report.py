"""API schema of the funding report."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class FundingCounts(BaseModel):
    applications: int = Field(description="Applications created in the period (their first status took effect in it).")
    submitted: int = Field(description="Applications that reached `submitted` in the period.")
    granted: int = Field(description="Applications granted in the period.")
    rejected: int = Field(description="Applications rejected in the period.")
    requested_eur: int = Field(description="What the applications submitted in the period asked for, in euros.")
    granted_eur: int = Field(description="What the applications granted in the period were granted, in euros.")
    success_rate: float | None = Field(
        description="granted / (granted + rejected), from 0 to 1; null when none was decided in the period."
    )


class FundingGroup(FundingCounts):
    key: str | None = Field(description="The code of the group (null: applications without one, e.g. no pillar).")
    label: str = Field(description="The group's name in the display language (`Accept-Language`).")


class FundingReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from", description="First day of the period (ISO 8601 date).")
    to: date = Field(description="Last day of the period, included (ISO 8601 date).")
    group_by: str = Field(
        description="How applications are grouped: `pillar`, `programme`, `funder`, `strategy_goal` or `status`."
    )
    groups: list[FundingGroup] = Field(description="One entry per group, ordered by `key`.")
    totals: FundingCounts = Field(description="Each application counted once, whatever its groups.")
