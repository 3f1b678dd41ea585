"""The engine's output: frozen dataclasses and their contract JSON shape.

``answer_to_json`` renders exactly the public match answer (without the
stored need's ``id``, which the service adds): dates as ISO strings, scores
and score components rounded to 4 decimals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class CallSuggestion:
    code: str
    title: str
    status: str
    opens_at: datetime | None
    deadline_at: datetime | None
    closing_soon: bool
    url: str | None = None


@dataclass(frozen=True, slots=True)
class ProgrammeRef:
    code: str
    name: str
    funder: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class ScoreBreakdown:
    """Weighted components; ``score`` = their sum plus ``credit`` minus ``penalty``, clipped to 0..1."""

    text: float
    themes: float
    pillars: float
    strategy_goals: float
    penalty: float = 0.0
    credit: float = 0.0


@dataclass(frozen=True, slots=True)
class MatchItem:
    rank: int
    score: float
    eligible: bool
    programme: ProgrammeRef
    calls: tuple[CallSuggestion, ...]
    breakdown: ScoreBreakdown
    reasons: tuple[str, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GoalSuggestion:
    code: str
    name: str
    framework: str
    kind: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PartnerCountry:
    """A partner country of the need: ``source`` is "given" (``partners.countries``) or "text"."""

    code: str
    source: str


@dataclass(frozen=True, slots=True)
class MatchAnswer:
    language: str
    display_language: str
    catalogue_version: str
    items: tuple[MatchItem, ...]
    strategy_goals: tuple[GoalSuggestion, ...]
    partner_countries: tuple[PartnerCountry, ...] = ()


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _call_json(call: CallSuggestion) -> dict[str, Any]:
    return {
        "code": call.code,
        "title": call.title,
        "status": call.status,
        "opens_at": _iso(call.opens_at),
        "deadline_at": _iso(call.deadline_at),
        "closing_soon": call.closing_soon,
        "url": call.url,
    }


def _item_json(item: MatchItem) -> dict[str, Any]:
    b = item.breakdown
    return {
        "rank": item.rank,
        "score": round(item.score, 4),
        "eligible": item.eligible,
        "programme": {
            "code": item.programme.code,
            "name": item.programme.name,
            "funder": item.programme.funder,
            "url": item.programme.url,
        },
        "calls": [_call_json(c) for c in item.calls],
        "score_breakdown": {
            "text": round(b.text, 4),
            "themes": round(b.themes, 4),
            "pillars": round(b.pillars, 4),
            "strategy_goals": round(b.strategy_goals, 4),
            "penalty": round(b.penalty, 4),
            "credit": round(b.credit, 4),
        },
        "reasons": list(item.reasons),
        "warnings": list(item.warnings),
    }


def answer_to_json(answer: MatchAnswer) -> dict[str, Any]:
    """The contract's match answer as plain JSON-ready values."""
    return {
        "need": {
            "language": answer.language,
            "partner_countries": [{"code": p.code, "from": p.source} for p in answer.partner_countries],
        },
        "catalogue_version": answer.catalogue_version,
        "display_language": answer.display_language,
        "items": [_item_json(item) for item in answer.items],
        "strategy_goals": [
            {
                "code": g.code,
                "name": g.name,
                "framework": g.framework,
                "kind": g.kind,
                "score": round(g.score, 4),
                "reasons": list(g.reasons),
            }
            for g in answer.strategy_goals
        ],
    }
