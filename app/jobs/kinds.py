"""The kinds of job the worker loop runs: each a plain function `run(context, payload)`."""

from __future__ import annotations

import logging
from typing import Any

from app.db import unit_of_work
from app.errors import Conflict
from app.jobs.context import JobContext, JobFunction
from app.services import calls
from app.services.audit import SCHEDULE

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


KINDS: dict[str, JobFunction] = {
    calls.REFRESH_JOB: refresh_calls,
}
