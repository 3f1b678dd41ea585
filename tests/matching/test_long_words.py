"""Over-long words: the compound splitter's work stays bounded (counted, not timed)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from app.matching.compounds import MIN_PART, CompoundSplitter


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
