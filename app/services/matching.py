"""Matching use cases: a need (stored or given) against the worker's index of the catalogue."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.matching import Lexicon, MatchIndex, answer_to_json, build_index, catalogue_from_document, need_from_body
from app.models.match import MatchRequest
from app.security import Principal
from app.services.snapshot import CatalogueSnapshot


def index_for(snapshot: CatalogueSnapshot, lexicon: Lexicon) -> MatchIndex:
    """The snapshot's index, built on first use and kept for as long as the version stands."""
    index: MatchIndex = snapshot.index(
        lambda document, version: build_index(catalogue_from_document(document, version), lexicon)
    )
    return index


def with_organisation_defaults(body: dict[str, Any], principal: Principal) -> dict[str, Any]:
    body = dict(body)
    body["applicant_type"] = body.get("applicant_type") or principal.organisation_type
    body["country"] = body.get("country") or principal.organisation_country
    body["region"] = body.get("region") or principal.organisation_region
    return {key: value for key, value in body.items() if value is not None}


def request_body(request: MatchRequest) -> dict[str, Any]:
    return request.model_dump(mode="json", exclude_none=True)


ANSWERS_KEPT = 1024  # per worker and catalogue version


class AnswerCache:
    """Recent answers of one catalogue version. Matching is deterministic, so an answer can be
    reused for the same need, options and day; the cache dies with its snapshot."""

    def __init__(self, size: int = ANSWERS_KEPT) -> None:
        self._size = size
        self._answers: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def put(self, key: str, answer: dict[str, Any]) -> None:
        with self._lock:
            self._answers[key] = answer
            while len(self._answers) > self._size:
                self._answers.popitem(last=False)


@dataclass(frozen=True)
class MatchJob:
    """One ranking to do: the need body and the options that shape the answer."""

    snapshot: CatalogueSnapshot
    lexicon: Lexicon
    body: dict[str, Any]
    today: date
    now: datetime
    limit: int
    include_ineligible: bool
    display_language: str | None

    @property
    def key(self) -> str:
        options = [self.today.isoformat(), self.limit, self.include_ineligible, self.display_language]
        return json.dumps([self.body, options], sort_keys=True, ensure_ascii=False, default=str)

    def cached(self) -> dict[str, Any] | None:
        """The answer if this worker gave it already for this catalogue version (cheap; no engine)."""
        return self._cache().get(self.key)

    def compute(self) -> dict[str, Any]:
        """Rank with the engine (CPU-bound: run it off the event loop) and remember the answer."""
        answer = index_for(self.snapshot, self.lexicon).match(
            need_from_body(self.body),
            now=self.now,
            limit=self.limit,
            include_ineligible=self.include_ineligible,
            display_language=self.display_language,
        )
        result = answer_to_json(answer)
        self._cache().put(self.key, result)
        return result

    def _cache(self) -> AnswerCache:
        cache: AnswerCache = self.snapshot.companion("answers", AnswerCache)
        return cache


def render(answer: dict[str, Any], need_id: int | None) -> bytes:
    """The answer as JSON bytes, naming the need; an unstored need's rendering is kept with the
    (shared, cached) answer, since the same need asked again renders the same."""
    if need_id is None:
        rendered = answer.get(_RENDERED)
        if rendered is None:
            rendered = _dumps({**answer, "need": {**answer["need"], "id": None}})
            answer[_RENDERED] = rendered
        return bytes(rendered)
    return _dumps({**{k: v for k, v in answer.items() if k != _RENDERED}, "need": {**answer["need"], "id": need_id}})


_RENDERED = "_rendered"


def _dumps(value: dict[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
