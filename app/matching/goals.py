"""Rank the strategy goals a need serves.

A goal's score (0..1) mixes how strongly the need carries the goal's themes
(``0.8 * max + 0.2 * mean`` of the need's theme strengths over the goal's
themes) with how much of the suggested programmes' score comes from
programmes that list the goal. Ties are broken by code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import itemgetter

import numpy as np

from app.matching.answer import GoalSuggestion
from app.matching.explain import localised, render
from app.matching.model import Programme, StrategyGoal, Theme

THEME_SHARE = 0.6


def goal_strength(goal: StrategyGoal, need_themes: Mapping[str, float]) -> float:
    """How strongly the need carries the goal's themes, 0..1."""
    strengths = [need_themes.get(code, 0.0) for code in goal.themes]
    return 0.8 * max(strengths) + 0.2 * sum(strengths) / len(strengths) if strengths else 0.0


class GoalStrengths:
    """``goal_strength`` of every goal of one list, by code (zero for all when the need carries no theme),
    built once and computed with array operations.

    Each goal's themes are a row of slots in the need's strength vector, padded
    at the end with a slot that is always 0. The maximum is exact, and the sum
    is taken theme by theme from the left, as ``sum`` does, so every strength
    is the same float as ``goal_strength`` gives.
    """

    def __init__(self, goals: Sequence[StrategyGoal]) -> None:
        self._codes = [g.code for g in goals]
        self._slots = {code: i for i, code in enumerate(dict.fromkeys(c for g in goals for c in g.themes))}
        padding = len(self._slots)
        width = max((len(g.themes) for g in goals), default=1)
        self._rows = np.full((len(goals), max(width, 1)), padding, dtype=np.intp)
        for row, goal in enumerate(goals):
            self._rows[row, : len(goal.themes)] = [self._slots[c] for c in goal.themes]
        # a goal without themes divides its zero sum by 1
        self._counts = np.asarray([max(len(g.themes), 1) for g in goals], dtype=np.float64)

    def __call__(self, need_themes: Mapping[str, float]) -> dict[str, float]:
        if not need_themes:
            return dict.fromkeys(self._codes, 0.0)
        vector = np.zeros(len(self._slots) + 1)
        for code, strength in need_themes.items():
            slot = self._slots.get(code)
            if slot is not None:
                vector[slot] = strength
        values = vector[self._rows]
        total = values[:, 0].copy()
        for column in range(1, values.shape[1]):
            total += values[:, column]
        strengths = 0.8 * values.max(axis=1) + 0.2 * total / self._counts
        return dict(zip(self._codes, strengths.tolist(), strict=True))


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
    scored: list[tuple[float, StrategyGoal]] = []
    for goal in goals:
        theme_part = strengths[goal.code] if strengths is not None else goal_strength(goal, need_themes)
        programme_part = listed_by.get(goal.code, 0) / total if total > 0 else 0.0
        score = THEME_SHARE * theme_part + (1.0 - THEME_SHARE) * programme_part
        if score > 0.0:
            scored.append((score, goal))
    ranked = sorted(
        ((-round(score, 4), goal.code, score, goal) for score, goal in _within_reach(scored, limit)),
        key=itemgetter(0, 1),
    )
    return tuple(
        _suggestion(goal, score, need_themes, suggested, themes, language) for _, _, score, goal in ranked[:limit]
    )


def _within_reach(scored: list[tuple[float, StrategyGoal]], limit: int) -> list[tuple[float, StrategyGoal]]:
    """The goals that may rank among the ``limit`` best, so that only those are rounded (``round`` is slow).

    Rounding to 4 decimals moves a score by at most 0.00005, so a goal more than
    0.0002 below the ``limit``-th best score ranks after at least ``limit`` goals.
    """
    if len(scored) <= limit:
        return scored
    if limit <= 0:
        return []
    cutoff = sorted([score for score, _ in scored], reverse=True)[limit - 1] - 2e-4
    return [(score, goal) for score, goal in scored if score >= cutoff]


def _suggestion(
    goal: StrategyGoal,
    score: float,
    need_themes: Mapping[str, float],
    suggested: Sequence[tuple[Programme, float]],
    themes: Mapping[str, Theme],
    language: str,
) -> GoalSuggestion:
    reasons = []
    # the need carries few themes and a goal may list many: test the need's against the goal's
    of_goal = set(goal.themes)
    shared = sorted([c for c, s in need_themes.items() if s > 0 and c in of_goal], key=lambda c: (-need_themes[c], c))
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
