"""A need, analysed: weighted query terms in both languages, and inferred themes.

The need's own words (title words count ``title_boost`` times, compound parts
``part_weight``) are stemmed in the need's language. Every phrase of the need
found in the bridge adds its translation's terms (``expansion_weight``, shared
among alternative translations) and its themes' evidence. Repeated evidence is
damped: a term's weight is ``1 + log(w)`` once ``w`` exceeds one, and a theme's
strength is ``1 - exp(-rate * evidence)``; themes given in the need have
strength 1. Labels remember where each term came from, for explanations.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.matching.bridge import MAX_PHRASE, Bridge, PhraseKey, Translation
from app.matching.model import Need
from app.matching.text import Analyzer, Token, detect_language
from app.matching.tuning import MatchSettings


@dataclass(frozen=True, slots=True)
class AnalysedNeed:
    language: str
    terms: tuple[str, ...]
    weights: tuple[float, ...]
    labels: Mapping[str, str]
    themes: Mapping[str, float]
    theme_words: Mapping[str, tuple[str, ...]]


def need_language(need: Need, vocabularies: dict[str, frozenset[str]]) -> str:
    """The need's language: as given (``sv-SE`` -> ``sv``), else detected."""
    if need.language:
        return need.language.split("-")[0].split("_")[0].lower()
    return detect_language(f"{need.title}\n{need.description}", vocabularies=vocabularies)


class _Collector:
    def __init__(self) -> None:
        self.weights: dict[str, float] = defaultdict(float)
        self.labels: dict[str, str] = {}
        self.evidence: dict[str, float] = defaultdict(float)
        self.theme_words: dict[str, dict[str, None]] = defaultdict(dict)

    def add(self, term: str, weight: float, label: str) -> None:
        self.weights[term] += weight
        self.labels.setdefault(term, label)

    def add_theme(self, code: str, weight: float, word: str) -> None:
        self.evidence[code] += weight
        self.theme_words[code].setdefault(word)


def analyse_need(
    need: Need,
    *,
    analyzer: Analyzer,
    bridge: Bridge,
    settings: MatchSettings,
    known_themes: Mapping[str, int],
    vocabularies: dict[str, frozenset[str]],
) -> AnalysedNeed:
    language = need_language(need, vocabularies)
    acc = _Collector()
    for text, boost in ((need.title, settings.title_boost), (need.description, 1.0)):
        tokens = analyzer.tokens(text, language)
        for tok in tokens:
            acc.add(tok.stem, boost, tok.surface)
            for part, word in zip(tok.parts, tok.part_words, strict=True):
                acc.add(part, boost * settings.part_weight, word)
        _bridge_phrases(tokens, language, boost, bridge, settings, acc)
    terms = tuple(sorted(acc.weights))
    weights = tuple(_damp(acc.weights[t]) for t in terms)
    themes = {
        code: 1.0 - math.exp(-settings.theme_rate * ev) for code, ev in acc.evidence.items() if code in known_themes
    }
    for code in need.themes:
        if code in known_themes:
            themes[code] = 1.0
    return AnalysedNeed(
        language=language,
        terms=terms,
        weights=weights,
        labels=dict(acc.labels),
        themes=dict(sorted(themes.items())),
        theme_words={code: tuple(words) for code, words in acc.theme_words.items()},
    )


def _damp(weight: float) -> float:
    return 1.0 + math.log(weight) if weight > 1.0 else weight


def _bridge_phrases(
    tokens: Sequence[Token],
    language: str,
    boost: float,
    bridge: Bridge,
    settings: MatchSettings,
    acc: _Collector,
) -> None:
    stems = [tok.stem for tok in tokens]
    spans: list[tuple[PhraseKey, float, str | tuple[int, int]]] = []
    for i in range(len(stems)):
        # only spans that start a known phrase are looked up; longer ones cannot match either
        for n in range(1, min(MAX_PHRASE, len(stems) - i) + 1):
            key = (language, tuple(stems[i : i + n]))
            if not bridge.may_start(key):
                break
            spans.append((key, boost, (i, n)))
        tok = tokens[i]
        # compound parts act as words of their own, a little weaker
        for part, word in zip(tok.parts, tok.part_words, strict=True):
            spans.append(((language, (part,)), boost * settings.part_weight, word))
    for key, weight, where in spans:
        themes = bridge.theme_pattern(key)
        found: tuple[Translation, ...] = bridge.translations(key)
        if not themes and not found:
            continue
        if isinstance(where, str):
            surface = where
        else:
            i, n = where
            surface = " ".join(t.surface for t in tokens[i : i + n])
        for code, share in themes.items():
            acc.add_theme(code, share * weight, surface)
        if not found:
            continue
        each = settings.expansion_weight * weight / len(found)
        for tr in found:
            label = f"{surface} ~ {tr.target}"
            for term in tr.terms:
                acc.add(term, each, label)
            for code, share in tr.themes.items():
                acc.add_theme(code, share * each, surface)
