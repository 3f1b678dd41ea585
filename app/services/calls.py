"""Live calls: refreshes from the EU Funding & Tenders Portal, one at a time, all or nothing.

A refresh is a row in the refresh log and a lease in the database (`refresh:ftportal`) held by
that row while it runs: a second refresh, from any worker or server, is refused while the lease
stands, and a refresh whose process died frees it when the lease expires (nobody renews it).

`run_refresh` fetches every page first (the portal may take minutes), then writes in one
transaction: new and changed calls are merged, portal calls that are no longer listed are closed
(their deadline becomes the refresh moment; nothing is deleted, so applications keep their call),
and the refresh row records the counts. A failure at any point writes no call and records why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from app.catalogue.document import FORMAT
from app.catalogue.ftportal import TOPIC_URL, FetchPolicy, ImportReport, PortalError, Progress, fetch_topics, to_calls
from app.db import unit_of_work
from app.errors import AppError, Conflict, NotFound
from app.jobs import lease
from app.jobs.queue import enqueue
from app.matching.calls import call_status
from app.models import CatalogueCall, CatalogueRefresh, Programme
from app.models.refresh import REFRESH_FAILED, REFRESH_RUNNING, REFRESH_SUCCEEDED, RefreshPublic
from app.pagination import PageParams
from app.services import audit
from app.services.catalogue import apply_document
from app.settings import Settings

log = logging.getLogger("fundmatch.calls")

LEASE = "refresh:ftportal"
REFRESH_JOB = "calls.refresh"
ABANDONED = "abandoned: the process running it stopped before it finished"
_TOPIC_PREFIX = TOPIC_URL.format("")


@dataclass(frozen=True)
class PortalAccess:
    """Where and how to read the portal."""

    base_url: str
    api_key: str
    policy: FetchPolicy
    lease_seconds: float = 600.0


def holder(refresh_id: int) -> str:
    return f"refresh-{refresh_id}"


def start_refresh(
    session: Session, now: datetime, trigger: str, lease_seconds: float, actor: audit.Actor
) -> CatalogueRefresh:
    """Record a new refresh and take the lease for it, or `Conflict` while another one runs.
    Writes into the caller's transaction; the caller commits."""
    running = lease.holder_of(session, LEASE, now)
    if running is not None:
        raise Conflict(f"A refresh of live calls is running ({running}); try again when it has finished.")
    refresh = CatalogueRefresh(source="ftportal", trigger=trigger, started_at=now, status=REFRESH_RUNNING)
    session.add(refresh)
    session.flush()
    assert refresh.id is not None
    if not lease.acquire(session, LEASE, holder(refresh.id), now, lease_seconds):
        session.rollback()
        raise Conflict("A refresh of live calls is running; try again when it has finished.")
    _abandon_others(session, refresh.id, now)
    audit.record(session, actor, "catalogue.refresh", f"refresh/{refresh.id}", None)
    return refresh


def request_refresh(session: Session, now: datetime, lease_seconds: float, actor: audit.Actor) -> RefreshPublic:
    """An admin's refresh: recorded and queued for the worker loop (202); 409 while one runs."""
    refresh = start_refresh(session, now, "admin", lease_seconds, actor)
    enqueue(session, REFRESH_JOB, {"refresh_id": refresh.id}, run_at=now, max_attempts=1)
    session.commit()
    return _public(refresh, holder(refresh.id or 0))


def run_refresh(
    engine: Engine,
    refresh_id: int,
    client: httpx.Client,
    access: PortalAccess,
    clock: Callable[[], datetime],
    *,
    progress: Progress | None = None,
) -> CatalogueRefresh:
    """Fetch, map and write a started refresh; always ends it (succeeded or failed) and frees the lease."""
    me = holder(refresh_id)

    def on_page(done: int, expected: int | None) -> None:
        with unit_of_work(engine) as session:
            kept = lease.renew(session, LEASE, me, clock(), access.lease_seconds)
            session.commit()
        if not kept:
            raise PortalError("the refresh lost its lease (it ran longer than the lease without renewing it)")
        if progress is not None:
            progress(done, expected)

    try:
        rows = fetch_topics(client, access.base_url, access.api_key, access.policy, progress=on_page)
        if not rows:
            raise PortalError("the portal listed no topics at all; the calls were left as they were")
        with unit_of_work(engine) as session:
            refresh = _write(session, refresh_id, rows, clock())
            session.commit()
    except (PortalError, AppError) as exc:
        return _fail(engine, refresh_id, _reason(exc), clock())
    except Exception as exc:
        log.exception("refresh of live calls failed unexpectedly", extra={"refresh_id": refresh_id})
        return _fail(engine, refresh_id, f"unexpected error: {type(exc).__name__}", clock())
    counts = {"refresh_id": refresh_id, "calls_created": refresh.created, "calls_updated": refresh.updated}
    log.info("refresh of live calls succeeded", extra={**counts, "calls_closed": refresh.closed})
    return refresh


