"""Score, filter, rank and explain: one need against an ``IndexedCatalogue`` (a built ``MatchIndex``).

score = w_text * text + w_themes * themes + w_pillars * pillars + w_goals * goals
        + credit - (penalties of the warnings), clipped to 0..1, where

- text is the BM25F score divided by ``max(best score, share * ideal score)``:
  1 for the best document when it covers a fair share of the query;
- themes is the cosine of the need's theme strengths with the programme's themes;
- pillars is 1 when a pillar is shared; goals the need's mean strength over
  the programme's strategy goals;
- credit (for a programme with some evidence) is ``partner_credit`` when its
  specific partner list covers the need's partner countries (``geography``),
  plus ``main_applicant_credit`` when it is mainly made for the need's kind of
  applicant (its first eligible applicant type), plus ``small_grant_credit``
  when the budget fits a small grant;
- each penalised warning costs ``soft_penalty``, a partner country outside
  the programme's list ``partner_penalty``, and a programme for work across
  borders, for a need that plans none, ``abroad_penalty`` (``abroad``).

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

from app.matching.abroad import reaches_abroad
from app.matching.answer import (
    CallSuggestion,
    MatchAnswer,
    MatchItem,
    PartnerCountry,
    ProgrammeRef,
    ScoreBreakdown,
)
from app.matching.bm25 import QueryMatrix
from app.matching.calls import ListedCall, has_call_in_time
from app.matching.eligibility import applicant_kind, budget_fit, exclusions, main_applicant, warnings
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
    credit: FloatArray | None = None


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


def _add_credits(index: IndexedCatalogue, need: Need, partners: Sequence[str], c: _Components) -> None:
    """Add the credits to ``c.base`` in place, for programmes with some evidence (base above 0)."""
    s = index.settings
    credit = index.partner_areas.credits(frozenset(partners), s.partner_credit)
    made_for = index.made_for.get(applicant_kind(need.applicant_type)) if need.applicant_type else None
    if made_for is not None and s.main_applicant_credit:
        main = np.where(made_for, s.main_applicant_credit, 0.0)
        credit = main if credit is None else credit + main
    budget = need.budget_eur
    if budget is not None and s.small_grant_credit:
        with np.errstate(invalid="ignore"):
            fits = (index.grant_max <= s.small_grant_max_eur) & (index.grant_max >= budget)
            fits &= ~(index.grant_min > budget)
        if fits.any():
            small = np.where(fits, s.small_grant_credit, 0.0)
            credit = small if credit is None else credit + small
    if credit is not None:
        credit *= c.base > 0
        c.base += credit
        c.credit = credit


def partner_countries(index: IndexedCatalogue, need: Need, language: str) -> tuple[PartnerCountry, ...]:
    """The countries the text names (not the need's own country nor given ones), then ``partners.countries``."""
    given = tuple(dict.fromkeys(need.partners.countries))
    named = index.countries.find((need.title, need.description), language)
    found = [PartnerCountry(code, "text") for code in named if code not in given and code != need.country]
    return (*found, *(PartnerCountry(code, "given") for code in given))


def _score_one(
    index: IndexedCatalogue,
    need: Need,
    doc: int,
    base: float,
    now: datetime,
    eligible: bool,
    partners: Sequence[str],
    abroad: bool,
) -> _Scored:
    s = index.settings
    programme = index.programmes[doc]
    today = now.date()
    listed = index.listed_calls(doc, now)
    in_time = has_call_in_time(listed, need) if index.calls_by_doc[doc] else None
    found = warnings(programme, need, has_call_in_time=in_time)
    if not eligible:
        found = [*exclusions(programme, need, today), *found]
    geography = index.partner_areas.finding(doc, partners, s.partner_penalty)
    if geography is not None:
        found.append(geography)
    if not abroad and index.cross_border.item(doc):
        _warn_nothing_abroad(found, s.abroad_penalty)
    penalty = sum(s.soft_penalty if f.penalty is None else f.penalty for f in found if f.penalised)
    score = min(1.0, max(0.0, base - penalty))
    return _Scored(
        doc, programme.code, score, penalty, eligible, tuple(found), listed, (-round(score, 4), programme.code)
    )


def _warn_nothing_abroad(found: list[Finding], penalty: float) -> None:
    """A programme for work across borders, and a need that plans none: the partnership warning, where there
    is one, now costs ``penalty``; else a warning of its own does."""
    for i, f in enumerate(found):
        if f.code in ("partners_required", "partner_count_required"):
            found[i] = Finding(f.code, f.params, penalised=True, penalty=penalty)
            return
        if f.code in ("partners_none", "partner_count_none"):
            return
    found.append(Finding("nothing_abroad", penalised=True, penalty=penalty))


def _select(
    index: IndexedCatalogue,
    need: Need,
    pool: npt.NDArray[np.intp],
    c: _Components,
    eligible: npt.NDArray[np.bool_],
    now: datetime,
    limit: int,
    partners: Sequence[str],
    abroad: bool,
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
            scored = _score_one(index, need, doc, base, now, eligible.item(doc), partners, abroad)
            insort(best, scored, key=attrgetter("key"))
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
    findings: Sequence[Finding],
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
    if need.applicant_type and main_applicant(programme) == applicant_kind(need.applicant_type):
        reasons.append(render("main_applicant", lang, applicant=need.applicant_type))
    fit = budget_fit(programme, need)
    if fit is not None:
        reasons.append(render_finding(fit, lang))
    reasons.extend(_render(index, f, lang) for f in findings if f.code == "partners_fit")
    return tuple(reasons)


def _render(index: IndexedCatalogue, finding: Finding, lang: str) -> str:
    if finding.code in ("partners_fit", "partners_outside"):
        finding = index.partner_areas.describe(finding, lang)
    return render_finding(finding, lang)


def _breakdown(index: IndexedCatalogue, c: _Components, doc: int, penalty: float) -> ScoreBreakdown:
    s = index.settings
    return ScoreBreakdown(
        text=s.w_text * c.text.item(doc),
        themes=s.w_themes * c.themes.item(doc),
        pillars=s.w_pillars * c.pillars.item(doc),
        strategy_goals=s.w_goals * c.goals.item(doc),
        penalty=penalty,
        credit=c.credit.item(doc) if c.credit is not None else 0.0,
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
    partners = partner_countries(index, need, analysed.language)
    # the need's own country is not a partner country for the programmes' lists
    partner_codes = tuple(p.code for p in partners if p.code != need.country)
    _add_credits(index, need, partner_codes, c)
    eligible = index.masks.eligible(need, now.date())
    keep = c.base > 0
    if not include_ineligible:
        keep &= eligible
    abroad = reaches_abroad(need, partner_codes)
    chosen = _select(index, need, np.flatnonzero(keep), c, eligible, now, limit, partner_codes, abroad)

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
                reasons=_reasons(index, need, analysed.themes, programme, words, lang, sc.findings),
                warnings=tuple([_render(index, f, lang) for f in sc.findings if f.code != "partners_fit"]),
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
        partner_countries=partners,
    )
