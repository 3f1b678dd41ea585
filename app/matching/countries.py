"""Countries named in a need's text, in Swedish or English, as nouns or adjectives.

Names come from CLDR through ``babel`` (every territory with a two-letter code,
in Swedish and in English). CLDR has no adjectives, so those, a few other
names ("Holland", "England"), phrases that only look like countries ("New
Jersey"), and context words are a small hand-kept list in
``data/lexicon/countries/`` (``load_country_words``).

A text is read in its own language only (the need's language, given or
detected). Rules for ambiguous words:

- a name is matched with the capitals CLDR gives it ("Turkey", not "turkey");
- an adjective that is also a language's name ("tyska", "German") counts only
  when a word follows that is not a stop word, a language or a language word
  ("tyska skolor" is Germany, "lektioner i tyska" is not);
- a name marked ``unless`` is not that country when one of the given words
  appears anywhere in the text ("Georgia" with "Atlanta" is the US state);
- a country after a ``before`` phrase ("refugees from Ukraine", "people from
  Ukraine") or an adjective before an ``after`` word ("ukrainska flyktingar") is
  where people come from, not where partners are; so is every country listed
  right after it ("members from Somalia and Eritrea").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from babel import Locale

from app.matching.stopwords import BY_LANGUAGE

LANGUAGES = ("sv", "en")
# CLDR codes that are not countries: the EU, the euro area, the UN, outlying Oceania, test and unknown
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
# Swedish adjectives inflect: tysk, tyska, tyskt, (den) tyske
_SV_ENDINGS = ("", "a", "t", "e")
_MAX_PHRASE = 5
# what may stand between the countries of one list (commas are not tokens)
_LIST_WORDS = frozenset({"och", "eller", "samt", "and", "or"})


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    """Every country and territory code CLDR names (ISO 3166-1 alpha-2, and XK for Kosovo)."""
    territories = Locale("en").territories
    codes = (str(c) for c in territories)
    return frozenset(c for c in codes if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES)


@lru_cache(maxsize=len(LANGUAGES))
def country_names(language: str) -> Mapping[str, str]:
    """Code -> the country's name in ``language`` (sv or en), from CLDR."""
    territories = Locale(language).territories
    return {code: territories[code] for code in sorted(country_codes())}


@lru_cache(maxsize=len(LANGUAGES))
def _language_names(language: str) -> frozenset[str]:
    return frozenset(name.casefold() for name in Locale(language).languages.values())


@dataclass(frozen=True, slots=True)
class CountryWords:
    """The hand-kept part: ``(kind, language, code, form)`` rows; code is "-" where none applies."""

    rows: tuple[tuple[str, str, str, str], ...] = ()

    def __len__(self) -> int:
        return len(self.rows)


def parse_country_words(text: str) -> list[tuple[str, str, str, str]]:
    """Rows of ``kind<TAB>language<TAB>code<TAB>form|form|...``; ``#`` comments and blank lines are skipped."""
    rows: list[tuple[str, str, str, str]] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = [p.strip() for p in line.split("\t")]
        if len(parts) < 4:
            continue
        kind, language, code = parts[0], parts[1], parts[2]
        rows.extend((kind, language, code, form.strip()) for form in parts[3].split("|") if form.strip())
    return rows


def load_country_words(path: Path) -> CountryWords:
    """Every ``*.tsv`` under ``path`` (a folder) in file-name order, or one file; none: empty."""
    files = sorted(path.glob("*.tsv")) if path.is_dir() else [path] if path.is_file() else []
    rows: dict[tuple[str, str, str, str], None] = {}
    for file in files:
        rows.update(dict.fromkeys(parse_country_words(file.read_text(encoding="utf-8"))))
    return CountryWords(tuple(rows))


def _tokens(phrase: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(phrase))


@dataclass(slots=True)
class _Language:
    names: dict[tuple[str, ...], str] = field(default_factory=dict)  # exact capitals
    adjectives: dict[str, str] = field(default_factory=dict)  # casefolded single words
    shadows: set[tuple[str, ...]] = field(default_factory=set)  # casefolded
    unless: dict[str, frozenset[str]] = field(default_factory=dict)  # code -> words, capitals as written
    before: set[tuple[str, ...]] = field(default_factory=set)  # casefolded
    after: set[str] = field(default_factory=set)  # casefolded
    firsts: set[str] = field(default_factory=set)  # casefolded first words of longer phrases
    languages: frozenset[str] = frozenset()  # casefolded language names ("tyska", "german")
    stop_words: frozenset[str] = frozenset()