def fetch_and_map(
    engine: Engine, client: httpx.Client, access: PortalAccess, now: datetime, progress: Progress | None = None
) -> ImportReport:
    """What a refresh would write, without writing (the CLI's `--dry-run`)."""
    rows = fetch_topics(client, access.base_url, access.api_key, access.policy, progress=progress)
    with unit_of_work(engine) as session:
        return to_calls(rows, _programme_profiles(session), now)


def _write(session: Session, refresh_id: int, rows: list[dict[str, Any]], now: datetime) -> CatalogueRefresh:
    refresh = session.get(CatalogueRefresh, refresh_id, with_for_update=True)
    if refresh is None or refresh.status != REFRESH_RUNNING:
        raise PortalError("the refresh was ended by another process")
    if lease.holder_of(session, LEASE, now) != holder(refresh_id):
        raise PortalError("the refresh lost its lease before it could write")
    report = to_calls(rows, _programme_profiles(session), now)
    _keep_retrieval_dates(session, report.calls)
    closing = _vanished(session, {call["code"] for call in report.calls}, now)
    result = apply_document(session, {"format": FORMAT, "calls": report.calls + closing}, "merge")
    refresh.status = REFRESH_SUCCEEDED
    refresh.finished_at = now
    refresh.fetched = report.fetched
    refresh.created = result.created.get("calls", 0)
    refresh.updated = result.updated.get("calls", 0) - len(closing)
    refresh.closed = len(closing)
    refresh.catalogue_version = result.version
    session.add(refresh)
    lease.release(session, LEASE, holder(refresh_id))
    return refresh


def _keep_retrieval_dates(session: Session, records: list[dict[str, Any]]) -> None:
    """A call the portal gives back unchanged keeps its sources' retrieval date, so that an unchanged
    portal leaves the catalogue (and its version, and every worker's index) as it was."""
    stored = {call.code: call for call in session.exec(select(CatalogueCall)).all()}
    for record in records:
        old = stored.get(record["code"])
        if old is None or not old.sources:
            continue
        compared = {k: v for k, v in record.items() if k != "sources"}
        before = {k: v for k, v in old.model_dump().items() if v is not None and k != "sources"}
        same_urls = [s.get("url") for s in old.sources] == [s.get("url") for s in record.get("sources") or []]
        if same_urls and _normalised(compared) == _normalised(before):
            record["sources"] = old.sources


def _normalised(record: dict[str, Any]) -> dict[str, Any]:
    """Dates as moments, so that `…Z` and `…+00:00` compare equal."""
    return {
        k: datetime.fromisoformat(v) if k in ("opens_at", "deadline_at") and isinstance(v, str) else v
        for k, v in record.items()
    }


def _vanished(session: Session, listed: set[str], now: datetime) -> list[dict[str, Any]]:
    """Portal calls still open or forthcoming that the portal no longer lists, as records closed now."""
    closing = []
    stored = session.exec(select(CatalogueCall).where(col(CatalogueCall.external_id).is_not(None))).all()
    for call in stored:
        if call.code in listed or not (call.url or "").startswith(_TOPIC_PREFIX):
            continue
        opens = datetime.fromisoformat(call.opens_at) if call.opens_at else None
        deadline = datetime.fromisoformat(call.deadline_at) if call.deadline_at else None
        if call_status(opens, deadline, now) == "closed":
            continue
        record = {k: v for k, v in call.model_dump().items() if v is not None}
        record["deadline_at"] = now.isoformat()
        if opens is not None and opens > now:
            record.pop("opens_at")
        closing.append(record)
    return closing


