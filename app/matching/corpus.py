"""Bulk analysis of many texts: each text tokenised once, each distinct word analysed once.

``Corpus.add`` tokenises one text (``text.tokens``, one pass) into integer word ids;
``Corpus.counts`` then gives a field's (document, term, count) arrays: the
distinct words of each language are analysed once by the ``Analyzer``
(stemmed in bulk) into a word -> terms table, and the rest is sorting and
summing numpy arrays, with no Python loop over tokens. The counts equal what
``Analyzer.count_terms`` gives text by text; keywords of unknown language
(``ANY_LANGUAGE``) get ``Analyzer.terms_any``'s union of Swedish and English.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from app.matching.text import Analyzer, is_word, tokens

ANY_LANGUAGE = "*"
_ANY = ("sv", "en")
_FLUSH = 4_000_000
_CHUNK = 2_000_000
_NO_LIMIT = int(np.iinfo(np.int64).max)
_SHIFT = np.int64(32)
_LOW = np.int64(0xFFFFFFFF)
Int64Array = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class FieldCounts:
    """Term counts of one field, sorted by document then term; pairs are distinct."""

    docs: npt.NDArray[np.int32]
    terms: npt.NDArray[np.int32]
    counts: npt.NDArray[np.float32]


class _WordIds(dict[str, int]):
    """Word -> id, assigning the next id to a new word (``map(ids.__getitem__, ...)`` stays in C)."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []

    def __missing__(self, word: str) -> int:
        self[word] = len(self.words)
        self.words.append(word)
        return self[word]


@dataclass
class _Group:
    """The texts of one (field, language): pending token ids, and flushed (document, word) counts."""

    ids: array[int] = field(default_factory=lambda: array("i"))
    docs: array[int] = field(default_factory=lambda: array("i"))
    lengths: array[int] = field(default_factory=lambda: array("i"))
    keys: list[Int64Array] = field(default_factory=list)
    counts: list[Int64Array] = field(default_factory=list)

    def flush(self) -> None:
        if not self.ids:
            return
        doc = np.repeat(
            np.frombuffer(self.docs, dtype=np.int32).astype(np.int64), np.frombuffer(self.lengths, np.int32)
        )
        keys, counts = np.unique((doc << _SHIFT) | np.frombuffer(self.ids, dtype=np.int32), return_counts=True)
        self.keys.append(keys)
        self.counts.append(counts.astype(np.int64))
        self.ids, self.docs, self.lengths = array("i"), array("i"), array("i")

    def pairs(self) -> tuple[Int64Array, Int64Array]:
        """(document << 32 | word, count), keys distinct and sorted."""
        self.flush()
        if not self.keys:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        if len(self.keys) > 1:
            # merged once and kept: both ``Corpus.words`` and ``Corpus.counts`` ask
            if all(a[-1] < b[0] for a, b in zip(self.keys, self.keys[1:], strict=False)):
                # flushed in document order (each document's text in one flush): nothing to sum
                keys, counts = np.concatenate(self.keys), np.concatenate(self.counts)
            else:
                keys, counts = _sum_by_key(np.concatenate(self.keys), np.concatenate(self.counts))
            self.keys, self.counts = [keys], [counts]
        return self.keys[0], self.counts[0]


@dataclass(frozen=True)
class _Expansion:
    """One (field, language) group's (document, word) pairs, and the terms of each of its words."""

    keys: Int64Array
    counts: Int64Array
    words: Int64Array
    starts: Int64Array
    terms: Int64Array

    def expand(self, lo: int, hi: int) -> tuple[Int64Array, Int64Array]:
        """(document << 32 | term, count) of the pairs ``lo:hi``: one entry per term of each word."""
        keys = self.keys[lo:hi]
        row = np.searchsorted(self.words, keys & _LOW)
        n = self.starts[row + 1] - self.starts[row]
        offsets = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
        terms = self.terms[np.repeat(self.starts[row], n) + offsets].astype(np.int64)
        return (np.repeat(keys >> _SHIFT, n) << _SHIFT) | terms, np.repeat(self.counts[lo:hi], n)


def _sum_by_key(keys: Int64Array, values: Int64Array) -> tuple[Int64Array, Int64Array]:
    unique, inverse = np.unique(keys, return_inverse=True)
    return unique, np.bincount(inverse, weights=values, minlength=unique.size).astype(np.int64)


