"""A need, analysed: weighted query terms in both languages, and inferred themes.

The need's own words (title words count ``title_boost`` times, compound parts
``part_weight``) are stemmed in the need's language. At each word, the longest
bridge phrase that starts there adds its translation's terms (``expansion_weight``,
shared among alternative translations) and its themes' evidence; the shorter
phrases it contains from that word do not add theirs ("job shadowing" is
education, not also "job" as employment). Repeated evidence is
damped: a term's weight is ``1 + log(w)`` once ``w`` exceeds one, and a theme's
strength is ``1 - exp(-rate * evidence)``; themes given in the need have
strength 1. Labels remember where each term came from, for explanations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import exp, log

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


def need_language(need: Need, vocabularies: dict[str, frozenset[str]]) -> str:
    """The need's language: as given (``sv-SE`` -> ``sv``), else detected."""
    if need.language:
        return need.language.split("-")[0].split("_")[0].lower()
    return detect_language(f"{need.title}\n{need.description}", vocabularies=vocabularies)


class _Collector:
    """Term weights, labels and theme evidence, summed in the order they are found."""

    __slots__ = ("evidence", "labels", "weights")

    def __init__(self) -> None:
        self.weights: dict[str, float] = {}
        self.labels: dict[str, str] = {}
        self.evidence: dict[str, float] = {}

    def add_entry(self, entry: PhraseEntry, weight: float, surface: str, expansion_weight: float) -> None:
        """A bridge phrase found in the need: its themes, then its translations' terms and themes.

        Inlined dictionary updates: this is the analysis' inner loop.
        """
        evidence = self.evidence
        for code, share in entry.themes:
            evidence[code] = evidence.get(code, 0.0) + share * weight
        if not entry.translations:
            return
        each = expansion_weight * weight / len(entry.translations)
        weights, labels = self.weights, self.labels
        for term, suffix in entry.terms:
            weights[term] = weights.get(term, 0.0) + each
            if term not in labels:
                labels[term] = surface + suffix
        for code, share in entry.target_themes:
            evidence[code] = evidence.get(code, 0.0) + share * each


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
        _bridge_phrases(tokens, language, boost, bridge, settings, acc, analyzer.known_words)
    terms = tuple(sorted(weights))
    rate = settings.theme_rate
    themes = {code: 1.0 - exp(-rate * ev) for code, ev in acc.evidence.items() if code in known_themes}
    for code in need.themes:
        if code in known_themes:
            themes[code] = 1.0
    return AnalysedNeed(
        language=language,
        terms=terms,
        # repeated evidence damped: 1 + log(w) once w exceeds one
        weights=tuple([1.0 + log(w) if w > 1.0 else w for w in map(weights.__getitem__, terms)]),
        labels=labels,
        themes=dict(sorted(themes.items())),
    )


def _bridge_phrases(
    tokens: Sequence[Token],
    language: str,
    boost: float,
    bridge: Bridge,
    settings: MatchSettings,
    acc: _Collector,
    known_words: frozenset[str],
) -> None:
    """At each word, in order, the longest bridge phrase that starts there, then the word's compound parts."""
    entry_of = bridge.entries(language).get
    add_entry = acc.add_entry
    expansion = settings.expansion_weight
    part_boost = boost * settings.part_weight
    stems = [tok.stem for tok in tokens]
    count = len(stems)
    for i, tok in enumerate(tokens):
        # only spans that start a known phrase are looked up; longer ones cannot match either
        entry = entry_of((tok.stem,))
        if entry is not None:
            longest, length = (entry, 1) if entry.themes or entry.translations else (None, 0)
            for n in range(2, min(MAX_PHRASE, count - i) + 1):
                entry = entry_of(tuple(stems[i : i + n]))
                if entry is None:
                    break
                if entry.themes or entry.translations:
                    longest, length = entry, n
            if longest is not None:
                add_entry(longest, boost, " ".join(t.surface for t in tokens[i : i + length]), expansion)
        # compound parts act as words of their own, a little weaker; only parts that are words in
        # their own right: a part known only as a stem ("städ" in "städdag", the stem of "städer")
        # would translate as that other word ("towns")
        if tok.parts:
            for part, word in zip(tok.parts, tok.part_words, strict=True):
                if word not in known_words:
                    continue
                entry = entry_of((part,))
                if entry is not None and (entry.themes or entry.translations):
                    add_entry(entry, part_boost, word, expansion)
