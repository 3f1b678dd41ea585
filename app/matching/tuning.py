"""Tuning of the engine, passed in as an argument (never read from the environment).

The defaults are the values measured best on the development set
(``tests/matching/dev_needs.jsonl``, see ``benchmarks/quality.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FieldWeights:
    """BM25F weights of the programme fields."""

    name: float = 3.0
    keywords: float = 2.5
    themes: float = 1.5
    description: float = 1.0
    calls: float = 0.6
    funder: float = 0.5


@dataclass(frozen=True, slots=True)
class MatchSettings:
    """Weights and thresholds of the ranking; all scores end up in 0..1."""

    fields: FieldWeights = field(default_factory=FieldWeights)
    k1: float = 1.2
    b: float = 0.6
    # the need's own words: title words count this many times a description word
    title_boost: float = 2.0
    # a compound's parts count this much next to the whole word
    part_weight: float = 0.5
    # translated words (lexicon, theme keywords) count this much next to the original
    expansion_weight: float = 0.7
    # the text score is divided by max(best document score, share * ideal score)
    text_reference_share: float = 0.35
    # score = weighted sum of the components below (they add up to 1)
    w_text: float = 0.5
    w_themes: float = 0.3
    w_pillars: float = 0.1
    w_goals: float = 0.1
    # each soft-rule warning lowers the score by this much
    soft_penalty: float = 0.04
    # a programme whose partner list leaves out a partner country the need names loses this much: it
    # cannot fund the project as planned (0.1 left such programmes above the ones made for those partners)
    partner_penalty: float = 0.3
    # a programme with a specific partner list (not every country of this group) that covers them gains this
    partner_credit: float = 0.06
    broad_partner_group: str = "eu"
    # a programme that funds work across borders loses this much for a need that plans none (``abroad``)
    abroad_penalty: float = 0.06
    # a programme mainly made for the need's kind of applicant (its first eligible applicant) gains this
    main_applicant_credit: float = 0.05
    # a budget within a grant range whose largest grant is at most small_grant_max_eur gains this
    small_grant_credit: float = 0.03
    small_grant_max_eur: int = 60_000
    # calls closing within this many days are flagged
    closing_soon_days: int = 30
    # theme inference from text: strength = 1 - exp(-rate * evidence); 0.8 until the theme keywords were
    # tripled, when more words count as evidence and 0.5-0.6 measured best
    theme_rate: float = 0.5
    # programme themes listed first weigh more: weight = 1 / (1 + decay * position)
    theme_position_decay: float = 0.15
    max_matched_words: int = 6
    max_strategy_goals: int = 5
