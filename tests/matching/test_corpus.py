"""Bulk counting in ``Corpus`` agrees with analysing each text on its own."""

from __future__ import annotations

from collections import Counter

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
