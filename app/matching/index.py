"""Build the match index of one catalogue version: analysis, BM25F, features, masks.

``build_index`` does all the work that depends only on the catalogue and the
lexicon (vocabularies, compound splitter, bridge, the term-document matrix,
feature matrices); ``MatchIndex.match`` then ranks one need at a time and is
safe to call from several threads. See ``ranking.py`` for the scoring.
"""

from __future__ import annotations

import ctypes
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from functools import partial

from app.matching.answer import MatchAnswer
from app.matching.bm25 import TermIndex
from app.matching.bridge import Bridge
from app.matching.calls import sort_key
from app.matching.compounds import CompoundSplitter
from app.matching.corpus import ANY_LANGUAGE, Corpus
from app.matching.countries import LANGUAGES as COUNTRY_LANGUAGES
from app.matching.countries import CountryFinder, country_names
from app.matching.features import EligibilityMasks, ProgrammeFeatures
from app.matching.indexed import IndexedCatalogue
from app.matching.lexicon import Lexicon
from app.matching.model import Call, Catalogue, Need, Text
from app.matching.ranking import rank
from app.matching.stopwords import BY_LANGUAGE
from app.matching.text import Analyzer, words
from app.matching.tuning import MatchSettings

_STRAY_CALLS = "stray-calls"
_FIELDS = ("name", "keywords", "themes", "description", "calls", "funder")


def _small_texts(catalogue: Catalogue, lexicon: Lexicon) -> dict[str, list[str]]:
    """Theme, goal and lexicon text by language (the vocabulary beyond the programmes and calls)."""
    by_lang: dict[str, list[str]] = defaultdict(list)

    def add(text: Text) -> None:
        for lang, value in text.items():
            by_lang[lang].append(value)

    for t in catalogue.themes:
        add(t.name)
        for lang, kws in t.keywords.items():
            by_lang[lang].extend(kws)
    for g in catalogue.strategy_goals:
        add(g.name)
        add(g.description)
    for sv, en in lexicon.pairs:
        by_lang["sv"].append(sv)
        by_lang["en"].append(en)
    return by_lang


def _corpus(catalogue: Catalogue, funder_names: Mapping[str, Text]) -> Corpus:
    """Every programme field's texts, tokenised; calls of unknown programmes only lend words."""
    corpus = Corpus()
    add = corpus.add
    themes = {t.code: t for t in catalogue.themes}
    docs = {p.code: d for d, p in enumerate(catalogue.programmes)}
    for d, p in enumerate(catalogue.programmes):
        for lang, value in p.name.items():
            add("name", lang, d, value)
        for lang, value in p.description.items():
            add("description", lang, d, value)
        for keyword in p.keywords:
            add("keywords", ANY_LANGUAGE, d, keyword)
        for code in p.themes:
            if code in themes:
                for lang, value in themes[code].name.items():
                    add("themes", lang, d, value)
        for lang, value in funder_names.get(p.funder, {}).items():
            add("funder", lang, d, value)
    for call in catalogue.calls:
        owner = docs.get(call.programme)
        field, doc = ("calls", owner) if owner is not None else (_STRAY_CALLS, 0)
        for text in (call.title, call.description):
            for lang, value in text.items():
                add(field, lang, doc, value)
    return corpus


