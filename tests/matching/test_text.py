"""Tokenisation, stop words, stemming, compound splitting and language detection."""

from __future__ import annotations

import random

from app.matching.compounds import CompoundSplitter
from app.matching.text import TOKEN, Analyzer, detect_language, tokens, words

KNOWN = [
    "ungdom",
    "utbyte",
    "energi",
    "effektivisering",
    "ladda",
    "infrastruktur",
    "skola",
    "gård",
    "lärare",
    "barn",
    "konventionen",
]


def splitter() -> CompoundSplitter:
    plain = Analyzer()
    return CompoundSplitter(KNOWN, lambda w: plain.stem(w, "sv"))


def test_words_are_lower_cased_and_drop_numbers_and_single_letters() -> None:
    assert words("EU-projekt för 20 ungdomar, i Borlänge!") == ["eu", "projekt", "för", "ungdomar", "borlänge"]


def test_stop_words_are_dropped_and_words_stemmed_per_language() -> None:
    analyzer = Analyzer()
    assert analyzer.terms("Vi vill ordna utbyten för ungdomar", "sv") == ["ordn", "utbyt", "ungdom"]
    assert analyzer.terms("We want to organise youth exchanges", "en") == ["organis", "youth", "exchang"]


def test_linking_s_compound_splits_into_known_parts() -> None:
    assert splitter().split("ungdomsutbyte") == ("ungdom", "utbyte")


def test_plain_compound_splits_into_known_parts() -> None:
    assert splitter().split("energieffektivisering") == ("energi", "effektivisering")


def test_dropped_final_vowel_is_restored_in_the_first_part() -> None:
    assert splitter().split("skolgården") == ("skola", "gården")
    assert splitter().split("laddinfrastruktur") == ("ladda", "infrastruktur")


def test_words_without_known_parts_are_not_split() -> None:
    assert splitter().split("kommunens") == ()
    assert splitter().split("samarbete") == ()


def test_swedish_token_carries_its_parts_stems() -> None:
    token = Analyzer(splitter()).token("ungdomsutbytet", "sv")
    assert token is not None
    assert token.parts == ("ungdom", "utbyt")
    assert token.part_words == ("ungdom", "utbytet")


def test_english_words_are_never_split() -> None:
    token = Analyzer(splitter()).token("schoolyard", "en")
    assert token is not None and token.parts == ()


def test_language_detection_by_stop_words_and_swedish_letters() -> None:
    assert detect_language("Vi vill starta ett ungdomsutbyte med vår vänort") == "sv"
    assert detect_language("We would like to host volunteers in our homework club") == "en"
    assert detect_language("Laddstolpar vid resecentrum") == "sv"


def test_language_detection_falls_back_to_catalogue_vocabulary() -> None:
    vocab = {"sv": frozenset({"laddstolpar"}), "en": frozenset({"charging", "stations"})}
    assert detect_language("charging stations", vocabularies=vocab) == "en"
    assert detect_language("", vocabularies=vocab, default="sv") == "sv"


def test_tokens_are_the_regex_matches_for_latin1_and_other_text() -> None:
    # every Latin-1 character alone and among letters, then random mixes that also hold
    # characters beyond Latin-1 (which take the regex path)
    latin1 = [chr(code) for code in range(256)]
    for char in latin1:
        text = f"ab{char}cd {char}"
        assert tokens(text) == TOKEN.findall(text), repr(char)
    rng = random.Random(3)
    alphabet = [*latin1, "ł", "ő", "\u212a", "\u2003", "€", "ﬁ", "²", "٣"]
    for _ in range(2000):
        text = "".join(rng.choices(alphabet, k=rng.randint(0, 40))).lower()
        assert tokens(text) == TOKEN.findall(text), repr(text)


def test_tokens_split_on_punctuation_underscores_and_odd_spaces() -> None:
    assert tokens("ungdoms-utbyte,år_2027\xa0och\x85fair-trade") == [
        "ungdoms",
        "utbyte",
        "år",
        "2027",
        "och",
        "fair",
        "trade",
    ]


def test_teachers_are_not_stemmed_to_learning() -> None:
    analyzer = Analyzer()
    teacher = {analyzer.stem(w, "sv") for w in ("lärare", "läraren", "lärarna", "lärares")}
    assert teacher == {"lärar"}
    assert analyzer.stems(["lärarnas", "lär", "lärande"], "sv") == ["lärar", "lär", "lär"]
    assert analyzer.stem("yrkeslärarna", "sv") == "yrkeslärar"
    assert analyzer.stem("teachers", "en") == "teacher"
