"""Calendar feeds: an organisation's deadlines as an iCalendar (RFC 5545) feed that calendar
programs subscribe to.

A calendar program cannot send a token, so the feed's URL carries a secret; only its SHA-256 hash
is stored, and deleting the feed revokes the URL at once. The feed holds one event per deadline:
the call deadline and the internal deadline of each application not yet decided, and the deadline
of each open or forthcoming call that `call.matched` announced for an active need. Each event's
`UID` is derived from what it is about (never from the moment it was made), so a calendar
program updates the event when a deadline moves instead of adding a second one.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from icalendar import Alarm, Calendar, Event
from sqlmodel import Session, col, select

from app.errors import NotFound
from app.i18n import render
from app.matching.calls import call_status
from app.models import Application, Need
from app.models.notices import CalendarFeed, CalendarFeedCreate, OutboxEvent
from app.principal import Principal
from app.services import audit
from app.services.snapshot import CatalogueSnapshot

FEED_PATH = "/api/v1/calendar/{token}.ics"
UNDECIDED = ("interested", "preparing", "submitted")
UID_DOMAIN = "fundmatch"

TEXT = {
    "sv": {
        "call": "Sista ansökningsdag: {call} – {need}",
        "internal": "Intern deadline: {programme} – {need}",
        "matched": "Utlysning stänger: {call} – {need}",
        "programme": "Program",
        "status": "Status",
        "owner": "Ansvarig",
        "score": "Matchning",
        "alarm": "Om {days} dagar: {summary}",
    },
    "en": {
        "call": "Deadline: {call} – {need}",
        "internal": "Internal deadline: {programme} – {need}",
        "matched": "Call closes: {call} – {need}",
        "programme": "Programme",
        "status": "Status",
        "owner": "Owner",
        "score": "Match",
        "alarm": "In {days} days: {summary}",
    },
}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + FEED_PATH.format(token=token)


def create_feed(
    session: Session, principal: Principal, body: CalendarFeedCreate, base_url: str, now: datetime
) -> tuple[CalendarFeed, str]:
    """A new feed and its URL (returned here only)."""
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(
        organisation_id=principal.organisation_id,
        name=body.name,
        language=body.language,
        token_hash=token_hash(token),
        created_by=principal.key_name,
        created_at=now,
    )
    session.add(feed)
    session.flush()
    audit.record_by(session, principal, "calendar_feed.create", f"calendar_feed/{feed.id}")
    session.commit()
    return feed, feed_url(base_url, token)


def list_feeds(session: Session, principal: Principal) -> list[CalendarFeed]:
    query = select(CalendarFeed).where(CalendarFeed.organisation_id == principal.organisation_id)
    return list(session.exec(query.order_by(col(CalendarFeed.id))).all())


def delete_feed(session: Session, principal: Principal, feed_id: int) -> None:
    feed = session.exec(
        select(CalendarFeed).where(
            CalendarFeed.id == feed_id, CalendarFeed.organisation_id == principal.organisation_id
        )
    ).first()
    if feed is None:
        raise NotFound(f"No calendar feed with id {feed_id}.")
    session.delete(feed)
    audit.record_by(session, principal, "calendar_feed.delete", f"calendar_feed/{feed_id}")
    session.commit()


def feed_of(session: Session, token: str) -> CalendarFeed:
    feed = session.exec(select(CalendarFeed).where(CalendarFeed.token_hash == token_hash(token))).first()
    if feed is None:
        raise NotFound("No such calendar feed.")
    return feed


@dataclass(frozen=True)
class Deadline:
    uid: str
    summary: str
    start: datetime | date
    url: str | None
    description: str


def deadlines(session: Session, feed: CalendarFeed, snapshot: CatalogueSnapshot, now: datetime) -> list[Deadline]:
    """The feed's deadlines, in a stable order."""
    text = TEXT.get(feed.language, TEXT["en"])
    language = feed.language
    needs = {
        need.id: need for need in session.exec(select(Need).where(Need.organisation_id == feed.organisation_id)).all()
    }
    programmes = snapshot.by_code.get("programmes", {})
    calls = snapshot.by_code.get("calls", {})
    found: list[Deadline] = []
    # a matched call the need applied to (at any status), or whose programme it dismissed, is left out
    applied: set[tuple[int, str]] = set()
    for need_id, programme_code, call_code, status in session.exec(
        select(Application.need_id, Application.programme_code, Application.call_code, Application.status).where(
            Application.organisation_id == feed.organisation_id
        )
    ).all():
        if call_code:
            applied.add((need_id, call_code))
        if status == "dismissed":
            applied.update((need_id, code) for code, call in calls.items() if call.get("programme") == programme_code)
    applications = session.exec(
        select(Application)
        .where(Application.organisation_id == feed.organisation_id, col(Application.status).in_(UNDECIDED))
        .order_by(col(Application.id))
    ).all()
    for application in applications:
        need = needs.get(application.need_id)
        need_title = need.title if need else ""
        programme = programmes.get(application.programme_code, {})
        programme_name = render(programme.get("name"), language) or application.programme_code
        lines = [f"{text['programme']}: {programme_name}", f"{text['status']}: {application.status}"]
        if application.owner:
            lines.append(f"{text['owner']}: {application.owner}")
        call = calls.get(application.call_code or "")
        if call is not None and call.get("deadline_at"):
            call_title = render(call.get("title"), language) or call["code"]
            found.append(
                Deadline(
                    uid=f"application-{application.id}-call-deadline@{UID_DOMAIN}",
                    summary=text["call"].format(call=call_title, need=need_title),
                    start=datetime.fromisoformat(call["deadline_at"]),
                    url=call.get("url") or programme.get("url"),
                    description="\n".join([call_title, *lines]),
                )
            )
        if application.internal_deadline is not None:
            found.append(
                Deadline(
                    uid=f"application-{application.id}-internal-deadline@{UID_DOMAIN}",
                    summary=text["internal"].format(programme=programme_name, need=need_title),
                    start=application.internal_deadline,
                    url=(call or {}).get("url") or programme.get("url"),
                    description="\n".join(lines),
                )
            )
    found.extend(_matched(session, feed, snapshot, needs, applied, now, text))
    return found


