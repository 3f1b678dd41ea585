"""The built index's data: what ``index.build_index`` makes and ``ranking`` reads.

Its own module so that ``ranking`` needs nothing from ``index`` (which imports ``ranking``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from datetime import date, datetime

import numpy as np

from app.matching.abroad import works_across_borders
from app.matching.bm25 import TermIndex
from app.matching.bridge import Bridge
from app.matching.calls import ListedCall, aware, listed_in_order
from app.matching.countries import CountryFinder
from app.matching.eligibility import main_applicant
from app.matching.explain import MESSAGE_LANGUAGES, localised
from app.matching.features import EligibilityMasks, ProgrammeFeatures
from app.matching.geography import PartnerAreas
from app.matching.goals import GoalStrengths
from app.matching.model import Call, Catalogue
from app.matching.text import Analyzer
from app.matching.tuning import MatchSettings


class IndexedCatalogue:
    """One catalogue version as ``build_index`` leaves it: everything ``ranking`` reads."""

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        settings: MatchSettings,
        analyzer: Analyzer,
        bridge: Bridge,
        text_index: TermIndex,
        features: ProgrammeFeatures,
        masks: EligibilityMasks,
        calls_of: Mapping[str, tuple[Call, ...]],
        vocabularies: dict[str, frozenset[str]],
        countries: CountryFinder,
    ) -> None:
        self.catalogue = catalogue
        self.settings = settings
        self.analyzer = analyzer
        self.bridge = bridge
        self.text_index = text_index
        self.features = features
        self.masks = masks
        self.calls_of = calls_of
        self.vocabularies = vocabularies
        self.programmes = tuple(catalogue.programmes)
        self.countries = countries
        self.partner_areas = PartnerAreas(
            self.programmes, catalogue.country_groups, broad_group=settings.broad_partner_group
        )
        # grant ranges as arrays (NaN: not known), for the small-grant credit
        self.grant_min = np.asarray([_or_nan(p.grant.min_eur) for p in self.programmes], dtype=np.float64)
        self.grant_max = np.asarray([_or_nan(p.grant.max_eur) for p in self.programmes], dtype=np.float64)
        # programmes that fund work with partners or activities in other countries (``abroad``)
        self.cross_border = np.asarray([works_across_borders(p) for p in self.programmes], dtype=np.bool_)
        # per kind of applicant, the programmes mainly made for it (``eligibility.main_applicant``)
        kinds = [main_applicant(p) for p in self.programmes]
        self.made_for = {
            kind: np.asarray([k == kind for k in kinds], dtype=np.bool_) for kind in set(kinds) if kind is not None
        }
        # per document, in ``calls.sort_key`` order
        self.calls_by_doc = tuple(calls_of.get(p.code, ()) for p in self.programmes)
        # ``listed_calls`` of one day: the day, and the listings computed so far
        # the moments at which some call's status changes: it opens, or its deadline passes
        self._opening = sorted(aware(c.opens_at) for c in catalogue.calls if c.opens_at is not None)
        self._deadlines = sorted(aware(c.deadline_at) for c in catalogue.calls if c.deadline_at is not None)
        # ``listed_calls`` of one ``_period``: the period, and the listings computed so far
        self._listed: tuple[tuple[date, int, int], dict[int, tuple[ListedCall, ...]]] = ((date.min, 0, 0), {})
        self.themes = {t.code: t for t in catalogue.themes}
        self.pillars = {p.code: p for p in catalogue.pillars}
        self.goals = {g.code: g for g in catalogue.strategy_goals}
        self.goal_strengths = GoalStrengths(catalogue.strategy_goals)
        # theme and pillar names in the two message languages, as reasons print them
        self.theme_names = {
            lang: {t.code: localised(t.name, lang) for t in catalogue.themes} for lang in MESSAGE_LANGUAGES
        }
        self.pillar_names = {
            lang: {p.code: localised(p.name, lang) for p in catalogue.pillars} for lang in MESSAGE_LANGUAGES
        }

    def _period(self, now: datetime) -> tuple[date, int, int]:
        """Equal for two moments that list every call alike: the same day, the same calls opened
        (``now >= opens_at``) and the same deadlines passed (``now > deadline_at``)."""
        return (now.date(), bisect_right(self._opening, now), bisect_left(self._deadlines, now))

    def listed_calls(self, doc: int, now: datetime) -> tuple[ListedCall, ...]:
        """The document's open and forthcoming calls at ``now`` (``calls.listed_in_order``), kept while no
        call opens or closes and the day stays the same."""
        period = self._period(now)
        seen, listed = self._listed
        if seen != period:
            listed = {}
            self._listed = (period, listed)
        found = listed.get(doc)
        if found is None:
            found = listed[doc] = listed_in_order(self.calls_by_doc[doc], now, self.settings.closing_soon_days)
        return found


def _or_nan(value: int | None) -> float:
    return float("nan") if value is None else float(value)
