"""The engine's input records: the catalogue and a need, as frozen dataclasses.

Everything here is plain data parsed from the public contract's documents (see
``document.py``); nothing refers to a database, a web framework or settings.
Localised text is a mapping of language code to text (``{"en": "...", "sv": "..."}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

Text = Mapping[str, str]
"""Localised text: language code -> text, at least one language."""


@dataclass(frozen=True, slots=True)
class Pillar:
    code: str
    name: Text
    description: Text = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Theme:
    code: str
    name: Text
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StrategyGoal:
    code: str
    name: Text
    framework: str = ""
    kind: str = ""
    description: Text = field(default_factory=dict)
    themes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Funder:
    code: str
    name: Text
    kind: str = ""
    country: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class CountryGroup:
    code: str
    name: Text
    countries: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Period:
    """``end`` closes the calls; ``projects_until`` (None: ``end``) is the last day funded projects may run,
    so a need may start after ``end`` and still be funded by the last calls."""

    start: date | None = None
    end: date | None = None
    projects_until: date | None = None

    @property
    def last_start(self) -> date | None:
        """The last day a need may start and still be funded by this period (None: open-ended)."""
        if self.end is None:
            return None
        return max(self.end, self.projects_until) if self.projects_until else self.end


@dataclass(frozen=True, slots=True)
class GrantRange:
    min_eur: int | None = None
    max_eur: int | None = None


@dataclass(frozen=True, slots=True)
class Partnership:
    required: bool = False
    min_partners: int | None = None
    min_countries: int | None = None


@dataclass(frozen=True, slots=True)
class Programme:
    code: str
    name: Text
    description: Text
    funder: str
    kind: str = "other"
    period: Period = Period()
    themes: tuple[str, ...] = ()
    pillars: tuple[str, ...] = ()
    strategy_goals: tuple[str, ...] = ()
    eligible_applicants: tuple[str, ...] = ()
    eligible_countries: tuple[str, ...] = ()
    eligible_regions: tuple[str, ...] = ()
    grant: GrantRange = GrantRange()
    cofinancing_max_rate: float | None = None
    partnership: Partnership = Partnership()
    # ISO codes (DE) and country-group codes (nordic); empty: no restriction known
    partner_countries: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Call:
    code: str
    programme: str
    title: Text
    description: Text = field(default_factory=dict)
    opens_at: datetime | None = None
    deadline_at: datetime | None = None
    budget_eur: int | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Catalogue:
    """One version of the catalogue; record tuples keep the document's order."""

    version: str
    pillars: tuple[Pillar, ...] = ()
    themes: tuple[Theme, ...] = ()
    strategy_goals: tuple[StrategyGoal, ...] = ()
    funders: tuple[Funder, ...] = ()
    country_groups: tuple[CountryGroup, ...] = ()
    programmes: tuple[Programme, ...] = ()
    calls: tuple[Call, ...] = ()


@dataclass(frozen=True, slots=True)
class Partners:
    has_partners: bool | None = None
    countries: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Need:
    """A development need; only ``title`` and ``description`` are required."""

    title: str
    description: str
    language: str | None = None
    pillars: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    applicant_type: str | None = None
    country: str | None = None
    region: str | None = None
    budget_eur: int | None = None
    cofinancing_capacity: float | None = None
    start_date: date | None = None
    end_date: date | None = None
    partners: Partners = Partners()
