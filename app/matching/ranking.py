"""Score, filter, rank and explain: one need against an ``IndexedCatalogue`` (a built ``MatchIndex``).

score = w_text * text + w_themes * themes + w_pillars * pillars + w_goals * goals
        - soft_penalty * (penalised warnings), clipped to 0..1, where

- text is the BM25F score divided by ``max(best score, share * ideal score)``:
  1 for the best document when it covers a fair share of the query;
- themes is the cosine of the need's theme strengths with the programme's themes;
- pillars is 1 when a pillar is shared; goals the need's mean strength over
  the programme's strategy goals.

Only programmes with some evidence (score above 0) are suggested. Soft rules
only lower scores, so they are evaluated on a candidate set that grows until
nothing outside it could still reach the top ``limit``.
Order: score rounded to 4 decimals, highest first, then programme code.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter

import numpy as np
import numpy.typing as npt

from app.matching.answer import CallSuggestion, MatchAnswer, MatchItem, ProgrammeRef, ScoreBreakdown
from app.matching.bm25 import QueryMatrix
from app.matching.calls import ListedCall, has_call_in_time
from app.matching.eligibility import budget_fit, exclusions, warnings
from app.matching.explain import localised, message_language, render, render_finding
from app.matching.findings import Finding
from app.matching.goals import rank_goals
from app.matching.indexed import IndexedCatalogue
from app.matching.model import Need, Programme
from app.matching.query import AnalysedNeed, analyse_need

FloatArray = npt.NDArray[np.float64]
_TIE = 1e-4
_SUGGESTED_FOR_GOALS = 5


# the records below live for one query only: plain (not frozen) dataclasses, which are quicker to create
@dataclass(slots=True)
class _Scored:
    doc: int
    code: str
    score: float
    penalty: float
    eligible: bool
    findings: tuple[Finding, ...]
    calls: tuple[ListedCall, ...]
    # the answer's order: rounded score, highest first, then code
    key: tuple[float, str]


@dataclass(slots=True)
class _Components:
    text: FloatArray
    themes: FloatArray
    pillars: FloatArray
    goals: FloatArray
    base: FloatArray


def _components(
    index: IndexedCatalogue, need: Need, analysed: AnalysedNeed, goal_weights: dict[str, float]
) -> tuple[_Components, QueryMatrix, list[int]]:
    s = index.settings
    text_index = index.text_index
    ids, positions = text_index.ids(analysed.terms)
    weights = [analysed.weights[i] for i in positions]
    query = text_index.query(ids, weights)
    raw = query.scores()
    best = float(raw.max()) if raw.size else 0.0
    reference = max(best, s.text_reference_share * text_index.ideal_score(query))
    text = raw / reference if reference > 0 else np.zeros(len(index.programmes))
    themes = index.features.theme_scores(analysed.themes)
    pillars = index.features.pillar_scores(need.pillars)
    goals = index.features.goal_scores(goal_weights)
    # base = w_text * text + w_themes * themes + w_pillars * pillars + w_goals * goals, summed left to right
    # in place (one scratch array instead of a new array per operation)
    base = text * s.w_text
    part = np.empty_like(base)
    for weight, component in ((s.w_themes, themes), (s.w_pillars, pillars), (s.w_goals, goals)):
        base += np.multiply(component, weight, out=part)
    return _Components(text, themes, pillars, goals, base), query, positions


def _score_one(index: IndexedCatalogue, need: Need, doc: int, base: float, now: datetime, eligible: bool) -> _Scored:
    s = index.settings
    programme = index.programmes[doc]
    today = now.date()
    listed = index.listed_calls(doc, now)
    in_time = has_call_in_time(listed, need) if index.calls_by_doc[doc] else None
    found = warnings(programme, need, has_call_in_time=in_time)
    if not eligible:
        found = [*exclusions(programme, need, today), *found]
    penalty = s.soft_penalty * sum(1 for f in found if f.penalised)
    score = min(1.0, max(0.0, base - penalty))
    return _Scored(
        doc, programme.code, score, penalty, eligible, tuple(found), listed, (-round(score, 4), programme.code)
    )


def _select(
    index: IndexedCatalogue,
    need: Need,
    pool: npt.NDArray[np.intp],
    c: _Components,
    eligible: npt.NDArray[np.bool_],
    now: datetime,
    limit: int,
) -> list[_Scored]:
    """The ``limit`` best of ``pool`` by exact score.

    Soft rules only lower a score, so candidates are scored in order of their
    score before soft rules (``base``), and the search stops at the first one
    whose ``base`` cannot reach the current ``limit``-th score.
    """
    if limit <= 0 or pool.size == 0:
        return []
    values = c.base[pool]
    best: list[_Scored] = []
    seen: set[int] = set()
    size = min(pool.size, 4 * limit)
    while True:
        if size < pool.size:
            part = np.argpartition(-values, size)
            batch, rest_best = part[:size], float(values[part[size]])
        else:
            batch, rest_best = np.arange(pool.size), -np.inf
        batch = batch[np.lexsort((pool[batch], -values[batch]))]
        for doc, base in zip(pool[batch].tolist(), values[batch].tolist(), strict=True):
            if len(best) == limit and base < best[-1].score - _TIE:
                return best
            if doc in seen:
                continue
            seen.add(doc)
            insort(best, _score_one(index, need, doc, base, now, eligible.item(doc)), key=attrgetter("key"))
            del best[limit:]
        if size == pool.size or (len(best) == limit and rest_best < best[-1].score - _TIE):
            return best
        size = min(pool.size, size * 4)


def _matched_words(row_labels: Sequence[str], ranked_rows: list[int], limit: int) -> list[str]:
    """The labels of the terms with the largest contributions, best first, at most ``limit``."""
    labels: dict[str, None] = {}
    for row in ranked_rows:
        labels.setdefault(row_labels[row])
        if len(labels) >= limit:
            break
    return list(labels)


def _reasons(
    index: IndexedCatalogue,
    need: Need,
    strengths: Mapping[str, float],
    programme: Programme,
    words: list[str],
    lang: str,
) -> tuple[str, ...]:
    reasons = []
    shared = [c for c in programme.themes if strengths.get(c, 0.0) >= 0.3 and c in index.themes]
    if shared:
        shared.sort(key=strengths.__getitem__, reverse=True)  # strongest first; a stable sort keeps ties in order
        theme_names = index.theme_names[lang]
        names = ", ".join([theme_names[c] for c in shared])
        reasons.append(render("shared_themes", lang, themes=names))
    if words:
        reasons.append(render("words_matched", lang, words=", ".join(words)))
    if need.pillars:
        pillars = [p for p in programme.pillars if p in need.pillars]
        if pillars:
            pillar_names = index.pillar_names[lang]
            names = ", ".join([pillar_names.get(p, p) for p in pillars])
            reasons.append(render("pillar", lang, pillars=names))
    fit = budget_fit(programme, need)
    if fit is not None:
        reasons.append(render_finding(fit, lang))
    return tuple(reasons)


def _breakdown(index: IndexedCatalogue, c: _Components, doc: int, penalty: float) -> ScoreBreakdown:
    s = index.settings
    return ScoreBreakdown(
        text=s.w_text * c.text.item(doc),
        themes=s.w_themes * c.themes.item(doc),
        pillars=s.w_pillars * c.pillars.item(doc),
        strategy_goals=s.w_goals * c.goals.item(doc),
        penalty=penalty,
    )


def _calls(listed: tuple[ListedCall, ...], display: str) -> tuple[CallSuggestion, ...]:
    return tuple(
        CallSuggestion(
            code=item.call.code,
            title=localised(item.call.title, display),
            status=item.status,
            opens_at=item.call.opens_at,
            deadline_at=item.call.deadline_at,
            closing_soon=item.closing_soon,
            url=item.call.url,
        )
        for item in listed
    )


def rank(
    index: IndexedCatalogue,
    need: Need,
    *,
    now: datetime,
    limit: int,
    include_ineligible: bool,
    display_language: str | None,
) -> MatchAnswer:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    s = index.settings
    analysed = analyse_need(
        need,
        analyzer=index.analyzer,
        bridge=index.bridge,
        settings=s,
        known_themes=index.features.theme_ids,
        vocabularies=index.vocabularies,
    )
    display = (display_language or analysed.language).split("-")[0].lower()
    lang = message_language(display)
    goal_weights = index.goal_strengths(analysed.themes)
    c, query, positions = _components(index, need, analysed, goal_weights)
    eligible = index.masks.eligible(need, now.date())
    keep = c.base > 0
    if not include_ineligible:
        keep &= eligible
    chosen = _select(index, need, np.flatnonzero(keep), c, eligible, now, limit)

    docs = [sc.doc for sc in chosen]
    ranked_rows = query.ranked_rows(docs)
    # each query row's label, looked up once for all the items
    row_labels = [analysed.labels[analysed.terms[p]] for p in positions]
    items = []
    for rank_no, (sc, rows) in enumerate(zip(chosen, ranked_rows, strict=True), start=1):
        programme = index.programmes[sc.doc]
        words = _matched_words(row_labels, rows, s.max_matched_words)
        items.append(
            MatchItem(
                rank=rank_no,
                score=sc.score,
                eligible=sc.eligible,
                programme=ProgrammeRef(
                    programme.code, localised(programme.name, display), programme.funder, programme.url
                ),
                calls=_calls(sc.calls, display),
                breakdown=_breakdown(index, c, sc.doc, sc.penalty),
                reasons=_reasons(index, need, analysed.themes, programme, words, lang),
                warnings=tuple([render_finding(f, lang) for f in sc.findings]),
            )
        )
    suggested = [(index.programmes[sc.doc], sc.score) for sc in chosen if sc.eligible][:_SUGGESTED_FOR_GOALS]
    suggested_goals = rank_goals(
        index.catalogue.strategy_goals,
        analysed.themes,
        suggested,
        index.themes,
        language=display,
        limit=s.max_strategy_goals,
        strengths=goal_weights,
    )
    return MatchAnswer(
        language=analysed.language,
        display_language=display,
        catalogue_version=index.catalogue.version,
        items=tuple(items),
        strategy_goals=suggested_goals,
    )
