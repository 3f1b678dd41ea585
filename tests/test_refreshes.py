"""The refresh log and starting a refresh through HTTP; the refresh job; closing vanished calls."""

from __future__ import annotations

import time
from typing import Any

import httpx
from fastapi.testclient import TestClient

from app.jobs.context import JobContext
from app.jobs.kinds import KINDS, refresh_calls
from app.services.calls import REFRESH_JOB
from tests.conftest import AppFactory, Clock, state_of
from tests.factories import create_key, create_organisation, import_catalogue
from tests.portal import PortalScript, serve_portal, topic

REFRESHES = "/api/v1/catalogue/refreshes"
TOPICS = [
    topic("ERASMUS-EDU-2027-CB-VET", ["2027-02-26T17:00:00.000+0000"], title="Capacity building in VET"),
    topic("ERASMUS-EDU-2027-PEX-COVE", ["2027-09-04T17:00:00.000+0000"], title="Centres of Vocational Excellence"),
]


def _run_queued_refresh(client: TestClient, transport: httpx.MockTransport, clock: Clock) -> None:
    """Run what the worker loop would run for the queued refresh job, with the given portal."""
    state = state_of(client)
    with httpx.Client(transport=transport) as http:
        context = JobContext(state.engine, state.settings, clock, http, state.snapshots.invalidate)
        from app.jobs import queue

        ran = []
        while (job := queue.claim(state.engine, "test-worker", clock(), 60)) is not None:
            # other queued work (the alert pass of a catalogue import) runs too, as in the loop
            KINDS[job.kind](context, job.payload)
            queue.complete(state.engine, job.id, "test-worker", clock())
            ran.append(job.kind)
            if job.kind == REFRESH_JOB:
                break
        assert REFRESH_JOB in ran


def test_an_admin_starts_a_refresh_and_a_second_is_refused_while_it_runs(
    client: TestClient, admin: dict[str, str], mock_transport: Any, clock: Clock
) -> None:
    import_catalogue(client, admin)
    started = client.post(REFRESHES, headers=admin)
    assert started.status_code == 202
    body = started.json()
    assert started.headers["Location"] == f"{REFRESHES}/{body['id']}"
    assert body["status"] == "running" and body["source"] == "ftportal" and body["finished_at"] is None
    refused = client.post(REFRESHES, headers=admin)
    assert refused.status_code == 409 and refused.headers["content-type"] == "application/problem+json"

    _run_queued_refresh(client, mock_transport(PortalScript(TOPICS, {1: ["503"]})), clock)
    done = client.get(started.headers["Location"], headers=admin).json()
    assert done["status"] == "succeeded" and done["created"] == 2 and done["error"] is None
    assert done["finished_at"] is not None
    assert client.post(REFRESHES, headers=admin).status_code == 202  # free again


def test_the_refresh_log_is_newest_first_and_readable_by_any_token(
    client: TestClient, admin: dict[str, str], mock_transport: Any, clock: Clock
) -> None:
    import_catalogue(client, admin)
    create_organisation(client, admin, "borlange")
    reader = create_key(client, admin, "borlange", ["read"])
    client.post(REFRESHES, headers=admin)
    _run_queued_refresh(client, mock_transport(PortalScript(TOPICS, {1: ["400"]})), clock)
    clock.advance(hours=1)
    client.post(REFRESHES, headers=admin)
    _run_queued_refresh(client, mock_transport(PortalScript(TOPICS)), clock)

    page = client.get(REFRESHES, headers=reader)
    assert page.status_code == 200
    items = page.json()["items"]
    assert page.json()["total"] == 2
    assert [(r["status"], r["trigger"]) for r in items] == [("succeeded", "admin"), ("failed", "admin")]
    assert set(items[0]) >= {
        "id",
        "source",
        "started_at",
        "finished_at",
        "status",
        "created",
        "updated",
        "closed",
        "error",
    }
    assert "HTTP 400" in items[1]["error"]
    assert client.post(REFRESHES, headers=reader).status_code == 403
    assert client.get(f"{REFRESHES}/999", headers=reader).status_code == 404
    assert client.get(REFRESHES).status_code == 401


