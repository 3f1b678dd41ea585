"""The matching engine: ranked, explained, bilingual funding suggestions.

Pure: standard library plus text-analysis libraries (PyStemmer, numpy, scipy);
no web framework, database or settings imports. Frozen dataclasses in and out.

Module map
- ``model``       catalogue and need records
- ``document``    contract documents -> records (``catalogue_from_document``, ``need_from_body``)
- ``text``        tokens (words of at most ``MAX_WORD`` letters), stop words (``stopwords``), Snowball
                  stems, language detection
- ``compounds``   Swedish compound splitting against the catalogue's vocabulary
- ``corpus``      bulk analysis of the catalogue's texts into per-field term counts
- ``lexicon``     the sv<->en domain lexicon (``load_lexicon``)
- ``bridge``      phrase tables: translations and theme patterns
- ``query``       a need analysed into weighted terms in both languages and theme strengths
- ``bm25``        field-weighted BM25 as a sparse term x document matrix
- ``columns``     weighted sums of columns of a sparse matrix, in one C call (text and feature scores)
- ``features``    theme/pillar/goal matrices and hard-rule masks
- ``eligibility`` hard and soft rules, and ``programme_active``; ``calls`` call status
                  (``call_status``, at a moment) and listing. The catalogue API uses these two too.
- ``indexed``     ``IndexedCatalogue``: the built index's data, which ``ranking`` reads
- ``ranking``     scoring, candidate selection, explanations; ``goals`` strategy goals
- ``explain``     sv/en wording; ``answer`` output records and their JSON
- ``index``       ``build_index`` and ``MatchIndex`` (an ``IndexedCatalogue`` that ranks with
                  ``ranking``); ``tuning`` the ``MatchSettings``

No import circles: ``index`` imports ``ranking`` and ``indexed``, ``ranking`` imports ``indexed``
(``tests/matching/test_imports.py`` checks every import, lazy or ``TYPE_CHECKING`` ones too).
"""

from app.matching.answer import (
    CallSuggestion,
    GoalSuggestion,
    MatchAnswer,
    MatchItem,
    ProgrammeRef,
    ScoreBreakdown,
    answer_to_json,
)
from app.matching.document import catalogue_from_document, need_from_body
from app.matching.index import MatchIndex, build_index
from app.matching.lexicon import Lexicon, load_lexicon
from app.matching.model import Call, Catalogue, Need, Partners, Programme
from app.matching.text import detect_language
from app.matching.tuning import FieldWeights, MatchSettings

__all__ = [
    "Call",
    "CallSuggestion",
    "Catalogue",
    "FieldWeights",
    "GoalSuggestion",
    "Lexicon",
    "MatchAnswer",
    "MatchIndex",
    "MatchItem",
    "MatchSettings",
    "Need",
    "Partners",
    "Programme",
    "ProgrammeRef",
    "ScoreBreakdown",
    "answer_to_json",
    "build_index",
    "catalogue_from_document",
    "detect_language",
    "load_lexicon",
    "need_from_body",
]
