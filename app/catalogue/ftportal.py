"""Open and forthcoming calls from the EU Funding & Tenders Portal search service (SEDIA).

The service takes multipart parts (`query`, `languages`, `sort`) as JSON file parts and answers
pages of `results[]` whose `metadata` values are all lists. We ask for grant topics and calls
(types 1, 2, 8) that are forthcoming or open in 2021–2027, sorted by identifier so that paging is
stable, keep English rows, and map each topic to a catalogue programme (see `programme_for`).

Fetching is all or nothing: `fetch_topics` returns every row or raises `PortalError`. A page that
fails in a way worth trying again (5xx, 429, a time-out, a dropped connection, JSON cut off or
malformed) is retried with exponential backoff and jitter (tenacity), within a number of attempts
per page and per run. The API key travels in the query string, so it never appears in an error.
"""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

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
SORT = {"field": "identifier", "order": "ASC"}

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

# Framework programmes: an identifier prefix, the code prefix of its strands in the catalogue, and
# its main programme. A topic of a framework the catalogue holds always lands on one of them.
FRAMEWORKS: tuple[tuple[str, str, str], ...] = (
    ("HORIZON-", "horizon-europe", "horizon-europe"),
    ("ERASMUS-", "erasmus-plus", "erasmus-plus"),
    ("LIFE-", "life-", "life"),
    ("CERV-", "cerv", "cerv"),
    ("CREA-", "creative-europe", "creative-europe"),
    ("ESC-", "european-solidarity-corps", "european-solidarity-corps"),
    ("DIGITAL-", "digital-europe", "digital-europe"),
    ("CEF-", "cef", "cef"),
    ("EU4H-", "eu4health", "eu4health"),
    ("SMP-", "single-market-programme", "single-market-programme"),
)
_WORD = re.compile(r"[a-z]+")
# Identifier abbreviations and the words a strand's name uses for them.
_ABBREVIATIONS = {
    "cove": "vocational",
    "vet": "vocational",
    "edu": "education",
    "sch": "school",
    "adu": "adult",
    "he": "higher",
    "yth": "youth",
    "sport": "sport",
}
_NOISE = frozenset({"and", "the", "of", "for", "in", "to", "a", "an", "on", "with", "plus", "eu", "europe", "european"})


class PortalError(RuntimeError):
    """The portal did not answer as expected; nothing was written."""


