"""Over-long tokens: skipped by the analyzer, and the compound splitter's work stays bounded.

No timings: the work is counted (splitter calls, words reaching the splitter, terms indexed).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from app.matching import Lexicon, MatchIndex, answer_to_json, build_index, catalogue_from_document, need_from_body
from app.matching.compounds import MIN_PART, CompoundSplitter
from app.matching.text import MAX_WORD, Analyzer, is_word, words
from tests.matching.conftest import tiny_document

NOW = datetime(2026, 11, 26, tzinfo=UTC)
YOUTH_SV = {
    "title": "Ungdomsutbyte med Tyskland",
    "description": "Vi vill ordna ett ungdomsutbyte för unga i vår kommun.",
    "language": "sv",
}


@pytest.fixture
def split_lengths(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The length of every word any ``CompoundSplitter.split`` is asked about while the test runs."""
    seen: list[int] = []
    original = CompoundSplitter.split

    def spy(self: CompoundSplitter, word: str) -> tuple[str, ...]:
        seen.append(len(word))
        return original(self, word)

    monkeypatch.setattr(CompoundSplitter, "split", spy)
    yield seen


def test_tokens_over_the_cap_are_not_words() -> None:
    longest = "a" * MAX_WORD
    assert is_word(longest) and not is_word(longest + "a")
    assert words(f"ungdom {longest}a {longest}") == ["ungdom", longest]


def test_the_analyzer_gives_no_term_for_an_over_long_word(split_lengths: list[int]) -> None:
    analyzer = Analyzer(CompoundSplitter(["ungdom", "utbyte"], lambda w: w))
    huge = "ungdomsutbyte" * 1600
    assert analyzer.terms(f"ungdomsutbyte {huge}", "sv") == ["ungdomsutbyt", "ungdom", "utbyt"]
    assert analyzer.token(huge, "sv") is None
    assert max(split_lengths) <= MAX_WORD


def test_a_one_word_need_of_20000_letters_is_answered(tiny_index: MatchIndex, split_lengths: list[int]) -> None:
    huge = "ungdomsutbytesprojektet" * 870
    assert len(huge) >= 20_000
    body = {**YOUTH_SV, "description": huge}
    answer = tiny_index.match(need_from_body(body), now=NOW)
    data = answer_to_json(answer)
    assert data["need"]["language"] == "sv" and data["items"][0]["programme"]["code"] == "youth-mobility"
    assert max(split_lengths) <= MAX_WORD
    # the word is ignored: the answer is that of the need without a description
    plain = answer_to_json(tiny_index.match(need_from_body({**YOUTH_SV, "description": ""}), now=NOW))
    assert data == plain


def test_a_programme_with_a_30000_letter_word_builds_and_ranks_as_without_it(
    tiny_lexicon: Lexicon, tiny_index: MatchIndex, split_lengths: list[int]
) -> None:
    doc: dict[str, Any] = tiny_document()
    target = next(p for p in doc["programmes"] if p["code"] == "youth-mobility")
    huge = "ungdomsutbyte" * 2308
    assert len(huge) >= 30_000
    target["description"] = {lang: f"{text} {huge}" for lang, text in target["description"].items()}
    index = build_index(catalogue_from_document(doc, "test-1"), tiny_lexicon)
    assert max(split_lengths) <= MAX_WORD
    assert max(len(term) for term in index.text_index.vocabulary) <= MAX_WORD
    for body in (YOUTH_SV, {"title": "Youth exchanges", "description": "Young people meet abroad."}):
        need = need_from_body(body)
        assert answer_to_json(index.match(need, now=NOW)) == answer_to_json(tiny_index.match(need, now=NOW))


def counted_splitter(known: list[str]) -> tuple[CompoundSplitter, list[int]]:
    """A splitter (stems are the words themselves) whose ``_split`` calls are counted."""
    splitter = CompoundSplitter(known, lambda w: w)
    calls = [0]
    inner: Callable[..., tuple[str, ...]] = splitter._split

    def counting(*args: Any, **kwargs: Any) -> tuple[str, ...]:
        calls[0] += 1
        return inner(*args, **kwargs)

    splitter._split = counting  # type: ignore[method-assign]
    return splitter, calls


def test_splitting_a_60_letter_word_takes_a_bounded_number_of_steps() -> None:
    # every head is a known word and no tail is: an exhaustive search tries about n**4 / 24 splits
    splitter, calls = counted_splitter(["a" * n for n in range(MIN_PART, 60)])
    word = "a" * 59 + "b"
    assert splitter.split(word) == ()
    assert calls[0] <= 5 * len(word)


def reference_split(known: set[str], word: str, depth: int = 0) -> tuple[str, ...]:
    """The exhaustive search the splitter memoises (identity stems, so a stem is known when its word is)."""
    if len(word) < 2 * MIN_PART or depth > 3:
        return ()
    best: tuple[str, ...] = ()
    best_key: tuple[int, int] | None = None
    for i in range(MIN_PART, len(word) - MIN_PART + 1):
        head_word, tail = word[:i], word[i:]
        if head_word in known:
            head = head_word
        elif head_word.endswith("s") and head_word[:-1] in known and len(head_word) > MIN_PART:
            head = head_word[:-1]
        elif head_word + "a" in known:
            head = head_word + "a"
        elif head_word + "e" in known:
            head = head_word + "e"
        elif len(head_word) > MIN_PART and head_word in known:
            head = head_word
        else:
            continue
        if tail in known:
            parts: tuple[str, ...] = (head, tail)
        else:
            rest = reference_split(known, tail, depth + 1)
            if not rest:
                continue
            parts = (head, *rest)
        key = (len(parts), -min(len(p) for p in parts))
        if best_key is None or key < best_key:
            best, best_key = parts, key
    return best


def test_memoised_splits_equal_the_exhaustive_search() -> None:
    rng = random.Random(7)
    for _ in range(200):
        known = {"".join(rng.choice("abs") for _ in range(rng.randint(3, 5))) for _ in range(12)}
        splitter = CompoundSplitter(known, lambda w: w)
        for _ in range(20):
            word = "".join(rng.choice("abs") for _ in range(rng.randint(6, 22)))
            assert splitter.split(word) == reference_split(known, word), (sorted(known), word)
