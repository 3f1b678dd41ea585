"""Swedish compound splitting against a known vocabulary.

``ungdomsutbyte`` -> ``ungdom`` + ``utbyte``; ``energieffektivisering`` ->
``energi`` + ``effektivisering``. A split is accepted only when every part is
a known word (or a known word's stem), optionally joined by the linking ``s``
or with a dropped final ``a``/``e`` on the first part (``skolgård`` ->
``skola`` + ``gård``). Fewer parts win, then the most balanced split.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

MIN_PART = 3
_MAX_DEPTH = 3
# The cache is capped by entries and by the letters of its words: ``split`` takes words of any length.
_MAX_CACHE = 200_000
_MAX_CACHE_LETTERS = 4_000_000


class CompoundSplitter:
    """Splits words into known parts; results are memoised, ``()`` means no split."""

    def __init__(self, known_words: Iterable[str], stem: Callable[[str], str]) -> None:
        self._known = frozenset(w for w in known_words if len(w) >= MIN_PART and w.isalpha())
        self._stem = stem
        self._stems = frozenset(s for s in (stem(w) for w in self._known) if len(s) >= MIN_PART + 1)
        self._cache: dict[str, tuple[str, ...]] = {}
        self._cached_letters = 0

    @property
    def known_words(self) -> frozenset[str]:
        return self._known

    def split(self, word: str) -> tuple[str, ...]:
        """The known parts of ``word`` (at least two), or ``()`` when it is not a compound."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        parts = self._split(word, 0, 0, {})
        if len(self._cache) < _MAX_CACHE and self._cached_letters + len(word) <= _MAX_CACHE_LETTERS:
            self._cache[word] = parts
            self._cached_letters += len(word)
        return parts

    def _split(
        self, word: str, start: int, depth: int, memo: dict[tuple[int, int], tuple[str, ...]]
    ) -> tuple[str, ...]:
        """The best split of ``word[start:]``; ``memo`` holds the suffixes already split at each depth,
        so each (start, depth) is solved once: at most ``len(word)`` * 5 calls, each a loop over the word."""
        if len(word) - start < 2 * MIN_PART or depth > _MAX_DEPTH:
            return ()
        best: tuple[str, ...] = ()
        best_key: tuple[int, int] | None = None
        for i in range(start + MIN_PART, len(word) - MIN_PART + 1):
            head = self._as_head(word[start:i])
            if head is None:
                continue
            tail = word[i:]
            if self._is_known(tail):
                parts: tuple[str, ...] = (head, tail)
            else:
                rest = memo.get((i, depth + 1))
                if rest is None:
                    rest = memo[(i, depth + 1)] = self._split(word, i, depth + 1, memo)
                if not rest:
                    continue
                parts = (head, *rest)
            key = (len(parts), -min(len(p) for p in parts))
            if best_key is None or key < best_key:
                best, best_key = parts, key
        return best

    def _is_known(self, word: str) -> bool:
        return word in self._known or (len(word) >= MIN_PART and self._stem(word) in self._stems)

    def _as_head(self, head: str) -> str | None:
        if head in self._known:
            return head
        if head.endswith("s") and head[:-1] in self._known and len(head) > MIN_PART:
            return head[:-1]
        for vowel in ("a", "e"):
            if head + vowel in self._known:
                return head + vowel
        if len(head) > MIN_PART and head in self._stems:
            return head
        return None