class RetryablePortalError(PortalError):
    """A failure worth trying again; `retry_after` is the wait the portal asked for, if any."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class FetchPolicy:
    """How hard to try. `sleep` is injectable so that tests never wait."""

    page_size: int = 100
    max_pages: int = 50
    attempts_per_page: int = 5
    retries_per_run: int = 12
    max_page_bytes: int = 16 * 1024 * 1024
    wait_initial: float = 2.0
    wait_max: float = 60.0
    retry_after_max: float = 300.0
    allow_http: bool = False
    sleep: Callable[[float], None] = time.sleep


@dataclass
class ImportReport:
    fetched: int = 0
    calls: list[dict[str, Any]] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    identifiers: set[str] = field(default_factory=set)


Progress = Callable[[int, int | None], None]  # pages fetched, pages expected (when known)


def check_url(base_url: str, *, allow_http: bool) -> None:
    """The API key travels in the query string: refuse to send it in clear text unless allowed."""
    scheme = urlsplit(base_url).scheme
    if scheme != "https" and not (allow_http and scheme == "http"):
        raise PortalError(
            "the portal URL must use https (FUNDMATCH_FTPORTAL_ALLOW_HTTP=true allows http for a test server or mirror)"
        )


def fetch_topics(
    client: httpx.Client,
    base_url: str,
    api_key: str,
    policy: FetchPolicy | None = None,
    *,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Every result row, page by page: all of them, or `PortalError`."""
    policy = policy or FetchPolicy()
    check_url(base_url, allow_http=policy.allow_http)
    budget = _RunBudget(policy.retries_per_run)
    rows: list[dict[str, Any]] = []
    total: int | None = None
    for page in range(1, policy.max_pages + 1):
        results, page_total = _fetch_page_with_retries(client, base_url, api_key, page, policy, budget)
        if total is not None and page_total is not None and page_total != total:
            raise PortalError(f"the portal's result set changed while paging (page {page}); try again")
        total = page_total if page_total is not None else total
        rows.extend(row for row in results if isinstance(row, dict))
        if progress is not None:
            progress(page, -(-total // policy.page_size) if total is not None else None)
        if len(results) < policy.page_size or (total is not None and page * policy.page_size >= total):
            return rows
    raise PortalError(f"the portal lists more than {policy.max_pages} pages of topics; raise the page limit")


class _RunBudget:
    def __init__(self, retries: int) -> None:
        self.left = retries

    def spend(self, exc: BaseException) -> None:
        self.left -= 1
        if self.left < 0:
            raise PortalError(f"too many failed requests in this run; the last: {exc}") from exc


def _fetch_page_with_retries(
    client: httpx.Client, base_url: str, api_key: str, page: int, policy: FetchPolicy, budget: _RunBudget
) -> tuple[list[Any], int | None]:
    backoff = wait_random_exponential(multiplier=policy.wait_initial, max=policy.wait_max)

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        if isinstance(exc, RetryablePortalError):
            budget.spend(exc)
            if exc.retry_after is not None:
                return min(exc.retry_after, policy.retry_after_max)
        return float(backoff(state))

    retrying = Retrying(
        retry=retry_if_exception_type(RetryablePortalError),
        stop=stop_after_attempt(policy.attempts_per_page),
        wait=wait,
        sleep=policy.sleep,
        reraise=True,
    )
    try:
        for attempt in retrying:
            with attempt:
                return _fetch_page(client, base_url, api_key, page, policy)
    except RetryablePortalError as exc:
        raise PortalError(f"{exc} (gave up after {policy.attempts_per_page} attempts)") from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _fetch_page(
    client: httpx.Client, base_url: str, api_key: str, page: int, policy: FetchPolicy
) -> tuple[list[Any], int | None]:
    files = {
        "query": ("blob", json.dumps(QUERY), "application/json"),
        "languages": ("blob", json.dumps(["en"]), "application/json"),
        "sort": ("blob", json.dumps(SORT), "application/json"),
    }
    params = {"apiKey": api_key, "text": "***", "pageSize": str(policy.page_size), "pageNumber": str(page)}
    try:
        with client.stream("POST", base_url, params=params, files=files) as response:
            status = response.status_code
            if status == 429 or status >= 500:
                raise RetryablePortalError(
                    f"the portal answered HTTP {status} for page {page}", _retry_after(response.headers)
                )
            if status != 200:
                raise PortalError(f"the portal answered HTTP {status} for page {page}")
            body = _read_capped(response, policy.max_page_bytes, page)
    except httpx.TransportError as exc:  # connection refused or dropped, time-outs, a body cut off
        raise RetryablePortalError(f"the portal did not answer page {page}: {type(exc).__name__}") from exc
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise RetryablePortalError(f"page {page} is cut off or not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("results", []), list):
        raise RetryablePortalError(f"page {page} is not a search answer")
    total = data.get("totalResults")
    return data.get("results") or [], total if isinstance(total, int) and total >= 0 else None


def _read_capped(response: httpx.Response, cap: int, page: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > cap:
            raise PortalError(f"page {page} is larger than {cap} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _retry_after(headers: httpx.Headers) -> float | None:
    """Seconds from `Retry-After` (a number or an HTTP date), if the portal sent one."""
    value = headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def programme_for(identifier: str, known: Iterable[str] | Mapping[str, str], text: str = "") -> str | None:
    """The catalogue programme of a topic: the most specific identifier pattern whose programme the
    catalogue holds; else, for a framework programme the catalogue holds, its strand closest to the
    identifier and `text` (the topic's title), else its main programme, else its first strand."""
    profiles = known if isinstance(known, Mapping) else {code: "" for code in known}
    for pattern, code in _COMPILED:
        if pattern.search(identifier) and code in profiles:
            return code
    for prefix, strand_prefix, main in FRAMEWORKS:
        if identifier.upper().startswith(prefix):
            strands = sorted(code for code in profiles if code.startswith(strand_prefix))
            if not strands:
                return None
            return _closest(identifier, text, strands, profiles) or (main if main in profiles else strands[0])
    return None


def _closest(identifier: str, text: str, strands: list[str], profiles: Mapping[str, str]) -> str | None:
    words = _words(identifier.replace("-", " ") + " " + text)
    best, best_score = None, 0
    for code in strands:  # sorted: the first of equal scores wins
        score = len(words & _words(code.replace("-", " ") + " " + profiles[code]))
        if score > best_score:
            best, best_score = code, score
    return best


def _words(text: str) -> set[str]:
    words = {word for word in _WORD.findall(text.lower()) if word not in _NOISE}
    return words | {_ABBREVIATIONS[word] for word in words if word in _ABBREVIATIONS}


def to_calls(
    rows: Iterable[Mapping[str, Any]], known_programmes: Iterable[str] | Mapping[str, str], now: datetime
) -> ImportReport:
    """Catalogue call records from result rows: deduplicated, open or forthcoming, mapped to
    programmes. `known_programmes` is the catalogue's codes, or its codes with a text each (name and
    keywords) to choose the closest strand of a framework programme by."""
    report = ImportReport()
    known = known_programmes if isinstance(known_programmes, Mapping) else dict.fromkeys(known_programmes, "")
    seen: set[str] = set()
    for row in rows:
        report.fetched += 1
        meta = row.get("metadata") or {}
        if not isinstance(meta, Mapping):
            _count(report, "malformed row")
            continue
        identifier = _first(meta.get("identifier"))
        if identifier:
            report.identifiers.add(identifier)
        if not identifier or identifier in seen or row.get("language", "en") != "en":
            _count(report, "duplicate or not English")
            continue
        title = _first(meta.get("title")) or str(row.get("summary") or identifier)
        programme = programme_for(identifier, known, plain_text(title))
        if programme is None:
            _count(report, "programme not in the catalogue")
            continue
        deadline = _next_deadline(meta.get("deadlineDate"), now)
        if deadline is None:
            _count(report, "no deadline ahead")
            continue
        seen.add(identifier)
        report.calls.append(_call(identifier, programme, title, meta, deadline, now))
    report.calls.sort(key=lambda call: call["code"])
    return report


def _call(
    identifier: str, programme: str, title: str, meta: Mapping[str, Any], deadline: datetime, now: datetime
) -> dict[str, Any]:
    url = TOPIC_URL.format(identifier)
    call: dict[str, Any] = {
        "code": slug(identifier),
        "programme": programme,
        "title": {"en": (plain_text(title) or identifier)[:500]},
        "deadline_at": deadline.isoformat(),
        "url": url,
        "external_id": identifier,
        "sources": [{"url": url, "retrieved": now.date().isoformat()}],
    }
    description = plain_text(_first(meta.get("descriptionByte")) or "")
    if description:
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


def slug(identifier: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", identifier.lower()).strip("-")
    return text[:100].rstrip("-")


_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section", "blockquote"}
)
_SPACE = re.compile(r"\s+")


def plain_text(markup: str) -> str:
    """Text of portal HTML: tags out, entities decoded, blank and literal `null` paragraphs dropped.

    A linear scan, not a tag regex: `<[^>]+>` rescans to the end from every `<` that has no `>`,
    which is quadratic on hostile text (and so is html.parser on `<a b<a b…`)."""
    pieces: list[str] = []
    pos = 0
    while True:
        start = markup.find("<", pos)
        end = markup.find(">", start + 1) if start >= 0 else -1
        if end < 0:  # no tag left: every later `<` lacks its `>` as well
            pieces.append(markup[pos:])
            break
        pieces.append(markup[pos:start])
        name = markup[start + 1 : end].lstrip("/").split(maxsplit=1)
        pieces.append("\n" if name and name[0].lower().rstrip("/") in _BLOCK_TAGS else " ")
        pos = end + 1
    paragraphs = (_SPACE.sub(" ", html.unescape(part)).strip() for part in "".join(pieces).split("\n"))
    return " ".join(p for p in paragraphs if p and p.lower() != "null")


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
    if not isinstance(values, list):
        values = [values] if values else []
    moments = sorted(m for m in (_parse(str(v)) for v in values) if m is not None)
    ahead = [m for m in moments if m >= now]
    return ahead[0] if ahead else None


def _budget(identifier: str, overview: str | None) -> int | None:
    """The topic's own budget: entries whose action names this identifier, summed over years.
    Anything not shaped as expected counts as no budget: it never stops a refresh."""
    if not overview:
        return None
    try:
        data = json.loads(overview)
    except ValueError:
        return None
    actions = data.get("budgetTopicActionMap") if isinstance(data, dict) else None
    if not isinstance(actions, dict):
        return None
    total = 0
    for entries in actions.values():
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict) or not str(entry.get("action", "")).startswith(f"{identifier} "):
                continue
            years = entry.get("budgetYearMap")
            for amount in years.values() if isinstance(years, dict) else []:
                try:
                    total += int(float(amount))
                except (TypeError, ValueError, OverflowError):
                    continue
    return total or None
