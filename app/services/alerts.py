"""Alerts: `call.matched` after a catalogue change, `deadline.approaching` on a schedule.

After a catalogue change (an import or a refresh), one `alerts.catalogue` job fans out into
`alerts.needs` jobs of at most `BATCH` active needs each, for the organisations that listen (an
active endpoint subscribed to `call.matched`, or a calendar feed); any worker of any server claims
them, so a large pass spreads over servers. Each batch ranks its needs against the new catalogue
and records one event per need, call and deadline: the event key is unique, so a need whose top
programmes keep the same call is not told twice, after a restart or on another server.

`deadline.approaching` looks at the undecided applications every hour: once a call deadline or
internal deadline is within a threshold of `FUNDMATCH_DEADLINE_ALERT_DAYS`, it fires once for the
tightest threshold reached (one that is reached late does not fire the wider ones as well).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.jobs.queue import enqueue
from app.matching import Lexicon, MatchIndex, answer_to_json, need_from_body
from app.models import Application, CatalogueCall, Need, Organisation
from app.models.notices import CalendarFeed, Webhook
from app.services import events
from app.services.applications import application_public, histories
from app.services.catalogue import ALERTS_JOB, current_version
from app.services.needs import need_body
from app.services.snapshot import CatalogueSnapshot, SnapshotCache
from app.services.suggestions import index_for
from app.settings import Settings

log = logging.getLogger("fundmatch.alerts")

CATALOGUE_JOB = ALERTS_JOB
NEEDS_JOB = "alerts.needs"
DEADLINES_JOB = "alerts.deadlines"
BATCH = 50
UNDECIDED_FOR_DEADLINES = ("interested", "preparing")
ANNOUNCED_STATUSES = ("open", "forthcoming")
GIVE_WAY_SECONDS = 0.02  # per need at most, so that a busy server still finishes its pass
GIVE_WAY_STEP = 0.002


def listening_organisations(session: Session) -> list[int]:
    """Organisations with an active endpoint for `call.matched`, or a calendar feed."""
    ids = set(session.exec(select(CalendarFeed.organisation_id)).all())
    for organisation_id, kinds in session.exec(
        select(Webhook.organisation_id, Webhook.events).where(col(Webhook.active).is_(True))
    ).all():
        if "call.matched" in kinds:
            ids.add(organisation_id)
    return sorted(ids)


def fan_out(session: Session, version: str, now: datetime, batch: int = BATCH) -> int:
    """Queue the batches of one version's pass (in the caller's transaction); returns how many."""
    organisations = listening_organisations(session)
    if not organisations:
        return 0
    need_ids = list(
        session.exec(
            select(Need.id)
            .where(col(Need.organisation_id).in_(organisations), Need.status == "active")
            .order_by(col(Need.id))
        ).all()
    )
    queued = 0
    for start in range(0, len(need_ids), batch):
        ids = need_ids[start : start + batch]
        if enqueue(
            session, NEEDS_JOB, {"version": version, "need_ids": ids}, key=f"{NEEDS_JOB}:{version}:{ids[0]}", run_at=now
        ):
            queued += 1
    return queued


def fresh_snapshot(snapshots: SnapshotCache, engine: Engine, attempts: int = 3) -> CatalogueSnapshot:
    """The worker's snapshot at the database's current version (waiting for a rebuild in progress)."""
    snapshot = snapshots.get()
    for _ in range(attempts):
        with Session(engine) as session:
            version = current_version(session)
        if snapshot.version == version:
            break
        snapshots.invalidate()
        snapshots.get()
        snapshots.wait_for_rebuild(timeout=600)
        snapshots.invalidate()
        snapshot = snapshots.get()
    return snapshot


@dataclass(frozen=True)
class AlertRules:
    top_n: int
    min_score: float

    @classmethod
    def of(cls, settings: Settings) -> AlertRules:
        return cls(settings.alert_top_n, settings.alert_min_score)


def _body(need: Need, organisation: Organisation | None) -> dict[str, Any]:
    body = need_body(need)
    if organisation is not None:
        body["applicant_type"] = body.get("applicant_type") or organisation.type
        body["country"] = body.get("country") or organisation.country
        body["region"] = body.get("region") or organisation.region
    return {key: value for key, value in body.items() if value is not None}


def matched_calls(
    index: MatchIndex,
    snapshot: CatalogueSnapshot,
    need: Need,
    organisation: Organisation | None,
    rules: AlertRules,
    now: datetime,
    dismissed: frozenset[str] = frozenset(),
) -> list[dict[str, Any]]:
    """The `call.matched` data of one need: each open or forthcoming call of a programme among its
    top eligible suggestions with a score of at least the minimum."""
    answer = answer_to_json(
        index.match(
            need_from_body(_body(need, organisation)), now=now, limit=rules.top_n, display_language=need.language
        )
    )
    calls = snapshot.by_code.get("calls", {})
    found = []
    for item in answer["items"]:
        programme = item["programme"]
        if not item["eligible"] or item["score"] < rules.min_score or programme["code"] in dismissed:
            continue
        for call in item["calls"]:
            if call["status"] not in ANNOUNCED_STATUSES:
                continue
            record = calls.get(call["code"], {})
            found.append(
                {
                    "need": {"id": need.id, "title": need.title},
                    "programme": {"code": programme["code"], "name": programme["name"]},
                    "call": {
                        "code": call["code"],
                        "title": call["title"],
                        "status": call["status"],
                        "opens_at": record.get("opens_at", call.get("opens_at")),
                        "deadline_at": record.get("deadline_at", call.get("deadline_at")),
                        "url": call.get("url") or record.get("url"),
                    },
                    "score": item["score"],
                    "rank": item["rank"],
                }
            )
    return found


def matched_key(data: dict[str, Any]) -> str:
    call = data["call"]
    return f"call.matched:{data['need']['id']}:{call['code']}:{call['deadline_at'] or '-'}"


def dismissed_programmes(session: Session, need_ids: Sequence[int]) -> dict[int, frozenset[str]]:
    rows = session.exec(
        select(Application.need_id, Application.programme_code).where(
            col(Application.need_id).in_(need_ids), Application.status == "dismissed"
        )
    ).all()
    by_need: dict[int, set[str]] = defaultdict(set)
    for need_id, code in rows:
        by_need[need_id].add(code)
    return {need_id: frozenset(codes) for need_id, codes in by_need.items()}


def announce_matches(
    session: Session,
    index: MatchIndex,
    snapshot: CatalogueSnapshot,
    need_ids: Sequence[int],
    rules: AlertRules,
    now: datetime,
    give_way: Callable[[], bool] = lambda: False,
) -> int:
    """Rank each active need of `need_ids` and record its new `call.matched` events (in the
    caller's transaction); returns how many were new. Before each need, it waits a moment (at
    most `GIVE_WAY_SECONDS`) while `give_way()` says a request is being ranked: both hold the
    GIL, and the request is the one somebody waits for."""
    needs = session.exec(
        select(Need).where(col(Need.id).in_(need_ids), Need.status == "active").order_by(col(Need.id))
    ).all()
    organisations = {
        org.id: org
        for org in session.exec(
            select(Organisation).where(col(Organisation.id).in_({n.organisation_id for n in needs}))
        ).all()
    }
    dismissed = dismissed_programmes(session, [n.id for n in needs if n.id is not None])
    # Rank first, write after: the batch's transaction takes the write lock (SQLite) only for
    # the short moment of its inserts, not while it ranks.
    found: list[tuple[int, dict[str, Any]]] = []
    for need in needs:
        _give_way(give_way)
        organisation = organisations.get(need.organisation_id)
        hidden = dismissed.get(need.id or 0, frozenset())
        found += [
            (need.organisation_id, d) for d in matched_calls(index, snapshot, need, organisation, rules, now, hidden)
        ]
    endpoints: dict[int, list[Webhook]] = {}
    recorded = 0
    for organisation_id, data in found:
        if organisation_id not in endpoints:
            endpoints[organisation_id] = events.active_webhooks(session, organisation_id)
        event = events.record(
            session,
            organisation_id,
            "call.matched",
            data,
            now,
            key=matched_key(data),
            webhooks=endpoints[organisation_id],
        )
        recorded += event is not None
    return recorded


def _give_way(busy: Callable[[], bool]) -> None:
    waited = 0.0
    while waited < GIVE_WAY_SECONDS and busy():
        time.sleep(GIVE_WAY_STEP)
        waited += GIVE_WAY_STEP


def index_of(snapshots: SnapshotCache, lexicon: Lexicon, engine: Engine) -> tuple[CatalogueSnapshot, MatchIndex]:
    snapshot = fresh_snapshot(snapshots, engine)
    return snapshot, index_for(snapshot, lexicon)


# --- deadlines ------------------------------------------------------------------------------------


def days_left(deadline: date, today: date) -> int:
    return (deadline - today).days


def tightest(days: int, thresholds: Sequence[int]) -> int | None:
    within = [t for t in thresholds if 0 <= days <= t]
    return min(within) if within else None


def announce_deadlines(session: Session, settings: Settings, now: datetime) -> int:
    """Record `deadline.approaching` for each undecided application whose deadline has come within
    a threshold (in the caller's transaction); returns how many were new."""
    thresholds = settings.deadline_alert_thresholds
    if not thresholds:
        return 0
    applications = session.exec(
        select(Application).where(col(Application.status).in_(UNDECIDED_FOR_DEADLINES)).order_by(col(Application.id))
    ).all()
    codes = {a.call_code for a in applications if a.call_code}
    calls = [
        {"code": code, "deadline_at": deadline}
        for code, deadline in session.exec(
            select(CatalogueCall.code, CatalogueCall.deadline_at).where(col(CatalogueCall.code).in_(codes))
        ).all()
    ]
    # Enough of a snapshot for the public form of an application (its call's deadline).
    snapshot = CatalogueSnapshot(version="-", document={"calls": calls})
    deadlines = {call["code"]: call["deadline_at"] for call in calls if call["deadline_at"]}
    today = now.date()
    histories_of = histories(session, (a.id for a in applications))
    endpoints: dict[int, list[Webhook]] = {}
    recorded = 0
    for application in applications:
        due: list[tuple[str, str, date]] = []
        call_deadline = deadlines.get(application.call_code or "")
        if call_deadline:
            due.append(("call", call_deadline, datetime.fromisoformat(call_deadline).date()))
        if application.internal_deadline is not None:
            due.append(("internal", application.internal_deadline.isoformat(), application.internal_deadline))
        for kind, written, day in due:
            left = days_left(day, today)
            threshold = tightest(left, thresholds)
            if threshold is None:
                continue
            organisation_id = application.organisation_id
            if organisation_id not in endpoints:
                endpoints[organisation_id] = events.active_webhooks(session, organisation_id)
            public = application_public(application, histories_of.get(application.id or 0, []), snapshot)
            data = {
                "application": public.model_dump(mode="json"),
                "deadline": written,
                "kind": kind,
                "days_left": left,
            }
            key = f"deadline.approaching:{application.id}:{kind}:{written}:{threshold}"
            event = events.record(
                session,
                organisation_id,
                "deadline.approaching",
                data,
                now,
                key=key,
                webhooks=endpoints[organisation_id],
            )
            recorded += event is not None
    return recorded
