"""The query-time shortcuts added for speed give exactly the plain results: column sums, goals, listed calls."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from operator import itemgetter

import numpy as np
import pytest
from scipy import sparse

from app.matching import MatchIndex
from app.matching.calls import listed_calls
from app.matching.columns import add_columns, add_columns_by_span
from app.matching.features import _CodeColumns
from app.matching.goals import GoalStrengths, _within_reach, goal_strength
from app.matching.model import StrategyGoal


def plain_column_sums(matrix: sparse.csc_matrix, columns: list[int], weights: np.ndarray) -> np.ndarray:
    """Column after column, each product rounded to the matrix' type and added in that type."""
    kind = matrix.dtype.type
    total = np.zeros(matrix.shape[0], dtype=matrix.dtype)
    for column, weight in zip(columns, weights, strict=True):
        start, end = matrix.indptr[column], matrix.indptr[column + 1]
        for row, value in zip(matrix.indices[start:end], matrix.data[start:end], strict=True):
            total[row] = kind(total[row] + kind(value * weight))
    return total


@pytest.mark.parametrize("add", [add_columns, add_columns_by_span], ids=["scipy-kernel", "numpy-fallback"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("order", ["descending", "any"])
def test_add_columns_equals_the_column_by_column_sums(add: Callable[..., None], dtype: type, order: str) -> None:
    rng = np.random.default_rng(5)
    matrix = sparse.random(40, 70, density=0.2, format="csc", dtype=dtype, rng=11)
    for _ in range(30):
        columns = rng.choice(70, size=int(rng.integers(0, 30)), replace=False).tolist()
        if order == "descending":
            columns.sort(reverse=True)
        weights = (rng.random(len(columns)) * 3).astype(dtype)
        out = np.zeros(40, dtype=dtype)
        ids = np.asarray(columns, dtype=np.int64)
        add(out, matrix.indptr[ids], matrix.indptr[ids + 1], matrix.indices, matrix.data, weights)
        assert np.array_equal(out, plain_column_sums(matrix, columns, weights))


def test_the_index_numbers_terms_so_that_a_query_reads_rows_at_descending_offsets(tiny_index: MatchIndex) -> None:
    vocabulary = tiny_index.text_index.vocabulary
    terms = sorted(vocabulary)
    assert [vocabulary[t] for t in terms] == list(range(len(terms) - 1, -1, -1))


def test_code_columns_equal_the_row_by_row_product() -> None:
    rng = np.random.default_rng(8)
    matrix = sparse.random(50, 12, density=0.3, format="csr", dtype=np.float64, rng=4)
    matrix.data = matrix.data.astype(np.float32).astype(np.float64)
    columns = _CodeColumns(matrix)
    for _ in range(30):
        codes = rng.choice(12, size=int(rng.integers(1, 12)), replace=False).tolist()
        weights = {c: float(w) for c, w in zip(codes, rng.random(len(codes)), strict=True)}
        vector = np.zeros(12)
        vector[list(weights)] = np.asarray(list(weights.values()), dtype=np.float32)
        assert np.array_equal(columns.weighted(weights, 50), matrix @ vector)


def test_goal_strengths_table_equals_goal_strength() -> None:
    goals = [
        StrategyGoal("none", {"en": "None"}),
        StrategyGoal("one", {"en": "One"}, themes=("youth",)),
        StrategyGoal("twice", {"en": "Twice"}, themes=("climate", "youth", "climate")),
        StrategyGoal("unknown", {"en": "Unknown"}, themes=("space", "education")),
    ]
    table = GoalStrengths(goals)
    for need in ({}, {"youth": 0.3}, {"youth": 0.9, "climate": 0.1, "education": 1.0}, {"other": 1.0}):
        assert table(need) == {g.code: goal_strength(g, need) for g in goals}


def test_only_goals_out_of_reach_are_left_unrounded() -> None:
    rng = np.random.default_rng(2)
    goals = [StrategyGoal(f"g{i:02d}", {"en": str(i)}) for i in range(30)]
    for _ in range(200):
        # many near-ties around the fourth decimal
        scores = (0.5 + rng.integers(0, 8, size=30) * 4e-5 + rng.random(30) * 1e-5).tolist()
        scored = list(zip(scores, goals, strict=True))
        for limit in (0, 1, 5, 30):

            def top(candidates: list[tuple[float, StrategyGoal]], n: int = limit) -> list[str]:
                keys = sorted(((-round(s, 4), g.code) for s, g in candidates), key=itemgetter(0, 1))
                return [code for _, code in keys[:n]]

            assert top(_within_reach(scored, limit)) == top(scored)


def test_kept_listed_calls_equal_listing_afresh(tiny_index: MatchIndex) -> None:
    # round 1 of youth-mobility closes 2026-12-10 at 12:00 CET, round 2 opens 2027-02-01 at 00:00 CET
    moments = [
        datetime(2026, 11, 26, tzinfo=UTC),
        datetime(2026, 12, 10, 10, 59, tzinfo=UTC),
        datetime(2026, 12, 10, 11, 1, tzinfo=UTC),
        datetime(2026, 12, 10, 10, 0, tzinfo=UTC),
        datetime(2027, 1, 31, 22, 59, tzinfo=UTC),
        datetime(2027, 1, 31, 23, 0, tzinfo=UTC),
        datetime(2027, 3, 1, tzinfo=UTC),
        datetime(2026, 11, 26, tzinfo=UTC),
        datetime(2028, 1, 1, tzinfo=UTC),
    ]
    soon = tiny_index.settings.closing_soon_days
    for now in moments:
        for doc, calls in enumerate(tiny_index.calls_by_doc):
            assert tiny_index.listed_calls(doc, now) == listed_calls(calls, now, soon), now
