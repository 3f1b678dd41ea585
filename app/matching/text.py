"""Text analysis for Swedish and English: tokens, stop words, stems, compounds, language.

An ``Analyzer`` turns text of a known language into index terms: lower-cased
word tokens without stop words, stemmed with the Snowball stemmer of that
language (PyStemmer), and for Swedish each compound word also yields the stems
of its known parts. Terms of all languages share one space: a Swedish stem and
an English stem are simply different strings. Tokens longer than ``MAX_WORD``
are not words and yield no term, which keeps the cost of a text linear in its length.

``detect_language`` decides between Swedish and English from stop words and
the letters å, ä, ö, with the catalogue's vocabularies as a tie-breaker.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import Stemmer

from app.matching.compounds import CompoundSplitter
from app.matching.stopwords import BY_LANGUAGE, ENGLISH, SWEDISH

TOKEN = re.compile(r"[^\W_]+")
# Each Latin-1 character: itself when ``TOKEN`` matches it, else a space. Nearly all catalogue text
# is Latin-1, and a translate and a split over it cost a third less than the regex.
_LATIN1_WORDS = bytes(code if TOKEN.fullmatch(chr(code)) else 0x20 for code in range(256))
_SNOWBALL = {
    "sv": "swedish",
    "en": "english",
    "da": "danish",
    "no": "norwegian",
    "nb": "norwegian",
    "nn": "norwegian",
    "de": "german",
    "fi": "finnish",
    "fr": "french",
    "es": "spanish",
    "it": "italian",
    "nl": "dutch",
    "pt": "portuguese",
}
_SWEDISH_LETTERS = frozenset("åäö")
# Snowball cuts Swedish "lärare" (teacher) to "lär", the stem of "lär sig" (learns) and "lärande":
# needs about older people who learn to use a phone then look like needs about teachers. The
# person noun keeps a stem of its own, in every form and compound ("yrkeslärarna").
_SV_TEACHER = re.compile(r"lärar(?:e|en|es|ens|na|nas)$")
# Longer tokens are not words (the longest in the bundled catalogue, lexicon and development set has 30
# letters): they are skipped, so no stemming or compound splitting ever sees them.
MAX_WORD = 64
# Entries per cache (a 20,000-programme catalogue needs 15,000). Only words of at most ``MAX_WORD`` letters
# are cached, so an entry of both caches together takes at most about 600 bytes (word, stem, ``Token``):
# 120 MB at worst, however many distinct words the needs bring.
_MAX_CACHE = 200_000


def tokens(lowered: str) -> list[str]:
    """The ``TOKEN`` matches of a lower-cased text, in order."""
    try:
        raw = lowered.encode("latin-1")
    except UnicodeEncodeError:
        return TOKEN.findall(lowered)
    return raw.translate(_LATIN1_WORDS).decode("latin-1").split()


def is_word(token: str) -> bool:
    """Whether a token is kept as a word: numbers, one-letter tokens and ones over ``MAX_WORD`` are not."""
    return 1 < len(token) <= MAX_WORD and not token.isdigit()


def words(text: str) -> list[str]:
    """Lower-cased word tokens, as ``is_word`` keeps them."""
    # ``is_word`` inlined: this runs on every token of every text
    return [w for w in tokens(text.lower()) if 1 < len(w) <= MAX_WORD and not w.isdigit()]


def detect_language(
    text: str,
    *,
    vocabularies: dict[str, frozenset[str]] | None = None,
    default: str = "sv",
) -> str:
    """``"sv"`` or ``"en"``: stop words and å/ä/ö first, then catalogue vocabulary."""
    tokens = words(text)
    sv = sum(1 for w in tokens if w in SWEDISH) + 2 * sum(1 for w in tokens if _SWEDISH_LETTERS & set(w))
    en = sum(1 for w in tokens if w in ENGLISH)
    if sv == en and vocabularies:
        sv = sum(1 for w in tokens if w in vocabularies.get("sv", frozenset()))
        en = sum(1 for w in tokens if w in vocabularies.get("en", frozenset()))
    if sv == en:
        return default
    return "sv" if sv > en else "en"


@dataclass(frozen=True, slots=True)
class Token:
    """One analysed word: surface form, stem, and its compound parts (stems and words, aligned)."""

    surface: str
    stem: str
    parts: tuple[str, ...] = ()
    part_words: tuple[str, ...] = ()


def _corrected(word: str, stem: str, language: str) -> str:
    """Snowball's stem, or ours where Snowball conflates words (``_SV_TEACHER``)."""
    if language == "sv" and stem.endswith("lär"):
        return _SV_TEACHER.sub("lärar", word) if _SV_TEACHER.search(word) else stem
    return stem


