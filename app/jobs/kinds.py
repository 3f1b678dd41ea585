"""The kinds of job the worker loop runs: each a plain function `run(context, payload)`."""

from __future__ import annotations

import logging
from typing import Any

from app.db import unit_of_work
from app.errors import Conflict
from app.jobs.context import JobContext, JobFunction
from app.matching import load_lexicon
from app.services import alerts, calls, webhook_delivery
from app.services.audit import SCHEDULE
from app.services.events import DELIVER_JOB
from app.services.snapshot import SnapshotCache

log = logging.getLogger("fundmatch.jobs")


def refresh_calls(context: JobContext, payload: dict[str, Any]) -> None:
    """Refresh live calls: the one an admin started (`refresh_id`), or a scheduled one, which is
    skipped when another refresh holds the lease."""
    settings = context.settings
    refresh_id = payload.get("refresh_id")
    if not isinstance(refresh_id, int):
        with unit_of_work(context.engine) as session:
            try:
                refresh = calls.start_refresh(
                    session, context.clock(), "schedule", settings.refresh_lease_seconds, SCHEDULE
                )
                session.commit()
            except Conflict:
                log.info("scheduled refresh skipped: another refresh is running")
                return
        assert refresh.id is not None
        refresh_id = refresh.id
    client = context.http
    calls.run_refresh(context.engine, refresh_id, client, calls.portal_access(settings), context.clock)
    context.catalogue_changed()


def deliver_webhook(context: JobContext, payload: dict[str, Any]) -> None:
    """Send one attempt of one webhook delivery and record it (the next attempt is queued then)."""
    webhook_delivery.deliver(
        context.engine, context.settings, context.clock, int(payload["delivery_id"]), int(payload["attempt"])
    )


def alert_pass(context: JobContext, payload: dict[str, Any]) -> None:
    """A new catalogue version: queue its `call.matched` batches for the organisations that listen."""
    with unit_of_work(context.engine) as session:
        queued = alerts.fan_out(session, str(payload["version"]), context.clock())
        session.commit()
    log.info("alert pass queued", extra={"batches": queued, "catalogue_version": payload["version"]})


def alert_needs(context: JobContext, payload: dict[str, Any]) -> None:
    """One batch of the alert pass: rank its needs against the current catalogue."""
    snapshots = context.snapshots or SnapshotCache(context.engine, 0)
    lexicon = context.lexicon or load_lexicon(context.settings.lexicon_dir)
    snapshot, index = alerts.index_of(snapshots, lexicon, context.engine)
    need_ids = [int(n) for n in payload.get("need_ids", [])]
    with unit_of_work(context.engine) as session:
        rules = alerts.AlertRules.of(context.settings)
        alerts.announce_matches(
            session, index, snapshot, need_ids, rules, context.clock(), give_way=context.requests_busy
        )
        session.commit()


def alert_deadlines(context: JobContext, payload: dict[str, Any]) -> None:
    with unit_of_work(context.engine) as session:
        alerts.announce_deadlines(session, context.settings, context.clock())
        session.commit()


KINDS: dict[str, JobFunction] = {
    calls.REFRESH_JOB: refresh_calls,
    DELIVER_JOB: deliver_webhook,
    alerts.CATALOGUE_JOB: alert_pass,
    alerts.NEEDS_JOB: alert_needs,
    alerts.DEADLINES_JOB: alert_deadlines,
}
