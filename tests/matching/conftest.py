"""Fixtures for the engine's tests: a tiny catalogue and lexicon built in code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.matching import (  # noqa: E402
    Lexicon,
    MatchIndex,
    build_index,
    catalogue_from_document,
    load_lexicon,
)

TINY_LEXICON = Path(__file__).parent / "data" / "tiny_lexicon.tsv"


def programme(code: str, **fields: Any) -> dict[str, Any]:
    """A programme record with harmless defaults; ``fields`` override them."""
    record: dict[str, Any] = {
        "code": code,
        "name": {"en": code.replace("-", " ").title()},
        "description": {"en": f"The {code} programme."},
        "funder": "eu",
        "kind": "eu_direct",
        "period": {"start": "2021-01-01", "end": "2027-12-31"},
    }
    record.update(fields)
    return record


def tiny_document() -> dict[str, Any]:
    return {
        "format": "fundmatch-catalogue/1",
        "pillars": [
            {"code": "development", "name": {"en": "Development", "sv": "Utveckling"}},
            {"code": "solidarity", "name": {"en": "Solidarity", "sv": "Solidaritet"}},
        ],
        "themes": [
            {
                "code": "youth",
                "name": {"en": "Youth", "sv": "Unga"},
                "keywords": {"en": ["youth", "young people"], "sv": ["ungdom", "unga", "fritidsgård"]},
            },
            {
                "code": "climate",
                "name": {"en": "Climate", "sv": "Klimat"},
                "keywords": {"en": ["climate", "emissions"], "sv": ["klimat", "utsläpp", "laddinfrastruktur"]},
            },
            {
                "code": "education",
                "name": {"en": "Education", "sv": "Utbildning"},
                "keywords": {"en": ["school", "teacher"], "sv": ["skola", "lärare", "elever"]},
            },
        ],
        "strategy_goals": [
            {
                "code": "eu2020-climate-energy",
                "framework": "europa-2020",
                "kind": "headline_target",
                "name": {"en": "Climate and energy", "sv": "Klimat och energi"},
                "themes": ["climate"],
            },
            {
                "code": "eu2020-youth-on-the-move",
                "framework": "europa-2020",
                "kind": "flagship",
                "name": {"en": "Youth on the move", "sv": "Unga på väg"},
                "themes": ["youth", "education"],
            },
        ],
        "funders": [{"code": "eu", "name": {"en": "European Commission"}, "kind": "eu_institution"}],
        "programmes": [
            programme(
                "youth-mobility",
                name={"en": "Youth mobility", "sv": "Ungdomsrörlighet"},
                description={
                    "en": "Youth exchanges and youth work projects where groups of young people meet abroad.",
                    "sv": "Ungdomsutbyten där grupper av ungdomar möts i ett annat land.",
                },
                themes=["youth", "education"],
                pillars=["development"],
                strategy_goals=["eu2020-youth-on-the-move"],
                eligible_applicants=["municipality", "association"],
                eligible_countries=["SE", "DE"],
                grant_eur={"min": 5000, "max": 100000},
                partnership={"required": True, "min_partners": 2, "min_countries": 2},
            ),
            programme(
                "school-exchange",
                description={"en": "Teacher job shadowing and school partnerships between schools in Europe."},
                themes=["education", "youth"],
                pillars=["development"],
                eligible_applicants=["school", "municipality"],
            ),
            programme(
                "climate-investment",
                kind="national",
                name={"en": "Climate investment aid", "sv": "Klimatinvesteringsstöd"},
                description={
                    "en": "Investment aid for charging infrastructure and measures that cut greenhouse gas emissions.",
                    "sv": "Investeringsstöd till laddinfrastruktur och åtgärder som minskar utsläppen.",
                },
                period={"start": "2015-01-01"},
                themes=["climate"],
                pillars=["development"],
                strategy_goals=["eu2020-climate-energy"],
                eligible_countries=["SE"],
                cofinancing_max_rate=0.5,
            ),
            programme(
                "border-region",
                kind="interreg",
                description={"en": "Cross-border cooperation on climate and young people in the border region."},
                themes=["climate", "youth"],
                pillars=["development"],
                eligible_regions=["SE31", "NO02"],
            ),
            programme(
                "old-programme",
                description={"en": "Youth exchanges in the old period."},
                period={"start": "2014-01-01", "end": "2020-12-31"},
                themes=["youth"],
            ),
        ],
        "calls": [
            {
                "code": "ym-2027-round-2",
                "programme": "youth-mobility",
                "title": {"en": "Youth exchanges, round 2", "sv": "Ungdomsutbyten, omgång 2"},
                "opens_at": "2027-02-01T00:00:00+01:00",
                "deadline_at": "2027-04-30T12:00:00+02:00",
            },
            {
                "code": "ym-2027-round-1",
                "programme": "youth-mobility",
                "title": {"en": "Youth exchanges, round 1"},
                "opens_at": "2026-10-01T00:00:00+02:00",
                "deadline_at": "2026-12-10T12:00:00+01:00",
            },
            {
                "code": "ym-2026-closed",
                "programme": "youth-mobility",
                "title": {"en": "Youth exchanges 2026"},
                "deadline_at": "2026-03-01T12:00:00+01:00",
            },
            {
                "code": "ci-2025",
                "programme": "climate-investment",
                "title": {"en": "Climate investment 2025"},
                "deadline_at": "2025-11-01T12:00:00+01:00",
            },
        ],
    }


@pytest.fixture(scope="session")
def tiny_lexicon() -> Lexicon:
    return load_lexicon(TINY_LEXICON)


@pytest.fixture(scope="session")
def tiny_index(tiny_lexicon: Lexicon) -> MatchIndex:
    return build_index(catalogue_from_document(tiny_document(), "test-1"), tiny_lexicon)
