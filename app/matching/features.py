"""Per-programme feature matrices and hard-rule masks, built once per catalogue.

- themes: programmes x themes, weight ``1 / (1 + decay * position)`` (a
  programme's first themes are its main ones); the theme score is the cosine
  between that row and the need's theme strengths;
- pillars and strategy goals: programmes x codes, 0/1;
- hard rules as boolean masks over all programmes. Masks for an applicant
  type, a country or a region are computed with the scalar rules of
  ``eligibility.py`` (one source of truth), once per distinct set of codes the
  rule reads, and cached; the period rule compares arrays of end dates (the
  calls' end, and the last day funded projects may run).

The matrices are sparse (a programme lists a few codes) and stored code by
code, in descending code order; a query sums the columns of the codes the need
carries (``columns.add_columns``), in ascending code order: each programme's
products are summed in float64 in code-id order, the same on every machine,
and the codes the need does not carry cost nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from app.matching.columns import add_columns
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


class _CodeColumns:
    """A programmes x codes matrix stored code by code (CSC), the codes in descending order."""

    def __init__(self, matrix: sparse.csr_matrix) -> None:
        self.n_codes = matrix.shape[1]
        # storage column k holds code n_codes - 1 - k: ascending codes lie at descending offsets
        by_code = matrix[:, ::-1].tocsc()
        self._indptr, self._indices, self._data = by_code.indptr, by_code.indices, by_code.data

    def weighted(self, weights: Mapping[int, float], n_rows: int) -> FloatArray:
        """Per programme: the sum over its codes of the stored value times ``weights[code]``.

        The weights are rounded to float32, the precision of the stored values.
        """
        out = np.zeros(n_rows)
        codes = sorted(weights)
        columns = self.n_codes - 1 - np.asarray(codes, dtype=np.int64)
        values = np.asarray([weights[c] for c in codes], dtype=np.float32).astype(np.float64)
        add_columns(out, self._indptr[columns], self._indptr[columns + 1], self._indices, self._data, values)
        return out


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
        theme_matrix = _codes_matrix(
            [p.themes for p in programmes], self.theme_ids, lambda i: 1.0 / (1.0 + position_decay * i)
        )
        self.theme_norm = np.sqrt(theme_matrix.multiply(theme_matrix).sum(axis=1).A1)
        goal_matrix = _codes_matrix([p.strategy_goals for p in programmes], self.goal_ids, lambda i: 1.0)
        self.goal_count = np.diff(goal_matrix.indptr).astype(np.float64)
        self.themes = _CodeColumns(theme_matrix)
        self.pillars = _CodeColumns(_codes_matrix([p.pillars for p in programmes], self.pillar_ids, lambda i: 1.0))
        self.goals = _CodeColumns(goal_matrix)
        # divisors with 1 for a programme without themes (goals): its sum is 0, so it scores 0 without a masked divide
        self._theme_divisor = np.where(self.theme_norm > 0, self.theme_norm, 1.0)
        self._goal_divisor = np.where(self.goal_count > 0, self.goal_count, 1.0)
        self.n = len(programmes)
        self._pillar_cache: dict[frozenset[str], FloatArray] = {}

    def _weighted(self, columns: _CodeColumns, ids: Mapping[str, int], weights: Mapping[str, float]) -> FloatArray:
        """Per programme: its codes' values times the need's ``weights`` (by code), summed; unknown codes count 0."""
        found: dict[int, float] = {}
        for code, weight in weights.items():
            c = ids.get(code)
            if c is not None and weight > 0:
                found[c] = weight
        return columns.weighted(found, self.n) if found else np.zeros(self.n)

    def theme_scores(self, strengths: Mapping[str, float]) -> FloatArray:
        """Cosine of each programme's theme row with the need's theme strengths."""
        dot = self._weighted(self.themes, self.theme_ids, strengths)
        need_norm = float(np.sqrt(sum(w * w for c, w in strengths.items() if c in self.theme_ids)))
        if need_norm == 0.0:
            return np.zeros(self.n)
        out: FloatArray = dot / (self._theme_divisor * need_norm)
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
        out: FloatArray = total / self._goal_divisor
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
        self._last_starts = np.asarray(
            [p.period.last_start.toordinal() if p.period.last_start else _NO_END for p in programmes], dtype=np.int64
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

    def __getstate__(self) -> dict[str, Any]:  # the index may be built in a child process
        return {k: v for k, v in self.__dict__.items() if k != "_lock"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _lock=threading.Lock())

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
        mask = self._all
        for key in _rule_keys(need):
            rule_mask = self._cache.get(key)
            if rule_mask is None:
                rule_mask = self._rule_mask(key, need)
            mask = mask & rule_mask
        # ``eligibility.period_exclusion`` for every programme at once: active today, and its projects
        # may still run on the need's first day
        mask = mask & (self._ends >= today.toordinal())
        if need.start_date is not None:
            mask = mask & (self._last_starts >= need.start_date.toordinal())
        return mask

    def _rule_mask(self, key: tuple[str, ...], need: Need) -> BoolArray:
        """The mask of one rule for the need's codes (``key``), computed and cached on first use."""
        probe = Need(
            title="", description="", applicant_type=need.applicant_type, country=need.country, region=need.region
        )
        rules: dict[str, Callable[[Programme], bool]] = {
            "applicant": lambda p: applicant_exclusion(p, probe) is None,
            "country": lambda p: country_exclusion(p, probe) is None,
            "region": lambda p: _region_kept(p, probe),
        }
        return self._mask(key, rules[key[0]])


def _rule_keys(need: Need) -> list[tuple[str, ...]]:
    """The cache keys of the hard rules that apply to the need: each rule and the codes it reads."""
    keys: list[tuple[str, ...]] = []
    if need.applicant_type is not None:
        keys.append(("applicant", need.applicant_type))
    if need.country is not None:
        keys.append(("country", need.country))
    if need.region is not None or need.country is not None:
        keys.append(("region", need.region or "", need.country or ""))
    return keys


def _region_kept(programme: Programme, need: Need) -> bool:
    finding = region_finding(programme, need)
    return finding is None or finding.code != "region_outside"