class CountryFinder:
    """Finds the countries a text names; built once per index, read by many threads."""

    def __init__(self, words: CountryWords) -> None:
        self._by_language: dict[str, _Language] = {}
        for language in LANGUAGES:
            lang = _Language(languages=_language_names(language), stop_words=BY_LANGUAGE[language])
            for code, name in country_names(language).items():
                lang.names.setdefault(_tokens(name), code)
            self._by_language[language] = lang
        unless: dict[tuple[str, str], set[str]] = {}
        for kind, language, code, form in words.rows:
            found = self._by_language.get(language)
            if found is None:
                continue
            lang = found
            tokens = _tokens(form)
            folded = tuple(t.casefold() for t in tokens)
            if kind == "name" and code in country_codes():
                lang.names[tokens] = code
            elif kind == "adjective" and code in country_codes() and len(tokens) == 1:
                endings = _SV_ENDINGS if language == "sv" else ("",)
                for ending in endings:
                    lang.adjectives.setdefault(folded[0] + ending, code)
            elif kind == "shadow":
                lang.shadows.add(folded)
            elif kind == "unless":
                unless.setdefault((language, code), set()).update(tokens)
            elif kind == "before":
                lang.before.add(folded)
            elif kind == "after":
                lang.after.update(folded)
        for (language, code), cues in unless.items():
            self._by_language[language].unless[code] = frozenset(cues)
        for lang in self._by_language.values():
            for phrase in [*lang.names, *lang.shadows]:
                if len(phrase) > 1:
                    lang.firsts.add(phrase[0].casefold())

    def find(self, texts: Iterable[str], language: str) -> tuple[str, ...]:
        """The codes of the countries the texts name, in order of first mention, each once."""
        lang = self._by_language.get(language)
        if lang is None:
            return ()
        found: dict[str, None] = {}
        for text in texts:
            tokens = list(_tokens(text))
            folded = [t.casefold() for t in tokens]
            present = set(tokens)
            origin_end = -1  # where the last country that people come from ended
            i = 0
            while i < len(tokens):
                code, length = self._match(lang, tokens, folded, i)
                size = abs(length)
                if code is not None:
                    listed = origin_end >= 0 and all(w in _LIST_WORDS for w in folded[origin_end:i])
                    origin = listed or self._is_origin(lang, folded, i, length)
                    if origin or self._excluded(lang, code, folded, i, length, present):
                        origin_end = i + size if origin else -1
                    else:
                        found.setdefault(code)
                        origin_end = -1
                i += size
        return tuple(found)

    def _match(self, lang: _Language, tokens: list[str], folded: list[str], i: int) -> tuple[str | None, int]:
        """(code or None, tokens used) at position ``i``: the longest phrase first."""
        longest = min(_MAX_PHRASE, len(tokens) - i) if folded[i] in lang.firsts else 1
        for length in range(longest, 0, -1):
            if tuple(folded[i : i + length]) in lang.shadows:
                return None, length
            phrase = tuple(tokens[i : i + length])
            code = lang.names.get(phrase)
            if code is None and phrase[-1].endswith("s"):  # Swedish genitive: Tysklands, Bosnien och Hercegovinas
                code = lang.names.get((*phrase[:-1], phrase[-1][:-1]))
            if code is not None:
                return code, -length  # negative: a name (not an adjective)
        adjective = lang.adjectives.get(folded[i])
        # Swedish writes adjectives in lower case, English with a capital
        if adjective is not None and (tokens[i][0].isupper() or lang.stop_words is BY_LANGUAGE["sv"]):
            return adjective, 1
        return None, 1

    def _is_origin(self, lang: _Language, folded: list[str], i: int, length: int) -> bool:
        """Whether the country at ``i`` says where people come from ("refugees from Syria")."""
        if any(tuple(folded[max(0, i - n) : i]) in lang.before for n in (1, 2, 3)):
            return True
        end = i + abs(length)
        return length > 0 and end < len(folded) and folded[end] in lang.after

    def _excluded(self, lang: _Language, code: str, folded: list[str], i: int, length: int, present: set[str]) -> bool:
        """Whether the word at ``i`` is not the country for another reason than origin (``_is_origin``)."""
        is_name = length < 0
        size = abs(length)
        cues = lang.unless.get(code)
        if is_name and cues and cues & present:
            return True
        if is_name:
            return False
        following = folded[i + size] if i + size < len(folded) else None
        if folded[i] in lang.languages:
            return following is None or following in lang.stop_words or following in lang.languages
        return False
