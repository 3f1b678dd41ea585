"""Build the match index of one catalogue version: analysis, BM25F, features, masks.

``build_index`` does all the work that depends only on the catalogue and the
lexicon (vocabularies, compound splitter, bridge, the term-document matrix,
feature matrices); ``MatchIndex.match`` then ranks one need at a time and is
safe to call from several threads. See ``ranking.py`` for the scoring.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date

from app.matching.answer import MatchAnswer
from app.matching.bm25 import TermIndex
from app.matching.bridge import Bridge
from app.matching.calls import sort_key
from app.matching.compounds import CompoundSplitter
from app.matching.features import EligibilityMasks, ProgrammeFeatures
from app.matching.lexicon import Lexicon
from app.matching.model import Call, Catalogue, Need, Programme, Text, Theme
from app.matching.ranking import rank
from app.matching.stopwords import BY_LANGUAGE
from app.matching.text import Analyzer, words
from app.matching.tuning import MatchSettings

_BOTH = ("sv", "en")
_FIELDS = ("name", "keywords", "themes", "description", "calls", "funder")


def _texts(catalogue: Catalogue, lexicon: Lexicon) -> dict[str, list[str]]:
    """All catalogue and lexicon text by language (keywords of unknown language under "")."""
    by_lang: dict[str, list[str]] = defaultdict(list)

    def add(text: Text) -> None:
        for lang, value in text.items():
            by_lang[lang].append(value)

    for p in catalogue.programmes:
        add(p.name)
        add(p.description)
        by_lang[""].extend(p.keywords)
    for c in catalogue.calls:
        add(c.title)
        add(c.description)
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


def _word_sets(texts: Mapping[str, list[str]]) -> dict[str, set[str]]:
    """The distinct words of each language's texts (one regex pass over each language)."""
    return {lang: set(words("\n".join(values))) for lang, values in texts.items()}


def _programme_fields(
    programme: Programme,
    calls: Iterable[Call],
    themes: Mapping[str, Theme],
    funder_names: Mapping[str, Text],
    analyzer: Analyzer,
) -> dict[str, Counter[str]]:
    fields: dict[str, Counter[str]] = {name: Counter() for name in _FIELDS}

    def add(field: str, text: Text) -> None:
        for lang, value in text.items():
            analyzer.count_terms(value, lang, fields[field])

    add("name", programme.name)
    add("description", programme.description)
    for keyword in programme.keywords:
        fields["keywords"].update(analyzer.terms_any(keyword, _BOTH))
    for code in programme.themes:
        if code in themes:
            add("themes", themes[code].name)
    for call in calls:
        add("calls", call.title)
        add("calls", call.description)
    add("funder", funder_names.get(programme.funder, {}))
    return fields


def build_index(catalogue: Catalogue, lexicon: Lexicon, settings: MatchSettings | None = None) -> MatchIndex:
    """Analyse and index ``catalogue``; the result is immutable and reusable."""
    settings = settings or MatchSettings()
    word_sets = _word_sets(_texts(catalogue, lexicon))
    sv_words, en_words = word_sets.get("sv", set()), word_sets.get("en", set())
    plain = Analyzer()
    splitter = CompoundSplitter(
        (sv_words | word_sets.get("", set())) - BY_LANGUAGE["sv"], lambda w: plain.stem(w, "sv")
    )
    analyzer = Analyzer(splitter)
    bridge = Bridge(analyzer, lexicon, catalogue.themes)

    themes = {t.code: t for t in catalogue.themes}
    funders = {f.code: f.name for f in catalogue.funders}
    calls_of: dict[str, list[Call]] = defaultdict(list)
    for call in catalogue.calls:
        calls_of[call.programme].append(call)
    programmes = tuple(catalogue.programmes)
    documents = (_programme_fields(p, calls_of.get(p.code, ()), themes, funders, analyzer) for p in programmes)
    weights = settings.fields
    text_index = TermIndex(documents, {f: getattr(weights, f) for f in _FIELDS}, k1=settings.k1, b=settings.b)
    del documents
    features = ProgrammeFeatures(
        programmes,
        themes=[t.code for t in catalogue.themes],
        pillars=[*(p.code for p in catalogue.pillars), *(c for p in programmes for c in p.pillars)],
        goals=[g.code for g in catalogue.strategy_goals],
        position_decay=settings.theme_position_decay,
    )
    return MatchIndex(
        catalogue=catalogue,
        settings=settings,
        analyzer=analyzer,
        bridge=bridge,
        text_index=text_index,
        features=features,
        masks=EligibilityMasks(programmes),
        calls_of={code: tuple(sorted(calls, key=sort_key)) for code, calls in calls_of.items()},
        vocabularies={"sv": frozenset(sv_words - en_words), "en": frozenset(en_words - sv_words)},
    )


class MatchIndex:
    """The ranked-suggestion engine for one catalogue version."""

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        settings: MatchSettings,
        analyzer: Analyzer,
        bridge: Bridge,
        text_index: TermIndex,
        features: ProgrammeFeatures,
        masks: EligibilityMasks,
        calls_of: Mapping[str, tuple[Call, ...]],
        vocabularies: dict[str, frozenset[str]],
    ) -> None:
        self.catalogue = catalogue
        self.settings = settings
        self.analyzer = analyzer
        self.bridge = bridge
        self.text_index = text_index
        self.features = features
        self.masks = masks
        self.calls_of = calls_of
        self.vocabularies = vocabularies
        self.programmes = tuple(catalogue.programmes)
        self.themes = {t.code: t for t in catalogue.themes}
        self.pillars = {p.code: p for p in catalogue.pillars}
        self.goals = {g.code: g for g in catalogue.strategy_goals}

    def match(
        self,
        need: Need,
        *,
        today: date,
        limit: int = 10,
        include_ineligible: bool = False,
        display_language: str | None = None,
    ) -> MatchAnswer:
        """The ``limit`` best programmes for ``need``, best first, ties by code."""
        return rank(
            self,
            need,
            today=today,
            limit=limit,
            include_ineligible=include_ineligible,
            display_language=display_language,
        )
