"""Cross-language expansion and theme inference."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.matching import MatchIndex, Need, build_index, catalogue_from_document, load_lexicon
from app.matching.lexicon import parse_lexicon
from app.matching.query import AnalysedNeed, analyse_need
from tests.matching.bundled import CATALOGUE_DIR, load_bundled_document


def analyse(index: MatchIndex, need: Need) -> AnalysedNeed:
    return analyse_need(
        need,
        analyzer=index.analyzer,
        bridge=index.bridge,
        settings=index.settings,
        known_themes=index.features.theme_ids,
        vocabularies=index.vocabularies,
    )


def test_lexicon_skips_comments_blank_and_malformed_lines() -> None:
    text = "# comment\n\nungdom\tyouth\nno tab here\nLärare \t Teacher\n\tempty\n"
    assert parse_lexicon(text) == [("ungdom", "youth"), ("lärare", "teacher")]


def test_lexicon_folder_reads_every_tsv_once(tmp_path: Path) -> None:
    (tmp_path / "a.tsv").write_text("ungdom\tyouth\n", encoding="utf-8")
    (tmp_path / "b.tsv").write_text("ungdom\tyouth\nskola\tschool\n", encoding="utf-8")
    assert load_lexicon(tmp_path).pairs == (("ungdom", "youth"), ("skola", "school"))


def test_swedish_need_is_expanded_into_english(tiny_index: MatchIndex) -> None:
    analysed = analyse(tiny_index, Need(title="Ungdomsutbyte", description="Ett utbyte för ungdomar", language="sv"))
    weights = dict(zip(analysed.terms, analysed.weights, strict=True))
    assert "youth" in weights and "exchang" in weights
    assert analysed.labels["exchang"] == "ungdomsutbyte ~ youth exchange"


def test_english_need_is_expanded_into_swedish(tiny_index: MatchIndex) -> None:
    analysed = analyse(tiny_index, Need(title="Charging infrastructure", description="", language="en"))
    assert "laddinfrastruktur" in analysed.terms


def test_compound_parts_reach_translations(tiny_index: MatchIndex) -> None:
    analysed = analyse(tiny_index, Need(title="Lärarutbyte", description="", language="sv"))
    assert "teacher" in analysed.terms


def test_themes_are_inferred_from_keywords_in_either_language(tiny_index: MatchIndex) -> None:
    sv = analyse(tiny_index, Need(title="Fritidsgården", description="Ungdomar på fritidsgården", language="sv"))
    en = analyse(tiny_index, Need(title="Emissions", description="Cut emissions from cars", language="en"))
    assert sv.themes["youth"] > 0.5
    assert set(en.themes) == {"climate"}


def test_given_themes_have_full_strength(tiny_index: MatchIndex) -> None:
    analysed = analyse(tiny_index, Need(title="x", description="y", themes=("education", "unknown-theme")))
    assert analysed.themes == {"education": 1.0}


@pytest.fixture(scope="module")
def bundled_index() -> MatchIndex:
    if not any(CATALOGUE_DIR.glob("*.json")):
        pytest.skip("the bundled catalogue is not there")
    lexicon = load_lexicon(Path(__file__).resolve().parents[2] / "data" / "lexicon")
    return build_index(catalogue_from_document(load_bundled_document(), "dev"), lexicon)


def test_compound_parts_translate_only_when_they_are_words_themselves(bundled_index: MatchIndex) -> None:
    # "städvecka" splits into "städ" (only the stem of "städer", towns) and "vecka";
    # "kulturföreningsstöd" into the words "kultur" and "föreningsstöd"
    parts = {
        tok.surface: tok.part_words for tok in bundled_index.analyzer.tokens("städvecka kulturföreningsstöd", "sv")
    }
    assert parts == {"städvecka": ("städ", "vecka"), "kulturföreningsstöd": ("kultur", "föreningsstöd")}
    analysed = analyse(bundled_index, Need(title="Städvecka och kulturföreningsstöd", description="", language="sv"))
    translated = {label for label in analysed.labels.values() if " ~ " in label}
    assert not any(label.startswith("städ ~ ") for label in translated)
    assert "kultur ~ culture" in translated
    assert any(label.startswith("föreningsstöd ~ ") for label in translated)
