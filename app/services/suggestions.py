"""Funding suggestions: a need (stored or given) ranked against the worker's index of the catalogue.

A repeated need is answered from the snapshot's answer cache; a new one is ranked in a worker
thread, one ranking at a time per worker (it is CPU-bound and holds the GIL).

A stored need's applications are laid over the engine's answer per request, after the cache, from
the database: the cached answer never holds them, so no answer predates an application's change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

import anyio.to_thread
from sqlmodel import Session

from app.matching import Lexicon, MatchIndex, answer_to_json, build_index, catalogue_from_document, need_from_body
from app.models.match import MatchRequest
from app.principal import Principal
from app.services.applications import applications_of_need
from app.services.needs import get_need, need_body
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


@dataclass(frozen=True)
class ApplicationOverlay:
    """A stored need's applications, by programme code: (application id, status)."""

    applications: Mapping[str, tuple[int, str]] = field(default_factory=dict)
    include_dismissed: bool = False

    @property
    def hidden(self) -> frozenset[str]:
        """Programmes the need's organisation said are not for it, unless asked to show them."""
        if self.include_dismissed:
            return frozenset()
        return frozenset(code for code, (_, status) in self.applications.items() if status == "dismissed")


def stored_need(
    session: Session, principal: Principal, need_id: int, include_dismissed: bool
) -> tuple[dict[str, Any], ApplicationOverlay]:
    """A stored need of the principal's organisation as an engine body, and its applications."""
    need = get_need(session, principal, need_id)
    return need_body(need), ApplicationOverlay(applications_of_need(session, principal, need_id), include_dismissed)


async def answer(
    job: MatchJob, need_id: int | None, limiter: anyio.CapacityLimiter, overlay: ApplicationOverlay | None = None
) -> bytes:
    """The answer as JSON bytes naming the need: from the cache, else ranked off the event loop.

    With hidden (dismissed) programmes, the engine is asked for that many more, so that the
    caller still gets `job.limit` items where the catalogue has them."""
    limit = job.limit
    if overlay is not None and overlay.hidden:
        job = replace(job, limit=job.limit + len(overlay.hidden))
    entry = job.snapshot.answers.get(job.key)
    if entry is None:
        entry = await anyio.to_thread.run_sync(_compute, job, limiter=limiter)
    if overlay is not None:
        return _dumps(with_applications(entry.answer, need_id, overlay, limit))
    return render(entry, need_id)


def render(entry: CachedAnswer, need_id: int | None) -> bytes:
    answer = entry.answer
    if need_id is None:
        if entry.unstored_bytes is None:
            entry.unstored_bytes = _dumps({**answer, "need": {**answer["need"], "id": None}})
        return entry.unstored_bytes
    return _dumps({**answer, "need": {**answer["need"], "id": need_id}})


def with_applications(
    answer: dict[str, Any], need_id: int | None, overlay: ApplicationOverlay, limit: int
) -> dict[str, Any]:
    """A copy of the cached `answer` (never changed) without hidden programmes, at most `limit`
    items ranked from 1 again, each with its programme's `application` (null when none)."""
    hidden = overlay.hidden
    items: list[dict[str, Any]] = []
    for item in answer["items"]:
        code = item["programme"]["code"]
        if code in hidden:
            continue
        if len(items) == limit:
            break
        application = overlay.applications.get(code)
        reference = {"id": application[0], "status": application[1]} if application is not None else None
        items.append({**item, "rank": len(items) + 1, "application": reference})
    return {**answer, "need": {**answer["need"], "id": need_id}, "items": items}


def _dumps(value: dict[str, Any]) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
