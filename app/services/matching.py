"""Matching use cases: a need (stored or given) against the worker's index of the catalogue."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.matching import Lexicon, MatchIndex, answer_to_json, build_index, catalogue_from_document, need_from_body
from app.models import Organisation
from app.models.match import MatchRequest
from app.services.snapshot import CatalogueSnapshot


def index_for(snapshot: CatalogueSnapshot, lexicon: Lexicon) -> MatchIndex:
    """The snapshot's index, built on first use and kept for as long as the version stands."""
    index: MatchIndex = snapshot.index(
        lambda document, version: build_index(catalogue_from_document(document, version), lexicon)
    )
    return index


def with_organisation_defaults(body: dict[str, Any], organisation: Organisation) -> dict[str, Any]:
    body = dict(body)
    body["applicant_type"] = body.get("applicant_type") or organisation.type
    body["country"] = body.get("country") or organisation.country
    body["region"] = body.get("region") or organisation.region
    return body


def request_body(request: MatchRequest) -> dict[str, Any]:
    return request.model_dump(mode="json", exclude_none=True)


def rank(
    index: MatchIndex,
    body: dict[str, Any],
    *,
    need_id: int | None,
    today: date,
    limit: int,
    include_ineligible: bool,
    display_language: str | None,
) -> dict[str, Any]:
    answer = index.match(
        need_from_body(body),
        today=today,
        limit=limit,
        include_ineligible=include_ineligible,
        display_language=display_language,
    )
    result = answer_to_json(answer)
    result["need"]["id"] = need_id
    return result
