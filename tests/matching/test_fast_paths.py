"""The query-time shortcuts agree with the plain computations they replace."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
from scipy import sparse

from app.matching import MatchIndex
from app.matching import bm25 as bm25_module
from app.matching.bm25 import QueryMatrix
from app.matching.bridge import MAX_PHRASE
from app.matching.calls import listed_calls, listed_in_order, sort_key
from app.matching.goals import GoalStrengths, goal_strength
from app.matching.model import Call

CET = timezone(timedelta(hours=1))


def random_matrix(n_terms: int, n_docs: int, density: float, seed: int) -> sparse.csr_matrix:
    matrix = sparse.random(n_terms, n_docs, density=density, format="csr", dtype=np.float32, rng=seed)
    matrix.sort_indices()
    return matrix


def plain_scores(matrix: sparse.csr_matrix, ids: list[int], weights: list[float]) -> np.ndarray:
    """float32 sums, term by term in query order: the reference the index must reproduce exactly."""
    total = np.zeros(matrix.shape[1], dtype=np.float32)
    w = np.asarray(weights, dtype=np.float32)
    for row, term in enumerate(ids):
        start, end = matrix.indptr[term], matrix.indptr[term + 1]
        for doc, value in zip(matrix.indices[start:end], matrix.data[start:end], strict=True):
            total[doc] = np.float32(total[doc] + np.float32(value * w[row]))
    return total.astype(np.float64)


def plain_contributions(matrix: sparse.csr_matrix, ids: list[int], weights: list[float], doc: int) -> list[tuple]:
    w = np.asarray(weights, dtype=np.float32)
    dense = matrix.toarray()
    return [(row, dense[term, doc] * w[row]) for row, term in enumerate(ids) if dense[term, doc] != 0]


@pytest.mark.parametrize("row_search_from", [0, 10**9], ids=["row-by-row", "one-search"])
def test_query_scores_and_contributions_match_the_plain_sums(
    monkeypatch: pytest.MonkeyPatch, row_search_from: int
) -> None:
    monkeypatch.setattr(bm25_module, "_ROW_SEARCH_FROM", row_search_from)
    matrix = random_matrix(60, 40, 0.3, seed=7)
    rng = np.random.default_rng(3)
    for _ in range(20):
        ids = rng.choice(60, size=int(rng.integers(1, 25)), replace=False).tolist()
        weights = (rng.random(len(ids)) * 3).tolist()
        query = QueryMatrix(matrix, ids, weights)
        assert np.array_equal(query.scores(), plain_scores(matrix, ids, weights))
        docs = rng.choice(40, size=5, replace=False).tolist()
        for doc, (rows, values), ranked in zip(docs, query.contributions(docs), query.ranked_rows(docs), strict=True):
            expected = plain_contributions(matrix, ids, weights, doc)
            assert rows.tolist() == [row for row, _ in expected]
            assert values.tolist() == [float(v) for _, v in expected]
            by_size = sorted(range(len(expected)), key=lambda i: -expected[i][1])
            assert ranked == [expected[i][0] for i in by_size]


def test_a_query_without_known_terms_scores_nothing() -> None:
    query = QueryMatrix(random_matrix(5, 4, 0.5, seed=1), [], [])
    assert query.scores().tolist() == [0.0] * 4
    assert query.ranked_rows([0, 2]) == [[], []]


def test_bridge_entries_agree_with_the_phrase_tables(tiny_index: MatchIndex) -> None:
    bridge, analyzer = tiny_index.bridge, tiny_index.analyzer
    phrases = [(lang, kw) for t in tiny_index.catalogue.themes for lang, kws in t.keywords.items() for kw in kws]
    phrases += [("sv", "ungdomsutbyte"), ("en", "youth exchange"), ("en", "nothing here"), ("sv", "inget sådant")]
    keys = set()
    for lang, text in phrases:
        stems = analyzer.phrase(text, lang)
        keys.update((lang, stems[:n]) for n in range(1, len(stems) + 1))
    assert any(bridge.entry(key) for key in keys)
    for key in keys:
        entry = bridge.entry(key)
        if entry is not None:
            assert entry.translations == bridge.translations(key)
            assert dict(entry.themes) == dict(bridge.theme_pattern(key))
            assert len(key[1]) <= MAX_PHRASE


def test_listing_presorted_calls_equals_listing_with_a_sort() -> None:
    def call(code: str, deadline: str | None) -> Call:
        moment = datetime.fromisoformat(deadline).replace(tzinfo=CET) if deadline else None
        return Call(code=code, programme="p", title={"en": code}, deadline_at=moment)

    calls = [call("b", "2027-01-10T12:00"), call("a", None), call("c", "2026-12-01T12:00"), call("d", "2026-11-01")]
    now = datetime(2026, 11, 26, tzinfo=CET)
    assert listed_in_order(sorted(calls, key=sort_key), now, 30) == listed_calls(calls, now, 30)


def test_goal_strengths_equal_goal_strength_per_goal(tiny_index: MatchIndex) -> None:
    goals = tiny_index.catalogue.strategy_goals
    for need_themes in ({}, {"youth": 0.4}, {"youth": 0.9, "education": 0.2, "climate": 1.0}):
        assert GoalStrengths(goals)(need_themes) == {g.code: goal_strength(g, need_themes) for g in goals}
