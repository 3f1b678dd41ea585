"""Calendar feeds: created with a secret URL, parsed back with icalendar, revoked at once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import text

from tests.conftest import AppFactory, Clock, state_of
from tests.factories import catalogue, create_key, create_organisation, import_catalogue, need_body
from tests.notices import run_jobs

FEEDS = "/api/v1/calendar-feeds"
KA2_2027 = {
    "code": "erasmus-2027-ka2",
    "programme": "erasmus-plus",
    "title": {"en": "KA2 partnerships 2027", "sv": "KA2 partnerskap 2027"},
    "opens_at": "2026-11-01T00:00:00+01:00",
    "deadline_at": "2027-03-05T12:00:00+01:00",
    "url": "https://erasmus-plus.ec.europa.eu/ka2",
}


def _org(client: TestClient, admin: dict[str, str], code: str = "borlange") -> dict[str, str]:
    create_organisation(client, admin, code)
    return create_key(client, admin, code, ["write"])


def _feed(client: TestClient, url: str) -> Calendar:
    response = client.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def _events(calendar: Calendar) -> dict[str, Any]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_a_feed_holds_the_deadlines_of_undecided_applications_and_matched_calls(
    make_client: AppFactory, admin: dict[str, str], clock: Clock
) -> None:
    client = make_client()
    import_catalogue(
        client, admin, catalogue(calls=[c for c in catalogue()["calls"] if c["code"] == "erasmus-2026-ka2"])
    )
    headers = _org(client, admin)
    reader = create_key(client, admin, "borlange", ["read"], name="calendar")
    created = client.post(FEEDS, json={"name": "Internationella kontoret", "language": "sv"}, headers=reader)
    assert created.status_code == 201, created.text
    assert created.headers["cache-control"] == "no-store"
    feed = created.json()
    assert feed["url"].startswith("http://testserver/") and feed["url"].endswith(".ics")
    token = feed["url"].rsplit("/", 1)[1].removesuffix(".ics")
    with state_of(client).engine.connect() as conn:
        stored = [list(row) for row in conn.execute(text("SELECT * FROM calendar_feed"))]
    assert token not in str(stored)

    need = client.post("/api/v1/needs", json=need_body(), headers=headers).json()
    import_catalogue(client, admin, catalogue(calls=[*catalogue()["calls"], KA2_2027]))  # a catalogue change
    run_jobs(client, clock)  # the alert pass: the organisation has a feed
    internal = date(2027, 2, 1)
    application = client.post(
        f"/api/v1/needs/{need['id']}/applications",
        json={"programme": "erasmus-plus", "call": "erasmus-2027-ka1", "internal_deadline": internal.isoformat()},
        headers=headers,
    ).json()

    calendar = _feed(client, feed["url"])
    assert str(calendar["X-WR-CALNAME"]) == "Internationella kontoret"
    events = _events(calendar)
    call_uid = f"application-{application['id']}-call-deadline@fundmatch"
    internal_uid = f"application-{application['id']}-internal-deadline@fundmatch"
    matched_uid = f"match-{need['id']}-erasmus-2027-ka2@fundmatch"
    assert set(events) == {call_uid, internal_uid, matched_uid}
    call_event = events[call_uid]
    assert call_event.decoded("DTSTART") == datetime.fromisoformat("2027-02-18T12:00:00+01:00")
    assert str(call_event["SUMMARY"]) == f"Sista ansökningsdag: KA1 mobilitet 2027 – {need['title']}"
    assert "DTSTAMP" in call_event and str(call_event["URL"]).startswith("https://")
    assert "Erasmus+" in str(call_event["DESCRIPTION"])
    assert events[internal_uid].decoded("DTSTART") == internal
    assert str(events[internal_uid]["SUMMARY"]).startswith("Intern deadline: Erasmus+")
    assert str(events[matched_uid]["SUMMARY"]) == f"Utlysning stänger: KA2 partnerskap 2027 – {need['title']}"
    triggers = sorted(alarm.decoded("TRIGGER") for alarm in call_event.walk("VALARM"))
    assert triggers == [timedelta(days=-14), timedelta(days=-2)]

    # the same UIDs next time (a calendar program updates, not duplicates), and a decided
    # application leaves the feed
    assert set(_events(_feed(client, feed["url"]))) == set(events)
    for status in ("preparing", "submitted", "granted"):
        client.patch(f"/api/v1/applications/{application['id']}", json={"status": status}, headers=headers)
    assert set(_events(_feed(client, feed["url"]))) == {matched_uid}


def test_english_feeds_and_revocation(make_client: AppFactory, admin: dict[str, str], clock: Clock) -> None:
    client = make_client()
    import_catalogue(client, admin)
    headers = _org(client, admin)
    need = client.post("/api/v1/needs", json=need_body(), headers=headers).json()
    client.post(
        f"/api/v1/needs/{need['id']}/applications",
        json={"programme": "erasmus-plus", "call": "erasmus-2027-ka1"},
        headers=headers,
    )
    feed = client.post(FEEDS, json={"name": "Office", "language": "en"}, headers=headers).json()
    [event] = _feed(client, feed["url"]).walk("VEVENT")
    assert str(event["SUMMARY"]) == f"Deadline: KA1 mobility 2027 – {need['title']}"
    assert "In 14 days" in str(event.walk("VALARM")[0]["DESCRIPTION"])

    listed = client.get(FEEDS, headers=headers).json()
    assert listed["total"] == 1 and "url" not in listed["items"][0]
    other = _org(client, admin, "falun")
    assert client.delete(f"{FEEDS}/{feed['id']}", headers=other).status_code == 404
    assert client.delete(f"{FEEDS}/{feed['id']}", headers=headers).status_code == 204
    assert client.get(feed["url"].removeprefix("http://testserver")).status_code == 404
    assert client.get("/api/v1/calendar/not-a-real-token-but-long-enough.ics").status_code == 404
    actions = [e["action"] for e in client.get("/api/v1/audit-events", headers=admin).json()["items"]]
    assert {"calendar_feed.create", "calendar_feed.delete"} <= set(actions)


def test_feeds_need_a_token_and_the_public_url_setting_shapes_the_link(
    make_client: AppFactory, admin: dict[str, str]
) -> None:
    client = make_client(public_url="https://fundmatch.example.se/")
    headers = _org(client, admin)
    assert client.post(FEEDS, json={"name": "x"}).status_code == 401
    assert client.post(FEEDS, json={"name": "x", "language": "de"}, headers=headers).status_code == 422
    url = client.post(FEEDS, json={"name": "x"}, headers=headers).json()["url"]
    assert url.startswith("https://fundmatch.example.se/api/v1/calendar/") and url.endswith(".ics")
