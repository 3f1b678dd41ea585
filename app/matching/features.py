"""Per-programme feature matrices and hard-rule masks, built once per catalogue.

- themes: programmes x themes, weight ``1 / (1 + decay * position)`` (a
  programme's first themes are its main ones); the theme score is the cosine
  between that row and the need's theme strengths;
- pillars and strategy goals: programmes x codes, 0/1;
- hard rules as boolean masks over all programmes. Masks for an applicant
  type, a country or a region are computed with the scalar rules of
  ``eligibility.py`` (one source of truth), once per distinct set of codes the
  rule reads, and cached; the period rule is a comparison on an array of end
  dates.

The matrices are sparse (a programme lists a few codes), stored row-major and
multiplied by a dense vector over all codes, zero for the codes a need does not
carry: a query costs one pass over the programmes' own codes, summed in
float64 in code-id order, the same on every machine.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date

import numpy as np
import numpy.typing as npt
from scipy import sparse

from app.matching.eligibility import applicant_exclusion, country_exclusion, region_finding
from app.matching.model import Need, Programme

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
_NO_END = date.max.toordinal()
_MAX_MASKS = 4096


def _codes_matrix(
    rows: Sequence[Sequence[str]], codes: Mapping[str, int], weight: Callable[[int], float]
) -> sparse.csr_matrix:
    """Programmes x codes; weights are rounded to float32 (the stored precision), products summed in float64."""
    indptr, indices, data = [0], [], []
    for row in rows:
        found = {}
        for position, code in enumerate(dict.fromkeys(row)):
            c = codes.get(code)
            if c is not None:
                found[c] = weight(position)
        for c in sorted(found):
            indices.append(c)
            data.append(found[c])
        indptr.append(len(indices))
    values = np.asarray(data, dtype=np.float32).astype(np.float64)
    return sparse.csr_matrix(
        (values, np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
        shape=(len(rows), max(1, len(codes))),
    )


def _ids(codes: Iterable[str]) -> dict[str, int]:
    return {code: i for i, code in enumerate(dict.fromkeys(codes))}


class ProgrammeFeatures:
    """Theme, pillar and goal matrices of the programmes, in catalogue order."""

    def __init__(
        self,
        programmes: Sequence[Programme],
        *,
        themes: Iterable[str],
        pillars: Iterable[str],
        goals: Iterable[str],
        position_decay: float,
    ) -> None:
        self.theme_ids = _ids(themes)
        self.pillar_ids = _ids(pillars)
        self.goal_ids = _ids(goals)
        self.themes = _codes_matrix(
            [p.themes for p in programmes], self.theme_ids, lambda i: 1.0 / (1.0 + position_decay * i)
        )
        self.theme_norm = np.sqrt(self.themes.multiply(self.themes).sum(axis=1).A1)
        self.pillars = _codes_matrix([p.pillars for p in programmes], self.pillar_ids, lambda i: 1.0)
        self.goals = _codes_matrix([p.strategy_goals for p in programmes], self.goal_ids, lambda i: 1.0)
        self.goal_count = np.diff(self.goals.indptr).astype(np.float64)
        self._has_goals = self.goal_count > 0
        self.n = len(programmes)
        self._pillar_cache: dict[frozenset[str], FloatArray] = {}

    def _weighted(self, matrix: sparse.csr_matrix, ids: Mapping[str, int], weights: Mapping[str, float]) -> FloatArray:
        found = {c: w for c, w in ((ids.get(code), w) for code, w in weights.items()) if c is not None and w > 0}
        if not found:
            return np.zeros(self.n)
        vector = np.zeros(matrix.shape[1])
        # weights at float32 precision, as the matrix stores them
        vector[list(found)] = np.asarray(list(found.values()), dtype=np.float32)
        return np.asarray(matrix @ vector, dtype=np.float64)

    def theme_scores(self, strengths: Mapping[str, float]) -> FloatArray:
        """Cosine of each programme's theme row with the need's theme strengths."""
        dot = self._weighted(self.themes, self.theme_ids, strengths)
        need_norm = float(np.sqrt(sum(w * w for c, w in strengths.items() if c in self.theme_ids)))
        denominator = self.theme_norm * need_norm
        out: FloatArray = np.divide(dot, denominator, out=np.zeros(self.n), where=denominator > 0)
        return out

    def pillar_scores(self, pillars: Iterable[str]) -> FloatArray:
        """1 where the programme shares a pillar with the need, else 0 (read-only; cached per set of pillars)."""
        key = frozenset(pillars)
        out = self._pillar_cache.get(key)
        if out is None:
            out = np.minimum(self._weighted(self.pillars, self.pillar_ids, dict.fromkeys(key, 1.0)), 1.0)
            out.flags.writeable = False
            if len(self._pillar_cache) < _MAX_MASKS:
                self._pillar_cache[key] = out
        return out

    def goal_scores(self, strengths: Mapping[str, float]) -> FloatArray:
        """Mean strength of the need over the programme's strategy goals."""
        total = self._weighted(self.goals, self.goal_ids, strengths)
        out: FloatArray = np.divide(total, self.goal_count, out=np.zeros(self.n), where=self._has_goals)
        return out


