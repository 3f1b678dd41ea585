"""API schemas of catalogue records: the document's records plus what a reader wants rendered."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.catalogue.document import (
    CallRecord,
    CountryGroupRecord,
    FunderRecord,
    PillarRecord,
    ProgrammeRecord,
    StrategyGoalRecord,
    ThemeRecord,
)

LABEL = "The name in the display language (`Accept-Language`); else in English, else in a language it has."


class PillarPublic(PillarRecord):
    label: str = Field(description=LABEL)


class ThemePublic(ThemeRecord):
    label: str = Field(description=LABEL)


class StrategyGoalPublic(StrategyGoalRecord):
    label: str = Field(description=LABEL)


class FunderPublic(FunderRecord):
    label: str = Field(description=LABEL)


class CountryGroupPublic(CountryGroupRecord):
    label: str = Field(description=LABEL)


class ProgrammePublic(ProgrammeRecord):
    label: str = Field(description=LABEL)
    active: bool = Field(description="False once the programme's period has ended; true otherwise.")


class CallPublic(CallRecord):
    label: str = Field(
        description="The title in the display language (`Accept-Language`); else in English, else in a language it has."
    )
    status: Literal["forthcoming", "open", "closed"] = Field(
        description="From the dates: `forthcoming` before `opens_at`, `closed` after `deadline_at`, `open` between "
        "(and always when there is no deadline)."
    )


SECTION_COUNTS = "Records by section (`programmes`, `calls`, …)"


class ImportSummary(BaseModel):
    """What an import changed."""

    catalogue_version: str = Field(description="The catalogue's version after the import.")
    changed: bool = Field(description="False when the document held nothing new (importing it again changes nothing).")
    mode: Literal["merge", "replace"] = Field(description="The mode the import ran in.")
    created: dict[str, int] = Field(description=f"{SECTION_COUNTS} that were new.")
    updated: dict[str, int] = Field(description=f"{SECTION_COUNTS} that existed and changed.")
    removed: dict[str, int] = Field(description=f"{SECTION_COUNTS} removed because absent (`mode=replace` only).")


class CatalogueInfo(BaseModel):
    catalogue_version: str = Field(
        description="Changes whenever the catalogue changes; the same version always means the same catalogue."
    )
    counts: dict[str, int] = Field(description='How many records each section holds, e.g. `{"programmes": 120}`.')