def _programme_profiles(session: Session) -> dict[str, str]:
    """Each programme's code with its English name and keywords, to choose a strand by."""
    profiles = {}
    for code, name, keywords in session.exec(select(Programme.code, Programme.name, Programme.keywords)).all():
        profiles[code] = " ".join([str((name or {}).get("en", "")), *(keywords or [])])
    return profiles


def _fail(engine: Engine, refresh_id: int, reason: str, now: datetime) -> CatalogueRefresh:
    with unit_of_work(engine) as session:
        refresh = session.get(CatalogueRefresh, refresh_id)
        if refresh is None:
            raise NotFound(f"No refresh {refresh_id}.")
        if refresh.status == REFRESH_RUNNING:
            refresh.status = REFRESH_FAILED
            refresh.finished_at = now
            refresh.error = reason[:2000]
            session.add(refresh)
        lease.release(session, LEASE, holder(refresh_id))
        session.commit()
    log.warning("refresh of live calls failed", extra={"refresh_id": refresh_id, "reason": reason})
    return refresh


def _reason(exc: Exception) -> str:
    if isinstance(exc, AppError):
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in (exc.errors or [])[:5])
        return f"{exc.detail} {problems}".strip()
    return str(exc)


def _abandon_others(session: Session, refresh_id: int, now: datetime) -> None:
    """Refreshes left `running` by a process that died: the lease has moved on, so they ended."""
    for stale in session.exec(
        select(CatalogueRefresh).where(CatalogueRefresh.status == REFRESH_RUNNING, CatalogueRefresh.id != refresh_id)
    ).all():
        stale.status, stale.finished_at, stale.error = REFRESH_FAILED, now, ABANDONED
        session.add(stale)


def list_refreshes(session: Session, page: PageParams, now: datetime) -> tuple[list[RefreshPublic], int]:
    """The refresh log, newest first."""
    current = lease.holder_of(session, LEASE, now)  # before the rows: see get_refresh
    total = session.exec(select(func.count()).select_from(CatalogueRefresh)).one()
    rows = session.exec(
        select(CatalogueRefresh).order_by(col(CatalogueRefresh.id).desc()).offset(page.offset).limit(page.limit)
    ).all()
    return [_public(row, current) for row in rows], total


def get_refresh(session: Session, refresh_id: int, now: datetime) -> RefreshPublic:
    # The lease first, then the row: a refresh ends (row and lease) in one commit, and under READ
    # COMMITTED a commit landing between two reads would otherwise pair the old `running` row with
    # the freed lease and report a refresh that succeeded as abandoned.
    current = lease.holder_of(session, LEASE, now)
    row = session.get(CatalogueRefresh, refresh_id)
    if row is None:
        raise NotFound(f"No refresh {refresh_id}.")
    return _public(row, current)


def _public(row: CatalogueRefresh, current_holder: str | None) -> RefreshPublic:
    public = RefreshPublic.model_validate(row, from_attributes=True)
    if row.status == REFRESH_RUNNING and current_holder != holder(row.id or 0):
        # its process died and its lease ran out: it will never finish
        public = public.model_copy(update={"status": REFRESH_FAILED, "error": ABANDONED})
    return public


def portal_access(settings: Settings, sleep: Callable[[float], None] | None = None) -> PortalAccess:
    policy = FetchPolicy(
        max_pages=settings.ftportal_max_pages,
        allow_http=settings.ftportal_allow_http,
        wait_initial=settings.ftportal_retry_initial_seconds,
    )
    if sleep is not None:
        policy = replace(policy, sleep=sleep)
    return PortalAccess(
        base_url=settings.ftportal_url,
        api_key=settings.ftportal_api_key.get_secret_value(),
        policy=policy,
        lease_seconds=settings.refresh_lease_seconds,
    )


def quiet_http_logs() -> None:
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)


def portal_client(settings: Settings) -> httpx.Client:
    """An HTTP client for the portal: a read time-out per page, JSON wanted. httpx logs each
    request's full URL at INFO, and the portal's API key is in it: its loggers stay at WARNING."""
    quiet_http_logs()
    timeout = httpx.Timeout(settings.ftportal_timeout_seconds, connect=min(10.0, settings.ftportal_timeout_seconds))
    return httpx.Client(timeout=timeout, headers={"Accept": "application/json"})
