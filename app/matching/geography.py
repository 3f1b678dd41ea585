"""Where a programme's partners may come from, against the countries a need names.

A programme's ``partner_countries`` mixes country codes (``DE``) and country
group codes (``nordic``); ``PartnerAreas`` expands them once per distinct
list, with the catalogue's groups (data, never looked up elsewhere). An empty
list means no restriction is known: no warning, no credit.

- A list that leaves out one of the need's partner countries gives a warning
  (``partners_outside``, penalised by ``partner_penalty``).
- A list that covers all of them and is specific, i.e. does not take every
  country of the broad group (``MatchSettings.broad_partner_group``, the EU),
  gives a reason (``partners_fit``) and a credit added before ranking.

The need's own country is never a partner country here: the applicant is
there already.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.matching.countries import country_names
from app.matching.explain import localised
from app.matching.findings import Finding
from app.matching.model import CountryGroup, Programme

FloatArray = npt.NDArray[np.float64]
_LISTED = 8  # accepted countries and groups named in a message before "and N more"


@dataclass(frozen=True, slots=True)
class _Area:
    codes: tuple[str, ...]  # as the programme lists them
    countries: frozenset[str]  # expanded
    specific: bool


class PartnerAreas:
    """The programmes' partner areas, grouped by their distinct lists."""

    def __init__(
        self, programmes: Sequence[Programme], groups: Sequence[CountryGroup], *, broad_group: str | None
    ) -> None:
        self.groups = {g.code: g for g in groups}
        broad = frozenset(self.groups[broad_group].countries) if broad_group in self.groups else None
        ids: dict[tuple[str, ...], int] = {}
        self._areas: list[_Area] = []
        of = []
        for p in programmes:
            key = tuple(dict.fromkeys(p.partner_countries))
            area = ids.get(key)
            if area is None:
                area = ids[key] = len(self._areas)
                countries = self._expand(key)
                self._areas.append(_Area(key, countries, bool(key) and not (broad and broad <= countries)))
            of.append(area)
        self._of = np.asarray(of, dtype=np.intp)
        self.restricted = any(a.codes for a in self._areas)

    def _expand(self, codes: Sequence[str]) -> frozenset[str]:
        out: set[str] = set()
        for code in codes:
            group = self.groups.get(code)
            if group is not None:
                out.update(group.countries)
            elif code.isupper():
                out.add(code)
        return frozenset(out)

    def credits(self, countries: frozenset[str], credit: float) -> FloatArray | None:
        """``credit`` for each programme whose specific list covers ``countries``; None when none does."""
        if not countries or not self.restricted or credit == 0.0:
            return None
        fits = np.fromiter((a.specific and countries <= a.countries for a in self._areas), dtype=bool)
        if not fits.any():
            return None
        out: FloatArray = np.where(fits[self._of], credit, 0.0)
        return out

    def finding(self, doc: int, countries: Sequence[str], penalty: float) -> Finding | None:
        """The warning or the reason for one programme; params hold codes (``describe`` words them)."""
        area = self._areas[self._of.item(doc)]
        if not countries or not area.codes:
            return None
        outside = [c for c in countries if c not in area.countries]
        params = {"accepted": " ".join(area.codes)}
        if outside:
            params["countries"] = " ".join(outside)
            return Finding("partners_outside", params, penalised=True, penalty=penalty)
        if area.specific:
            return Finding("partners_fit", {**params, "countries": " ".join(countries)})
        return None

    def describe(self, finding: Finding, lang: str) -> Finding:
        """The finding with its codes as names in ``lang``: countries from CLDR, groups from the catalogue."""
        names = country_names(lang)

        def word(code: str) -> str:
            group = self.groups.get(code)
            return localised(group.name, lang) if group is not None else names.get(code, code)

        def listing(codes: str) -> str:
            parts = codes.split()
            words = [word(c) for c in parts[:_LISTED]]
            if len(parts) > _LISTED:
                more = len(parts) - _LISTED
                words.append(f"{more} till" if lang == "sv" else f"{more} more")
            return ", ".join(words)

        params: Mapping[str, str] = {key: listing(value) for key, value in finding.params.items()}
        return Finding(finding.code, params, finding.penalised, finding.penalty)
