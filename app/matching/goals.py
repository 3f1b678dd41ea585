"""Rank the strategy goals a need serves.

A goal's score (0..1) mixes how strongly the need carries the goal's themes
(``0.8 * max + 0.2 * mean`` of the need's theme strengths over the goal's
themes) with how much of the suggested programmes' score comes from
programmes that list the goal. Ties are broken by code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import itemgetter

from app.matching.answer import GoalSuggestion
from app.matching.explain import localised, render
from app.matching.model import Programme, StrategyGoal, Theme

THEME_SHARE = 0.6


def goal_strength(goal: StrategyGoal, need_themes: Mapping[str, float]) -> float:
    """How strongly the need carries the goal's themes, 0..1."""
    strengths = [need_themes.get(code, 0.0) for code in goal.themes]
    return 0.8 * max(strengths) + 0.2 * sum(strengths) / len(strengths) if strengths else 0.0


def goal_strengths(goals: Sequence[StrategyGoal], need_themes: Mapping[str, float]) -> dict[str, float]:
    """``goal_strength`` of every goal, by code (zero for all when the need carries no theme)."""
    if not need_themes:
        return dict.fromkeys((g.code for g in goals), 0.0)
    return {goal.code: goal_strength(goal, need_themes) for goal in goals}


def rank_goals(
    goals: Sequence[StrategyGoal],
    need_themes: Mapping[str, float],
    suggested: Sequence[tuple[Programme, float]],
    themes: Mapping[str, Theme],
    *,
    language: str,
    limit: int,
    strengths: Mapping[str, float] | None = None,
) -> tuple[GoalSuggestion, ...]:
    """The ``limit`` best goals; ``strengths`` may hold ``goal_strength`` per goal code, already computed."""
    total = sum(score for _, score in suggested)
    # each goal's share of the suggested score, summed in the order of the suggestions
    listed_by: dict[str, float] = {}
    for programme, score in suggested:
        for code in dict.fromkeys(programme.strategy_goals):
            listed_by[code] = listed_by.get(code, 0) + score
    ranked: list[tuple[float, str, float, StrategyGoal]] = []
    for goal in goals:
        theme_part = strengths[goal.code] if strengths is not None else goal_strength(goal, need_themes)
        programme_part = listed_by.get(goal.code, 0) / total if total > 0 else 0.0
        score = THEME_SHARE * theme_part + (1.0 - THEME_SHARE) * programme_part
        if score > 0.0:
            ranked.append((-round(score, 4), goal.code, score, goal))
    ranked.sort(key=itemgetter(0, 1))
    return tuple(
        _suggestion(goal, score, need_themes, suggested, themes, language) for _, _, score, goal in ranked[:limit]
    )


def _suggestion(
    goal: StrategyGoal,
    score: float,
    need_themes: Mapping[str, float],
    suggested: Sequence[tuple[Programme, float]],
    themes: Mapping[str, Theme],
    language: str,
) -> GoalSuggestion:
    reasons = []
    shared = sorted((c for c in goal.themes if need_themes.get(c, 0.0) > 0), key=lambda c: (-need_themes[c], c))
    if shared:
        names = ", ".join([localised(themes[c].name, language) for c in shared if c in themes])
        reasons.append(render("shared_themes", language, themes=names))
    listing = [p for p, _ in suggested if goal.code in p.strategy_goals]
    if listing:
        names = ", ".join([localised(p.name, language) for p in listing[:3]])
        reasons.append(render("goal_programmes", language, programmes=names))
    return GoalSuggestion(
        code=goal.code,
        name=localised(goal.name, language),
        framework=goal.framework,
        kind=goal.kind,
        score=min(1.0, score),
        reasons=tuple(reasons),
    )
