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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.matching.bridge import MAX_PHRASE, Bridge, PhraseEntry
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
    """Term weights, labels and theme evidence, summed in the order they are found."""

    __slots__ = ("evidence", "labels", "theme_words", "weights")

    def __init__(self) -> None:
        self.weights: dict[str, float] = {}
        self.labels: dict[str, str] = {}
        self.evidence: dict[str, float] = {}
        self.theme_words: dict[str, dict[str, None]] = {}

    def add_entry(self, entry: PhraseEntry, weight: float, surface: str, expansion_weight: float) -> None:
        """A bridge phrase found in the need: its themes, then each translation's terms and themes.

        Inlined dictionary updates: this is the analysis' inner loop.
        """
        evidence, theme_words = self.evidence, self.theme_words
        for code, share in entry.themes:
            evidence[code] = evidence.get(code, 0.0) + share * weight
            words = theme_words.get(code)
            if words is None:
                theme_words[code] = {surface: None}
            else:
                words.setdefault(surface)
        found = entry.expansions
        if not found:
            return
        each = expansion_weight * weight / len(found)
        weights, labels = self.weights, self.labels
        for suffix, terms, themes in found:
            label = surface + suffix
            for term in terms:
                weights[term] = weights.get(term, 0.0) + each
                labels.setdefault(term, label)
            for code, share in themes:
                evidence[code] = evidence.get(code, 0.0) + share * each
                words = theme_words.get(code)
                if words is None:
                    theme_words[code] = {surface: None}
                else:
                    words.setdefault(surface)


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
    weights, labels = acc.weights, acc.labels
    for text, boost in ((need.title, settings.title_boost), (need.description, 1.0)):
        tokens = analyzer.tokens(text, language)
        part_boost = boost * settings.part_weight
        for tok in tokens:
            stem = tok.stem
            weights[stem] = weights.get(stem, 0.0) + boost
            labels.setdefault(stem, tok.surface)
            if tok.parts:
                for part, word in zip(tok.parts, tok.part_words, strict=True):
                    weights[part] = weights.get(part, 0.0) + part_boost
                    labels.setdefault(part, word)
        _bridge_phrases(tokens, language, boost, bridge, settings, acc)
    terms = tuple(sorted(weights))
    rate = settings.theme_rate
    themes = {code: 1.0 - math.exp(-rate * ev) for code, ev in acc.evidence.items() if code in known_themes}
    for code in need.themes:
        if code in known_themes:
            themes[code] = 1.0
    return AnalysedNeed(
        language=language,
        terms=terms,
        weights=tuple([_damp(weights[t]) for t in terms]),
        labels=labels,
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
    """Every span of the need that is a bridge phrase, in order: by start, shorter first, then compound parts."""
    entry_of = bridge.entry
    add_entry = acc.add_entry
    expansion = settings.expansion_weight
    part_boost = boost * settings.part_weight
    stems = [tok.stem for tok in tokens]
    count = len(stems)
    for i, tok in enumerate(tokens):
        # only spans that start a known phrase are looked up; longer ones cannot match either
        entry = entry_of((language, (tok.stem,)))
        if entry is not None:
            if entry.themes or entry.translations:
                add_entry(entry, boost, tok.surface, expansion)
            for n in range(2, min(MAX_PHRASE, count - i) + 1):
                entry = entry_of((language, tuple(stems[i : i + n])))
                if entry is None:
                    break
                if entry.themes or entry.translations:
                    add_entry(entry, boost, " ".join(t.surface for t in tokens[i : i + n]), expansion)
        # compound parts act as words of their own, a little weaker
        if tok.parts:
            for part, word in zip(tok.parts, tok.part_words, strict=True):
                entry = entry_of((language, (part,)))
                if entry is not None and (entry.themes or entry.translations):
                    add_entry(entry, part_boost, word, expansion)
