"""Theme, pillar and goal scores from the sparse programme matrices."""

from __future__ import annotations

import numpy as np

from app.matching.features import ProgrammeFeatures
from app.matching.model import Programme


def _programme(code: str, themes: tuple[str, ...], pillars: tuple[str, ...], goals: tuple[str, ...]) -> Programme:
    from app.matching.document import catalogue_from_document

    doc = {
        "format": "fundmatch-catalogue/1",
        "programmes": [
            {
                "code": code,
                "name": {"en": code},
                "description": {"en": code},
                "funder": "f",
                "themes": list(themes),
                "pillars": list(pillars),
                "strategy_goals": list(goals),
            }
        ],
    }
    return catalogue_from_document(doc, "v").programmes[0]


PROGRAMMES = [
    _programme("a", ("youth", "education"), ("development",), ("g1", "g2")),
    _programme("b", ("climate",), ("solidarity", "development"), ()),
    _programme("c", (), (), ("g2",)),
]


def features() -> ProgrammeFeatures:
    return ProgrammeFeatures(
        PROGRAMMES,
        themes=("climate", "education", "youth"),
        pillars=("development", "solidarity"),
        goals=("g1", "g2"),
        position_decay=0.5,
    )


def test_theme_scores_are_cosines() -> None:
    f = features()
    scores = f.theme_scores({"youth": 1.0, "climate": 0.0, "unknown": 3.0})
    assert scores[0] > 0 and scores[1] == 0 and scores[2] == 0
    assert np.all((scores >= 0) & (scores <= 1 + 1e-9))
    assert f.theme_scores({}).tolist() == [0.0, 0.0, 0.0]


def test_pillar_scores_are_shared_and_read_only() -> None:
    f = features()
    first = f.pillar_scores(["development"])
    assert first.tolist() == [1.0, 1.0, 0.0]
    assert f.pillar_scores(["development"]) is first
    assert not first.flags.writeable
    assert f.pillar_scores(["solidarity", "development"]).tolist() == [1.0, 1.0, 0.0]


def test_goal_scores_are_mean_strength_over_the_programmes_goals() -> None:
    f = features()
    scores = f.goal_scores({"g2": 0.5})
    assert scores.tolist() == [0.25, 0.0, 0.5]
