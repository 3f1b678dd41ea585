"""Knowledge that bridges Swedish and English, read from the lexicon and the catalogue.

Two phrase tables, both keyed by ``(language, stem sequence)``:

- translations: each lexicon pair in both directions, plus every theme's
  Swedish and English names (``Unga`` <-> ``Youth``);
- theme patterns: every theme keyword and name, pointing to the themes that
  list it, weighted ``1 / number of themes`` so that shared words count less.

A translation also carries the themes its target phrase names, so an English
need reaches themes through Swedish-only keywords and the other way round.

A phrase with a one-letter word joined by a hyphen ("e-services", "e-tjänster")
is left out of both tables: words are at least two letters, so its key would
be the bare rest ("services", "tjänster"), a far more general phrase than the
one written.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.matching.lexicon import Lexicon
from app.matching.model import Theme
from app.matching.text import Analyzer

PhraseKey = tuple[str, tuple[str, ...]]
MAX_PHRASE = 4
# a one-letter word joined to another by a hyphen: "e-services", "ten-t"
_LOSSY = re.compile(r"(?<![^\W\d_])[^\W\d_]-[^\W_]|[^\W_]-[^\W\d_](?![^\W\d_])")


def lossy(phrase: str) -> bool:
    """Whether a phrase loses a hyphen-joined one-letter word on analysis (``e-tjänster``)."""
    return _LOSSY.search(phrase) is not None


@dataclass(frozen=True, slots=True)
class Translation:
    """``source`` (in the need's language) means ``target`` (in ``language``)."""

    source: str
    target: str
    language: str
    terms: tuple[str, ...]
    themes: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class PhraseEntry:
    """Everything one stem sequence means; all empty when it only starts longer phrases.

    ``terms`` and ``target_themes`` are the translations flattened for the
    query loop, in translation order: each target term with its label suffix
    (``" ~ "`` and the target), and each target theme with its weight.
    """

    themes: tuple[tuple[str, float], ...]
    translations: tuple[Translation, ...]
    terms: tuple[tuple[str, str], ...]
    target_themes: tuple[tuple[str, float], ...]


_PREFIX_ONLY = PhraseEntry((), (), (), ())


def other_language(language: str) -> str:
    return "en" if language == "sv" else "sv"


class Bridge:
    """Phrase lookup for cross-language expansion and theme inference."""

    def __init__(self, analyzer: Analyzer, lexicon: Lexicon, themes: Iterable[Theme]) -> None:
        themes = tuple(themes)
        patterns: dict[PhraseKey, set[str]] = defaultdict(set)
        for theme in themes:
            for lang, phrases in _theme_phrases(theme):
                for phrase in phrases:
                    if lossy(phrase):
                        continue
                    key = (lang, analyzer.phrase(phrase, lang))
                    if key[1] and len(key[1]) <= MAX_PHRASE:
                        patterns[key].add(theme.code)
        self._themes: dict[PhraseKey, dict[str, float]] = {
            key: {code: 1.0 / len(codes) for code in sorted(codes)} for key, codes in patterns.items()
        }
        pairs: list[tuple[str, str]] = list(lexicon.pairs)
        for theme in themes:
            sv, en = theme.name.get("sv"), theme.name.get("en")
            if sv and en:
                pairs.append((sv.lower(), en.lower()))
        table: dict[PhraseKey, dict[tuple[str, str], Translation]] = defaultdict(dict)
        for sv, en in pairs:
            if lossy(sv) or lossy(en):
                continue
            for src, src_lang, tgt, tgt_lang in ((sv, "sv", en, "en"), (en, "en", sv, "sv")):
                key = (src_lang, analyzer.phrase(src, src_lang))
                if not key[1] or len(key[1]) > MAX_PHRASE:
                    continue
                target_terms = tuple(dict.fromkeys(analyzer.terms(tgt, tgt_lang)))
                if target_terms and (src, tgt) not in table[key]:
                    themes_hit = self.themes_in(analyzer.phrase(tgt, tgt_lang), tgt_lang)
                    table[key][(src, tgt)] = Translation(src, tgt, tgt_lang, target_terms, themes_hit)
        self._translations: dict[PhraseKey, tuple[Translation, ...]] = {
            key: tuple(found.values()) for key, found in table.items()
        }
        # one lookup per span at query time: every prefix of a phrase of either table, with its meaning,
        # by language, then stem sequence
        self._entries: dict[str, dict[tuple[str, ...], PhraseEntry]] = defaultdict(dict)
        for lang, stems in (*self._themes, *self._translations):
            for n in range(1, len(stems) + 1):
                self._entries[lang][stems[:n]] = _PREFIX_ONLY
        for lang, entries in self._entries.items():
            for stems in entries:
                key = (lang, stems)
                themes_of, found = self._themes.get(key, {}), self._translations.get(key, ())
                if themes_of or found:
                    terms = tuple((term, f" ~ {tr.target}") for tr in found for term in tr.terms)
                    target_themes = tuple(pair for tr in found for pair in tr.themes.items())
                    entries[stems] = PhraseEntry(tuple(themes_of.items()), found, terms, target_themes)

    def entry(self, key: PhraseKey) -> PhraseEntry | None:
        """The themes and translations of ``key`` (empty for a bare prefix); None when no phrase starts so."""
        return self.entries(key[0]).get(key[1])

    def entries(self, language: str) -> Mapping[tuple[str, ...], PhraseEntry]:
        """``entry`` of every stem sequence of ``language``, by stem sequence (the query loop's lookups)."""
        return self._entries.get(language, {})

    def translations(self, key: PhraseKey) -> tuple[Translation, ...]:
        return self._translations.get(key, ())

    def theme_pattern(self, key: PhraseKey) -> Mapping[str, float]:
        return self._themes.get(key, {})

    def themes_in(self, stems: tuple[str, ...], language: str) -> dict[str, float]:
        """Theme evidence of every sub-phrase of ``stems``."""
        found: dict[str, float] = defaultdict(float)
        for i in range(len(stems)):
            for n in range(1, min(MAX_PHRASE, len(stems) - i) + 1):
                for code, weight in self._themes.get((language, stems[i : i + n]), {}).items():
                    found[code] += weight
        return dict(found)


def _theme_phrases(theme: Theme) -> list[tuple[str, Iterable[str]]]:
    out: list[tuple[str, Iterable[str]]] = [(lang, words) for lang, words in theme.keywords.items()]
    out.extend((lang, [name]) for lang, name in theme.name.items())
    return out
