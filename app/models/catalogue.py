"""Catalogue tables: pillars, themes, strategy goals, funders, country groups, programmes, calls, and the version.

Localised texts and code lists are JSON columns: they are read whole, never joined on, and each
worker filters the catalogue in memory (see services/catalogue.py). NULL means the field was absent
from the document, so that export gives back what was imported.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from app.models.base import AwareDateTime, JSONColumn, utcnow


def _json(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(JSONColumn, nullable=nullable))


class Pillar(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=100)
    name: dict[str, str] = Field(sa_column=Column(JSONColumn, nullable=False))
    description: dict[str, str] | None = _json()


class Theme(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=100)
    name: dict[str, str] = Field(sa_column=Column(JSONColumn, nullable=False))
    description: dict[str, str] | None = _json()
    keywords: dict[str, list[str]] | None = _json()


class StrategyGoal(SQLModel, table=True):
    __tablename__ = "strategy_goal"

    code: str = Field(primary_key=True, max_length=100)
    framework: str | None = Field(default=None, max_length=100)
    kind: str | None = Field(default=None, max_length=100)
    name: dict[str, str] = Field(sa_column=Column(JSONColumn, nullable=False))
    description: dict[str, str] | None = _json()
    themes: list[str] | None = _json()
    url: str | None = Field(default=None, max_length=2000)


class Funder(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=100)
    name: dict[str, str] = Field(sa_column=Column(JSONColumn, nullable=False))
    description: dict[str, str] | None = _json()
    kind: str | None = Field(default=None, max_length=100)
    country: str | None = Field(default=None, max_length=2)
    url: str | None = Field(default=None, max_length=2000)


class CountryGroup(SQLModel, table=True):
    __tablename__ = "country_group"

    code: str = Field(primary_key=True, max_length=100)
    name: dict[str, str] = Field(sa_column=Column(JSONColumn, nullable=False))
    description: dict[str, str] | None = _json()
    countries: list[str] = Field(sa_column=Column(JSONColumn, nullable=False))
    sources: list[dict[str, Any]] | None = _json()


class Programme(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=100)
    name: dict[str, str] = Field(sa_column=Column(JSONColumn, nullable=False))
    description: dict[str, str] = Field(sa_column=Column(JSONColumn, nullable=False))
    funder: str = Field(foreign_key="funder.code", index=True, max_length=100)
    kind: str | None = Field(default=None, max_length=50)
    period: dict[str, Any] | None = _json()
    themes: list[str] | None = _json()
    pillars: list[str] | None = _json()
    strategy_goals: list[str] | None = _json()
    eligible_applicants: list[str] | None = _json()
    eligible_countries: list[str] | None = _json()
    eligible_regions: list[str] | None = _json()
    grant_eur: dict[str, Any] | None = _json()
    cofinancing_max_rate: float | None = None
    partnership: dict[str, Any] | None = _json()
    partner_countries: list[str] | None = _json()
    keywords: list[str] | None = _json()
    url: str | None = Field(default=None, max_length=2000)
    sources: list[dict[str, Any]] | None = _json()


class CatalogueCall(SQLModel, table=True):
    __tablename__ = "call"

    code: str = Field(primary_key=True, max_length=100)
    programme: str = Field(foreign_key="programme.code", index=True, max_length=100)
    title: dict[str, str] = Field(sa_column=Column(JSONColumn, nullable=False))
    description: dict[str, str] | None = _json()
    # ISO 8601 text as imported, so the offset the source wrote survives the round trip.
    opens_at: str | None = Field(default=None, max_length=40)
    deadline_at: str | None = Field(default=None, max_length=40)
    budget_eur: int | None = None
    url: str | None = Field(default=None, max_length=2000)
    sources: list[dict[str, Any]] | None = _json()
    external_id: str | None = Field(default=None, max_length=200)


class CatalogueState(SQLModel, table=True):
    """One row: the catalogue's version. It changes on every write that changes the catalogue."""

    __tablename__ = "catalogue_state"

    id: int = Field(default=1, primary_key=True)
    revision: int = 0
    content_hash: str = Field(default="", max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=AwareDateTime)

    @property
    def version(self) -> str:
        return f"{self.revision}-{self.content_hash[:12]}"