class Analyzer:
    """Language-aware analysis with per-word memoisation; safe to share between threads."""

    def __init__(
        self, splitter: CompoundSplitter | None = None, names: Mapping[str, frozenset[str]] | None = None
    ) -> None:
        self._splitter = splitter
        # per language, proper names that are their own stem and never split (``index.shadowed_names``)
        self._names = dict(names or {})
        self._stemmers: dict[str, Stemmer.Stemmer] = {}
        self._stems: dict[tuple[str, str], str] = {}
        self._tokens: dict[tuple[str, str], Token | None] = {}
        self._lock = threading.Lock()

    # A built index crosses process boundaries (a rebuild in a child process): the lock and the
    # stemmers (C objects) are made anew on the other side; the memoised words travel.
    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("_lock", "_stemmers")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _lock=threading.Lock(), _stemmers={})

    def _stemmer(self, algorithm: str) -> Stemmer.Stemmer:
        stemmer = self._stemmers.get(algorithm)
        if stemmer is None:
            stemmer = self._stemmers[algorithm] = Stemmer.Stemmer(algorithm)
        return stemmer

    @property
    def known_words(self) -> frozenset[str]:
        """The words the compound splitter knows (empty without one)."""
        return self._splitter.known_words if self._splitter is not None else frozenset()

    def stems(self, words: Sequence[str], language: str) -> list[str]:
        """``stem`` of each word; the words not seen before are stemmed in one call."""
        new = [w for w in dict.fromkeys(words) if (language, w) not in self._stems]
        if not new:
            return [self._stems[(language, w)] for w in words]
        algorithm = _SNOWBALL.get(language)
        if algorithm is None:
            found = new
        else:
            with self._lock:
                found = self._stemmer(algorithm).stemWords(new)
        names = self._names.get(language, frozenset())
        fresh = {w: w if w in names else _corrected(w, stem, language) for w, stem in zip(new, found, strict=True)}
        room = max(0, _MAX_CACHE - len(self._stems))
        self._stems.update(((language, w), fresh[w]) for w in new[:room] if len(w) <= MAX_WORD)
        return [fresh[w] if w in fresh else self._stems[(language, w)] for w in words]

    def analyse(self, words: Sequence[str], language: str) -> list[Token | None]:
        """``token`` of each word, with the stems of new words computed in bulk first."""
        stop = BY_LANGUAGE.get(language, frozenset())
        self.stems(
            [w for w in words if len(w) <= MAX_WORD and w not in stop and (language, w) not in self._tokens], language
        )
        return [self.token(w, language) for w in words]

    def stem(self, word: str, language: str) -> str:
        key = (language, word)
        cached = self._stems.get(key)
        if cached is not None:
            return cached
        algorithm = _SNOWBALL.get(language)
        if algorithm is None or word in self._names.get(language, ()):
            stem = word
        else:
            with self._lock:
                stem = _corrected(word, self._stemmer(algorithm).stemWord(word), language)
        if len(self._stems) < _MAX_CACHE and len(word) <= MAX_WORD:
            self._stems[key] = stem
        return stem

    def token(self, word: str, language: str) -> Token | None:
        """The analysis of one lower-cased word, or ``None`` for a stop word or a token over ``MAX_WORD``."""
        if len(word) > MAX_WORD:
            return None
        key = (language, word)
        if key in self._tokens:
            return self._tokens[key]
        result: Token | None = None
        if word not in BY_LANGUAGE.get(language, frozenset()):
            stem = self.stem(word, language)
            aligned: dict[str, str] = {}
            if language == "sv" and self._splitter is not None and word not in self._names.get(language, ()):
                for part_word in self._splitter.split(word):
                    aligned.setdefault(self.stem(part_word, language), part_word)
            aligned.pop(stem, None)
            result = Token(word, stem, tuple(aligned), tuple(aligned.values()))
        if len(self._tokens) < _MAX_CACHE:
            self._tokens[key] = result
        return result

    def tokens(self, text: str, language: str) -> list[Token]:
        out = []
        cache = self._tokens
        for word in words(text):
            key = (language, word)
            tok = cache[key] if key in cache else self.token(word, language)
            if tok is not None:
                out.append(tok)
        return out

    def terms(self, text: str, language: str) -> list[str]:
        """Index terms of ``text``: each token's stem followed by its parts' stems."""
        out: list[str] = []
        for tok in self.tokens(text, language):
            out.append(tok.stem)
            out.extend(tok.parts)
        return out

    def count_terms(self, text: str, language: str, counts: Counter[str]) -> None:
        """Add the index terms of ``text`` to ``counts`` (each distinct word analysed once)."""
        for word, n in Counter(words(text)).items():
            tok = self.token(word, language)
            if tok is not None:
                counts[tok.stem] += n
                for part in tok.parts:
                    counts[part] += n

    def phrase(self, text: str, language: str) -> tuple[str, ...]:
        """The stem sequence of a short phrase (stop words dropped, no compound parts)."""
        return tuple(tok.stem for tok in self.tokens(text, language))

    def terms_any(self, text: str, languages: Iterable[str]) -> list[str]:
        """Terms of text whose language is unknown: the union over ``languages``, per word."""
        out: list[str] = []
        for word in words(text):
            seen: list[str] = []
            for lang in languages:
                tok = self.token(word, lang)
                if tok is None:
                    seen = []
                    break
                for t in (tok.stem, *tok.parts):
                    if t not in seen:
                        seen.append(t)
            out.extend(seen)
        return out