def test_a_refresh_whose_process_died_frees_the_lease_when_it_expires(
    client: TestClient, admin: dict[str, str], clock: Clock
) -> None:
    first = client.post(REFRESHES, headers=admin).json()
    clock.advance(seconds=state_of(client).settings.refresh_lease_seconds - 1)
    assert client.post(REFRESHES, headers=admin).status_code == 409
    clock.advance(seconds=2)
    assert client.get(f"{REFRESHES}/{first['id']}", headers=admin).json()["status"] == "failed"
    second = client.post(REFRESHES, headers=admin)
    assert second.status_code == 202
    stale = client.get(f"{REFRESHES}/{first['id']}", headers=admin).json()
    assert stale["status"] == "failed" and stale["error"].startswith("abandoned")


def test_calls_that_vanish_from_the_portal_are_closed_not_deleted(
    client: TestClient, admin: dict[str, str], mock_transport: Any, clock: Clock
) -> None:
    import_catalogue(client, admin)
    client.post(REFRESHES, headers=admin)
    _run_queued_refresh(client, mock_transport(PortalScript(TOPICS)), clock)
    assert client.get("/api/v1/calls/erasmus-edu-2027-pex-cove", headers=admin).json()["status"] == "open"
    clock.advance(days=1)
    client.post(REFRESHES, headers=admin)
    _run_queued_refresh(client, mock_transport(PortalScript(TOPICS[:1])), clock)
    [latest, _] = client.get(REFRESHES, headers=admin).json()["items"]
    assert (latest["status"], latest["closed"], latest["created"], latest["updated"]) == ("succeeded", 1, 0, 0)
    refreshed_at = clock()
    clock.advance(seconds=1)
    gone = client.get("/api/v1/calls/erasmus-edu-2027-pex-cove", headers=admin).json()
    assert gone["status"] == "closed"  # its deadline is now the moment of the refresh that missed it
    assert gone["deadline_at"].startswith(refreshed_at.date().isoformat())


def test_a_scheduled_refresh_is_skipped_while_another_runs(
    client: TestClient, admin: dict[str, str], mock_transport: Any, clock: Clock
) -> None:
    client.post(REFRESHES, headers=admin)
    state = state_of(client)
    transport = mock_transport(PortalScript(TOPICS))
    with httpx.Client(transport=transport) as http:
        refresh_calls(JobContext(state.engine, state.settings, clock, http), {})
    assert transport.requests == []
    assert client.get(REFRESHES, headers=admin).json()["total"] == 1


def test_serve_runs_a_refresh_in_the_background(make_client: AppFactory, admin: dict[str, str]) -> None:
    """The worker loop of a running app takes the queued refresh and runs it against the portal."""
    with serve_portal(TOPICS) as (url, requests):
        client = make_client(jobs_enabled=True, jobs_interval_seconds=0.05, calls_refresh_hours=0, ftportal_url=url)
        import_catalogue(client, admin)
        location = client.post(REFRESHES, headers=admin).headers["Location"]
        for _ in range(400):
            refresh = client.get(location, headers=admin).json()
            if refresh["status"] != "running":
                break
            time.sleep(0.05)
    assert refresh["status"] == "succeeded", refresh
    assert refresh["created"] == 2 and len(requests) == 1


def test_serve_refreshes_on_its_schedule(make_client: AppFactory, admin: dict[str, str]) -> None:
    with serve_portal(TOPICS) as (url, _):
        client = make_client(jobs_enabled=True, jobs_interval_seconds=0.05, calls_refresh_hours=24, ftportal_url=url)
        import_catalogue(client, admin)
        for _ in range(400):
            items = client.get(REFRESHES, headers=admin).json()["items"]
            if items and items[0]["status"] != "running":
                break
            time.sleep(0.05)
    assert [(r["trigger"], r["status"]) for r in items] == [("schedule", "succeeded")]