def build_index(catalogue: Catalogue, lexicon: Lexicon, settings: MatchSettings | None = None) -> MatchIndex:
    """Analyse and index ``catalogue``; the result is immutable and reusable."""
    settings = settings or MatchSettings()
    funders = {f.code: f.name for f in catalogue.funders}
    corpus = _corpus(catalogue, funders)
    word_sets = corpus.words(("name", "description", "calls", _STRAY_CALLS))
    for lang, texts in _small_texts(catalogue, lexicon).items():
        word_sets.setdefault(lang, set()).update(words("\n".join(texts)))
    keywords = corpus.words(("keywords",)).get(ANY_LANGUAGE, set())
    sv_words, en_words = word_sets.get("sv", set()), word_sets.get("en", set())
    plain = Analyzer()
    known = sorted((sv_words | keywords) - BY_LANGUAGE["sv"])
    plain.stems(known, "sv")
    splitter = CompoundSplitter(known, partial(plain.stem, language="sv"))
    analyzer = Analyzer(splitter, shadowed_names(plain, word_sets))
    bridge = Bridge(analyzer, lexicon, catalogue.themes)

    weights = settings.fields
    text_index = TermIndex(
        corpus.vocabulary,
        len(catalogue.programmes),
        {f: corpus.counts(f, analyzer) for f in _FIELDS},
        {f: getattr(weights, f) for f in _FIELDS},
        k1=settings.k1,
        b=settings.b,
    )
    del corpus
    catalogue = _without_long_texts(catalogue)
    calls_of: dict[str, list[Call]] = defaultdict(list)
    for call in catalogue.calls:
        calls_of[call.programme].append(call)
    programmes = tuple(catalogue.programmes)
    features = ProgrammeFeatures(
        programmes,
        themes=[t.code for t in catalogue.themes],
        pillars=[*(p.code for p in catalogue.pillars), *(c for p in programmes for c in p.pillars)],
        goals=[g.code for g in catalogue.strategy_goals],
        position_decay=settings.theme_position_decay,
    )
    index = MatchIndex(
        catalogue=catalogue,
        settings=settings,
        analyzer=analyzer,
        bridge=bridge,
        text_index=text_index,
        features=features,
        masks=EligibilityMasks(programmes),
        calls_of={code: tuple(sorted(calls, key=sort_key)) for code, calls in calls_of.items()},
        vocabularies={"sv": frozenset(sv_words - en_words), "en": frozenset(en_words - sv_words)},
        countries=CountryFinder(lexicon.countries),
    )
    _release_freed_memory()
    return index


def shadowed_names(plain: Analyzer, word_sets: Mapping[str, set[str]]) -> dict[str, frozenset[str]]:
    """Per language, the one-word country names whose Snowball stem another known word shares ("Ungern",
    Hungary, is cut to "ung", the stem of "unga", young). They keep their own stem, so that a partner
    country does not read as that word; the other names keep theirs ("Italien" and "Italy" share one)."""
    found: dict[str, frozenset[str]] = {}
    for language in COUNTRY_LANGUAGES:
        names = sorted({name.casefold() for name in country_names(language).values() if name.isalpha()})
        by_stem = dict(zip(plain.stems(names, language), names, strict=True))
        known = sorted(word_sets.get(language, ()))
        found[language] = frozenset(
            name
            for word, stem in zip(known, plain.stems(known, language), strict=True)
            if (name := by_stem.get(stem)) is not None and not word.startswith(name)
        )
    return found


def _without_long_texts(catalogue: Catalogue) -> Catalogue:
    """The catalogue without what only the text index needed (descriptions, keywords), so that the
    index does not keep every text alive: at 100,000 programmes they are most of its memory."""
    return replace(
        catalogue,
        programmes=tuple(replace(p, description={}, keywords=()) for p in catalogue.programmes),
        calls=tuple(replace(c, description={}) for c in catalogue.calls),
    )


def _release_freed_memory() -> None:
    """Hand the build's freed scratch memory back to the system (glibc only; elsewhere a no-op).

    The build's temporary arrays are freed, but glibc keeps most of that heap
    mapped behind the long-lived index, which would count as resident memory
    for the life of the process.
    """
    try:
        libc = ctypes.CDLL(None)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


class MatchIndex(IndexedCatalogue):
    """The ranked-suggestion engine for one catalogue version."""

    def match(
        self,
        need: Need,
        *,
        now: datetime,
        limit: int = 10,
        include_ineligible: bool = False,
        display_language: str | None = None,
    ) -> MatchAnswer:
        """The ``limit`` best programmes for ``need`` at the (timezone-aware) moment ``now``, best first,
        ties by code. Call status follows the moment; the programme period and the closing-soon flag
        follow its day, ``now.date()``."""
        return rank(
            self,
            need,
            now=now,
            limit=limit,
            include_ineligible=include_ineligible,
            display_language=display_language,
        )