class _Groups:
    """Programmes grouped by the set of codes that one rule reads, so the rule runs once per group.

    The rules only ask whether a code is in the list (or any area covers a
    region), never about order or repeats, so a group's first programme
    stands for all of it.
    """

    def __init__(self, programmes: Sequence[Programme], codes: Callable[[Programme], tuple[str, ...]]) -> None:
        ids: dict[frozenset[str], int] = {}
        self.members: list[Programme] = []
        of = []
        for p in programmes:
            key = frozenset(codes(p))
            group = ids.get(key)
            if group is None:
                group = ids[key] = len(self.members)
                self.members.append(p)
            of.append(group)
        self.of = np.asarray(of, dtype=np.intp)

    def mask(self, keep: Callable[[Programme], bool]) -> BoolArray:
        kept = np.fromiter((keep(p) for p in self.members), dtype=bool, count=len(self.members))
        out: BoolArray = kept[self.of]
        return out


class EligibilityMasks:
    """Boolean masks of the hard rules; ``True`` means "not excluded"."""

    def __init__(self, programmes: Sequence[Programme]) -> None:
        self._ends = np.asarray(
            [p.period.end.toordinal() if p.period.end else _NO_END for p in programmes], dtype=np.int64
        )
        self._groups = {
            "applicant": _Groups(programmes, lambda p: p.eligible_applicants),
            "country": _Groups(programmes, lambda p: p.eligible_countries),
            "region": _Groups(programmes, lambda p: p.eligible_regions),
        }
        self._cache: dict[tuple[str, ...], BoolArray] = {}
        self._lock = threading.Lock()
        self._all = np.ones(len(programmes), dtype=bool)
        # applicant-type masks are built up front, so no query pays for a first pass
        for applicant in sorted({a for p in programmes for a in p.eligible_applicants}):
            self._applicant_mask(applicant)

    def _applicant_mask(self, applicant: str) -> BoolArray:
        probe = Need(title="", description="", applicant_type=applicant)
        return self._mask(("applicant", applicant), lambda p: applicant_exclusion(p, probe) is None)

    def _mask(self, key: tuple[str, ...], keep: Callable[[Programme], bool]) -> BoolArray:
        mask = self._cache.get(key)
        if mask is None:
            mask = self._groups[key[0]].mask(keep)
            with self._lock:
                if len(self._cache) < _MAX_MASKS:
                    self._cache[key] = mask
        return mask

    def eligible(self, need: Need, today: date) -> BoolArray:
        probe = Need(
            title="", description="", applicant_type=need.applicant_type, country=need.country, region=need.region
        )
        mask = self._all
        if need.applicant_type is not None:
            mask = mask & self._mask(
                ("applicant", need.applicant_type), lambda p: applicant_exclusion(p, probe) is None
            )
        if need.country is not None:
            mask = mask & self._mask(("country", need.country), lambda p: country_exclusion(p, probe) is None)
        if need.region is not None or need.country is not None:
            key = ("region", need.region or "", need.country or "")
            mask = mask & self._mask(key, lambda p: _region_kept(p, probe))
        first_day = max(today, need.start_date) if need.start_date else today
        return mask & (self._ends >= first_day.toordinal())


def _region_kept(programme: Programme, need: Need) -> bool:
    finding = region_finding(programme, need)
    return finding is None or finding.code != "region_outside"
