"""Importing live calls into the catalogue (merge: programmes and other calls stay)."""

from __future__ import annotations

from datetime import datetime

import httpx
from sqlmodel import Session, select

from app.catalogue.document import FORMAT
from app.catalogue.ftportal import ImportReport, fetch_topics, to_calls
from app.models import Programme
from app.services.catalogue import ImportResult, apply_document


def import_ftportal_calls(
    session: Session,
    client: httpx.Client,
    *,
    base_url: str,
    api_key: str,
    now: datetime,
    dry_run: bool = False,
    max_pages: int = 50,
) -> tuple[ImportReport, ImportResult | None]:
    rows = fetch_topics(client, base_url, api_key, max_pages=max_pages)
    known = session.exec(select(Programme.code)).all()
    report = to_calls(rows, known, now)
    if dry_run or not report.calls:
        return report, None
    result = apply_document(session, {"format": FORMAT, "calls": report.calls}, "merge")
    session.commit()
    return report, result
