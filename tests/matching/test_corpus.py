"""Bulk counting in ``Corpus`` agrees with analysing each text on its own."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from app.matching import corpus as corpus_module
from app.matching.corpus import ANY_LANGUAGE, Corpus
from app.matching.text import Analyzer

TEXTS = [
    ("description", "sv", 0, "Ungdomsutbyte och ungdomsutbyten med vänorten; ungdomar möts, unga lär."),
    ("description", "en", 0, "Youth exchanges between twin towns, youth workers and young people."),
    ("description", "sv", 1, "Energieffektivisering i kommunens lokaler och energieffektiva skolor."),
    ("description", "en", 2, "The the and of: stop words only, plus 2027 and x."),
    ("keywords", ANY_LANGUAGE, 1, "klimat climate klimatanpassning adaptation"),
    ("description", "sv", 3, ""),
]


def expected(analyzer: Analyzer, language: str, text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    if language == ANY_LANGUAGE:
        counts.update(analyzer.terms_any(text, ("sv", "en")))
    else:
        analyzer.count_terms(text, language, counts)
    return counts


def test_corpus_counts_equal_per_text_counts() -> None:
    analyzer = Analyzer()
    corpus = Corpus()
    for field, language, doc, text in TEXTS:
        corpus.add(field, language, doc, text)
    for field in ("description", "keywords"):
        counts = corpus.counts(field, analyzer)
        terms = {term_id: term for term, term_id in corpus.vocabulary.items()}
        got: dict[int, Counter[str]] = {}
        for doc, term, n in zip(counts.docs.tolist(), counts.terms.tolist(), counts.counts.tolist(), strict=True):
            got.setdefault(doc, Counter())[terms[term]] += int(n)
        want: dict[int, Counter[str]] = {}
        for f, language, doc, text in TEXTS:
            if f == field:
                want.setdefault(doc, Counter()).update(expected(analyzer, language, text))
        assert {d: c for d, c in got.items() if c} == {d: c for d, c in want.items() if c}, field


def _filled(texts: list[tuple[str, str, int, str]]) -> Corpus:
    corpus = Corpus()
    for field, language, doc, text in texts:
        corpus.add(field, language, doc, text)
    return corpus


@pytest.mark.parametrize("shuffled", [False, True], ids=["in-document-order", "shuffled"])
def test_counts_in_small_flushes_and_document_ranges_equal_counts_in_one_go(
    monkeypatch: pytest.MonkeyPatch, shuffled: bool
) -> None:
    # many documents in both languages, so that tiny limits cut the work into many flushes and ranges;
    # shuffled, a document's texts land in several flushes, whose counts must then be summed
    texts = [
        (field, language, doc, f"{text} dokument{doc % 7} document{doc % 5}")
        for doc in range(40)
        for field, language, _, text in TEXTS
        if doc % 3 or field == "description"
    ]
    if shuffled:
        random.Random(5).shuffle(texts)
    whole = _filled(texts)
    whole_words = whole.words(("description", "keywords"))
    wanted = {field: whole.counts(field, Analyzer()) for field in ("description", "keywords")}

    monkeypatch.setattr(corpus_module, "_FLUSH", 5)
    monkeypatch.setattr(corpus_module, "_CHUNK", 7)
    cut = _filled(texts)
    assert cut.words(("description", "keywords")) == whole_words
    for field, want in wanted.items():
        got = cut.counts(field, Analyzer())
        keys = got.docs.astype(np.int64) << 32 | got.terms
        assert (np.diff(keys) > 0).all(), "pairs sorted by document, then term, each once"
        for column in ("docs", "terms", "counts"):
            assert np.array_equal(getattr(got, column), getattr(want, column)), (field, column)
    assert cut.vocabulary == whole.vocabulary