class Corpus:
    """Texts by field and language, tokenised on arrival; documents are non-negative ints."""

    def __init__(self) -> None:
        self._ids = _WordIds()
        self._groups: dict[tuple[str, str], _Group] = {}
        self._words: list[str] | None = None
        self.vocabulary: dict[str, int] = {}

    def add(self, field: str, language: str, doc: int, text: str) -> None:
        if self._words is not None:
            raise RuntimeError("the corpus is sealed: no text can be added once words or counts were read")
        group = self._groups.get((field, language))
        if group is None:
            group = self._groups[(field, language)] = _Group()
        found = tokens(text.lower())
        group.ids.extend(map(self._ids.__getitem__, found))
        group.docs.append(doc)
        group.lengths.append(len(found))
        if len(group.ids) > _FLUSH:
            group.flush()

    def _seal(self) -> list[str]:
        """The words, as fresh copies: the first occurrences, scattered among freed tokens, are let go.

        Holding them would pin much of the memory the tokens once used.
        """
        if self._words is None:
            self._words = [w.encode().decode() for w in self._ids.words]
            self._ids = _WordIds()
        return self._words

    def words(self, fields: Iterable[str]) -> dict[str, set[str]]:
        """The distinct words (as ``text.words`` keeps them) of ``fields``, by language."""
        wanted = set(fields)
        out: dict[str, set[str]] = {}
        for (name, language), group in self._groups.items():
            if name in wanted:
                known = out.setdefault(language, set())
                known.update(w for w in self._words_of(group) if is_word(w))
        return out

    def _words_of(self, group: _Group) -> list[str]:
        keys, _ = group.pairs()
        words = self._seal()
        return [words[i] for i in np.unique(keys & _LOW).tolist()]

    def counts(self, field: str, analyzer: Analyzer) -> FieldCounts:
        """Index-term counts of ``field`` per document; new terms join ``vocabulary``."""
        groups: list[_Expansion] = []
        for (name, language), group in sorted(self._groups.items()):
            if name != field:
                continue
            keys, counts = group.pairs()
            words = np.unique(keys & _LOW)
            starts, terms = self._table(words.tolist(), language, analyzer)
            groups.append(_Expansion(keys, counts, words, starts, terms))
        if not groups:
            empty = np.zeros(0, dtype=np.int32)
            return FieldCounts(empty, empty, np.zeros(0, dtype=np.float32))
        # Expanded by ranges of documents (about ``_CHUNK`` pairs each), so that the temporaries grow
        # with a range, not with the field: at 100,000 programmes the descriptions would need 3 GiB.
        largest = max(groups, key=lambda g: g.keys.size).keys
        limits = [*((np.unique(largest[_CHUNK::_CHUNK] >> _SHIFT) << _SHIFT).tolist()), _NO_LIMIT]
        begins = [0] * len(groups)
        doc_parts: list[npt.NDArray[np.int32]] = []
        term_parts: list[npt.NDArray[np.int32]] = []
        count_parts: list[npt.NDArray[np.float32]] = []
        for limit in limits:
            expanded = []
            for i, expansion in enumerate(groups):
                end = int(expansion.keys.searchsorted(limit))
                expanded.append(expansion.expand(begins[i], end))
                begins[i] = end
            merged, sums = _sum_by_key(
                np.concatenate([k for k, _ in expanded]), np.concatenate([c for _, c in expanded])
            )
            doc_parts.append((merged >> _SHIFT).astype(np.int32))
            term_parts.append((merged & _LOW).astype(np.int32))
            count_parts.append(sums.astype(np.float32))
        return FieldCounts(np.concatenate(doc_parts), np.concatenate(term_parts), np.concatenate(count_parts))

    def _table(self, word_ids: list[int], language: str, analyzer: Analyzer) -> tuple[Int64Array, Int64Array]:
        """Per word (in ``word_ids`` order): start offsets into the flat term ids of its terms."""
        all_words = self._seal()
        words = [all_words[i] for i in word_ids]
        valid = [w for w in words if is_word(w)]
        if language == ANY_LANGUAGE:
            tokens = [dict(zip(valid, analyzer.analyse(valid, lang), strict=True)) for lang in _ANY]
            term_lists = []
            for w in words:
                found = [by_word.get(w) for by_word in tokens]
                terms: dict[str, None] = {}
                for tok in found:
                    if tok is None:
                        terms = {}
                        break
                    terms.update(dict.fromkeys((tok.stem, *tok.parts)))
                term_lists.append(list(terms))
        else:
            analysed = dict(zip(valid, analyzer.analyse(valid, language), strict=True))
            term_lists = []
            for w in words:
                tok = analysed.get(w)
                term_lists.append([tok.stem, *tok.parts] if tok is not None else [])
        vocabulary = self.vocabulary
        flat = [vocabulary.setdefault(t, len(vocabulary)) for terms in term_lists for t in terms]
        starts = np.zeros(len(term_lists) + 1, dtype=np.int64)
        np.cumsum([len(terms) for terms in term_lists], out=starts[1:])
        return starts, np.asarray(flat, dtype=np.int64)
