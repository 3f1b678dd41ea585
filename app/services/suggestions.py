"""Funding suggestions: a need (stored or given) ranked against the worker's index of the catalogue.

A repeated need is answered from the snapshot's answer cache; a new one is ranked in a worker
thread, one ranking at a time per worker (it is CPU-bound and holds the GIL).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import anyio.to_thread

from app.matching import Lexicon, MatchIndex, answer_to_json, build_index, catalogue_from_document, need_from_body
from app.models.match import MatchRequest
from app.principal import Principal
from app.services.snapshot import CachedAnswer, CatalogueSnapshot


def index_for(snapshot: CatalogueSnapshot, lexicon: Lexicon) -> MatchIndex:
    """The snapshot's index, built on first use and kept for as long as the version stands."""
    return snapshot.index(lambda document, version: build_index(catalogue_from_document(document, version), lexicon))


def with_organisation_defaults(body: dict[str, Any], principal: Principal) -> dict[str, Any]:
    body = dict(body)
    body["applicant_type"] = body.get("applicant_type") or principal.organisation_type
    body["country"] = body.get("country") or principal.organisation_country
    body["region"] = body.get("region") or principal.organisation_region
    return {key: value for key, value in body.items() if value is not None}


def request_body(request: MatchRequest) -> dict[str, Any]:
    return request.model_dump(mode="json", exclude_none=True)


@dataclass(frozen=True)
class MatchJob:
    """One ranking to do: the need body and the options that shape the answer."""

    snapshot: CatalogueSnapshot
    lexicon: Lexicon
    body: dict[str, Any]
    now: datetime
    today: date
    # How many call dates have passed: the answer's call statuses depend on the moment only through it.
    call_epoch: int
    limit: int
    include_ineligible: bool
    display_language: str | None

    @property
    def key(self) -> str:
        """What shapes the answer: the need, the day (eligibility, closing soon) and the call epoch
        (statuses), not the moment itself, so that an answer is reused until one of them changes."""
        options = [self.today.isoformat(), self.call_epoch, self.limit, self.include_ineligible, self.display_language]
        return json.dumps([self.body, options], sort_keys=True, ensure_ascii=False, default=str)


def _compute(job: MatchJob) -> CachedAnswer:
    answer = index_for(job.snapshot, job.lexicon).match(
        need_from_body(job.body),
        now=job.now,
        limit=job.limit,
        include_ineligible=job.include_ineligible,
        display_language=job.display_language,
    )
    entry = CachedAnswer(answer_to_json(answer))
    job.snapshot.answers.put(job.key, entry)
    return entry


async def answer(job: MatchJob, need_id: int | None, limiter: anyio.CapacityLimiter) -> bytes:
    """The answer as JSON bytes naming the need: from the cache, else ranked off the event loop."""
    entry = job.snapshot.answers.get(job.key)
    if entry is None:
        entry = await anyio.to_thread.run_sync(_compute, job, limiter=limiter)
    return render(entry, need_id)


def render(entry: CachedAnswer, need_id: int | None) -> bytes:
    answer = entry.answer
    if need_id is None:
        if entry.unstored_bytes is None:
            entry.unstored_bytes = _dumps({**answer, "need": {**answer["need"], "id": None}})
        return entry.unstored_bytes
    return _dumps({**answer, "need": {**answer["need"], "id": need_id}})


def _dumps(value: dict[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