def _matched(
    session: Session,
    feed: CalendarFeed,
    snapshot: CatalogueSnapshot,
    needs: dict[int | None, Need],
    applied: set[tuple[int, str]],
    now: datetime,
    text: dict[str, str],
) -> list[Deadline]:
    """The calls `call.matched` announced, still open or forthcoming, of needs still active."""
    calls = snapshot.by_code.get("calls", {})
    programmes = snapshot.by_code.get("programmes", {})
    seen: dict[tuple[int, str], dict[str, Any]] = {}
    for body in session.exec(
        select(OutboxEvent.body)
        .where(OutboxEvent.organisation_id == feed.organisation_id, OutboxEvent.type == "call.matched")
        .order_by(col(OutboxEvent.id))
    ).all():
        data = body.get("data", {})
        seen[(int(data["need"]["id"]), str(data["call"]["code"]))] = data
    found = []
    for (need_id, code), data in sorted(seen.items()):
        need = needs.get(need_id)
        call = calls.get(code)
        if need is None or need.status != "active" or call is None or (need_id, code) in applied:
            continue
        if not call.get("deadline_at"):
            continue
        deadline = datetime.fromisoformat(call["deadline_at"])
        opens = datetime.fromisoformat(call["opens_at"]) if call.get("opens_at") else None
        if call_status(opens, deadline, now) == "closed":
            continue
        call_title = render(call.get("title"), feed.language) or code
        programme = programmes.get(call.get("programme", ""), {})
        programme_name = render(programme.get("name"), feed.language)
        lines = [call_title, f"{text['programme']}: {programme_name}", f"{text['score']}: {data.get('score')}"]
        found.append(
            Deadline(
                uid=f"match-{need_id}-{code}@{UID_DOMAIN}",
                summary=text["matched"].format(call=call_title, need=need.title),
                start=deadline,
                url=call.get("url") or programme.get("url"),
                description="\n".join(lines),
            )
        )
    return found


def render_feed(
    session: Session, feed: CalendarFeed, snapshot: CatalogueSnapshot, alert_days: tuple[int, ...], now: datetime
) -> bytes:
    text = TEXT.get(feed.language, TEXT["en"])
    calendar = Calendar()
    calendar.add("prodid", "-//fundmatch//deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", feed.name)
    for deadline in deadlines(session, feed, snapshot, now):
        event = Event()
        event.add("uid", deadline.uid)
        event.add("dtstamp", now.astimezone(UTC))
        event.add("summary", deadline.summary)
        # In UTC: a fixed offset such as +01:00 has no TZID, and would be written as floating time.
        start = deadline.start.astimezone(UTC) if isinstance(deadline.start, datetime) else deadline.start
        event.add("dtstart", start)
        if not isinstance(deadline.start, datetime):  # an all-day event ends the next day
            event.add("dtend", deadline.start + timedelta(days=1))
        if deadline.url:
            event.add("url", deadline.url)
        event.add("description", deadline.description)
        for days in alert_days:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", timedelta(days=-days))
            alarm.add("description", text["alarm"].format(days=days, summary=deadline.summary))
            event.add_component(alarm)
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical
