"""Open and forthcoming calls from the EU Funding & Tenders Portal search service (SEDIA).

The service takes multipart parts (`query`, `languages`, `sort`) as JSON file parts and answers
pages of `results[]` whose `metadata` values are all lists. We ask for grant topics and calls
(types 1, 2, 8) that are forthcoming or open in 2021–2027, sorted by identifier so that paging is
stable, keep English rows, and map each topic to a catalogue programme by its identifier prefix.
Topics of programmes the catalogue does not hold are skipped and counted.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import httpx

FORTHCOMING, OPEN = "31094501", "31094502"
TOPIC_URL = "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/topic-details/{}"
QUERY = {
    "bool": {
        "must": [
            {"terms": {"type": ["1", "2", "8"]}},
            {"terms": {"status": [FORTHCOMING, OPEN]}},
            {"term": {"programmePeriod": "2021 - 2027"}},
        ]
    }
}

# Identifier patterns -> catalogue programme code, most specific first.
PROGRAMME_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^HORIZON-MISS-\d{4}-\d+-CIT", "horizon-europe-cities-mission"),
    (r"^HORIZON-MISS-\d{4}-\d+-CLIMA", "horizon-europe-adaptation-mission"),
    (r"^(HORIZON-)?EIC-", "eic-accelerator"),
    (r"^HORIZON-", "horizon-europe"),
    (r"^LIFE-\d{4}-.*CET", "life-clean-energy-transition"),
    (r"^LIFE-\d{4}-.*NAT", "life-nature-biodiversity"),
    (r"^LIFE-\d{4}-.*ENV", "life-circular-economy"),
    (r"^LIFE-\d{4}-.*CLIMA", "life-climate-action"),
    (r"^CERV-\d{4}-CITIZENS-TOWN-TT", "cerv-town-twinning"),
    (r"^CERV-\d{4}-CITIZENS-TOWN-NT", "cerv-networks-of-towns"),
    (r"^CERV-\d{4}-DAPHNE", "cerv-daphne"),
    (r"^CERV-", "cerv"),
    (r"^CREA-MEDIA", "creative-europe-media"),
    (r"^CREA-", "creative-europe-culture"),
    (r"^ERASMUS-SPORT", "erasmus-plus-sport"),
    (r"^ERASMUS-YOUTH", "erasmus-plus-youth"),
    (r"^ESC-", "european-solidarity-corps"),
    (r"^DIGITAL-", "digital-europe"),
    (r"^CEF-", "cef"),
    (r"^EU4H-", "eu4health"),
    (r"^SMP-", "single-market-programme"),
    (r"^URBACT", "urbact"),
)
_COMPILED = tuple((re.compile(pattern), code) for pattern, code in PROGRAMME_PATTERNS)
_TAG = re.compile(r"<[^>]+>")


class PortalError(RuntimeError):
    """The portal did not answer as expected."""


@dataclass
class ImportReport:
    fetched: int = 0
    calls: list[dict[str, Any]] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)


def fetch_topics(
    client: httpx.Client, base_url: str, api_key: str, *, page_size: int = 100, max_pages: int = 50
) -> list[dict[str, Any]]:
    """Every result row, page by page, until a short page or `max_pages`."""
    rows: list[dict[str, Any]] = []
    for page in range(1, max_pages + 1):
        files = {
            "query": ("blob", json.dumps(QUERY), "application/json"),
            "languages": ("blob", json.dumps(["en"]), "application/json"),
            "sort": ("blob", json.dumps({"field": "identifier", "order": "ASC"}), "application/json"),
        }
        params = {"apiKey": api_key, "text": "***", "pageSize": str(page_size), "pageNumber": str(page)}
        try:
            response = client.post(base_url, params=params, files=files)
        except httpx.HTTPError as exc:
            raise PortalError(f"the portal did not answer: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise PortalError(f"the portal answered HTTP {response.status_code} for page {page}")
        try:
            results = response.json().get("results") or []
        except (ValueError, AttributeError) as exc:
            raise PortalError(f"page {page} is not a JSON search answer") from exc
        rows.extend(row for row in results if isinstance(row, dict))
        if len(results) < page_size:
            break
    return rows


def programme_for(identifier: str, known: Iterable[str]) -> str | None:
    known_codes = set(known)
    for pattern, code in _COMPILED:
        if pattern.search(identifier):
            return code if code in known_codes else None
    return None


def to_calls(rows: Iterable[Mapping[str, Any]], known_programmes: Iterable[str], now: datetime) -> ImportReport:
    """Catalogue call records from result rows: deduplicated, open or forthcoming, mapped to programmes."""
    report = ImportReport()
    known = set(known_programmes)
    seen: set[str] = set()
    for row in rows:
        report.fetched += 1
        meta = row.get("metadata") or {}
        identifier = _first(meta.get("identifier"))
        if not identifier or identifier in seen or row.get("language", "en") != "en":
            _count(report, "duplicate or not English")
            continue
        programme = programme_for(identifier, known)
        if programme is None:
            _count(report, "programme not in the catalogue")
            continue
        deadline = _next_deadline(meta.get("deadlineDate"), now)
        if deadline is None:
            _count(report, "no deadline ahead")
            continue
        seen.add(identifier)
        report.calls.append(_call(identifier, programme, row, meta, deadline, now))
    report.calls.sort(key=lambda call: call["code"])
    return report


def _call(
    identifier: str, programme: str, row: Mapping[str, Any], meta: Mapping[str, Any], deadline: datetime, now: datetime
) -> dict[str, Any]:
    url = TOPIC_URL.format(identifier)
    title = _first(meta.get("title")) or str(row.get("summary") or identifier)
    call: dict[str, Any] = {
        "code": _slug(identifier),
        "programme": programme,
        "title": {"en": _plain(title)[:500]},
        "deadline_at": deadline.isoformat(),
        "url": url,
        "external_id": identifier,
        "sources": [{"url": url, "retrieved": now.date().isoformat()}],
    }
    description = _plain(_first(meta.get("descriptionByte")) or "")
    if description and description.lower() != "null":
        call["description"] = {"en": description[:2000]}
    opens = _parse(_first(meta.get("startDate")))
    if opens is not None and opens <= deadline:
        call["opens_at"] = opens.isoformat()
    budget = _budget(identifier, _first(meta.get("budgetOverview")))
    if budget:
        call["budget_eur"] = budget
    return call


def _count(report: ImportReport, reason: str) -> None:
    report.skipped[reason] = report.skipped.get(reason, 0) + 1


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value is not None else None


def _slug(identifier: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", identifier.lower()).strip("-")
    return slug[:100].rstrip("-")


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", text))).strip()


def _parse(value: str | None) -> datetime | None:
    """Portal timestamps look like 2027-04-08T00:00:00.000+0000; dates like 2027-04-08."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(value[:10]), datetime.min.time())
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _next_deadline(values: Any, now: datetime) -> datetime | None:
    """The next cut-off ahead; the first listed date can be years old."""
    moments = sorted(m for m in (_parse(str(v)) for v in (values or [])) if m is not None)
    ahead = [m for m in moments if m >= now]
    return ahead[0] if ahead else None


def _budget(identifier: str, overview: str | None) -> int | None:
    """The topic's own budget: entries whose action names this identifier, summed over years."""
    if not overview:
        return None
    try:
        data = json.loads(overview)
    except ValueError:
        return None
    total = 0
    for entries in (data.get("budgetTopicActionMap") or {}).values():
        for entry in entries or []:
            if str(entry.get("action", "")).startswith(f"{identifier} "):
                for amount in (entry.get("budgetYearMap") or {}).values():
                    try:
                        total += int(float(amount))
                    except (TypeError, ValueError):
                        continue
    return total or None
