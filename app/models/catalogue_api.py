"""API schemas of catalogue records: the document's records plus what a reader wants rendered."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from app.catalogue.document import (
    CallRecord,
    CountryGroupRecord,
    FunderRecord,
    PillarRecord,
    ProgrammeRecord,
    StrategyGoalRecord,
    ThemeRecord,
)


class PillarPublic(PillarRecord):
    label: str


class ThemePublic(ThemeRecord):
    label: str


class StrategyGoalPublic(StrategyGoalRecord):
    label: str


class FunderPublic(FunderRecord):
    label: str


class CountryGroupPublic(CountryGroupRecord):
    label: str


class ProgrammePublic(ProgrammeRecord):
    label: str
    active: bool


class CallPublic(CallRecord):
    label: str
    status: Literal["forthcoming", "open", "closed"]


class ImportSummary(BaseModel):
    catalogue_version: str
    changed: bool
    mode: Literal["merge", "replace"]
    created: dict[str, int]
    updated: dict[str, int]
    removed: dict[str, int]


class CatalogueInfo(BaseModel):
    catalogue_version: str
    counts: dict[str, int]
