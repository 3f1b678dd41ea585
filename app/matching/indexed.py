"""The built index's data: what ``index.build_index`` makes and ``ranking`` reads.

Its own module so that ``ranking`` needs nothing from ``index`` (which imports ``ranking``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from app.matching.bm25 import TermIndex
from app.matching.bridge import Bridge
from app.matching.calls import ListedCall, listed_in_order
from app.matching.explain import MESSAGE_LANGUAGES, localised
from app.matching.features import EligibilityMasks, ProgrammeFeatures
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
        # per document, in ``calls.sort_key`` order
        self.calls_by_doc = tuple(calls_of.get(p.code, ()) for p in self.programmes)
        # ``listed_calls`` of one day: the day, and the listings computed so far
        self._listed: tuple[date, dict[int, tuple[ListedCall, ...]]] = (date.min, {})
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

    def listed_calls(self, doc: int, today: date) -> tuple[ListedCall, ...]:
        """The document's open and forthcoming calls on ``today`` (``calls.listed_in_order``), kept for the day."""
        day, listed = self._listed
        if day != today:
            listed = {}
            self._listed = (today, listed)
        found = listed.get(doc)
        if found is None:
            found = listed[doc] = listed_in_order(self.calls_by_doc[doc], today, self.settings.closing_soon_days)
        return found
