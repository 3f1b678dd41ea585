"""Alerts: `call.matched` after a catalogue change, `deadline.approaching`, once per key."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import select

from app.db import unit_of_work
from app.jobs import queue
from app.jobs.kinds import KINDS
from app.models import Job
from app.services import alerts
from tests.conftest import AppFactory, Clock, state_of
from tests.factories import catalogue, create_key, create_organisation, import_catalogue, need_body
from tests.notices import run_jobs, worker_of
from tests.receiver import Receiver, receiver

HOOKS = "/api/v1/webhooks"
CLOSED_ONLY = [c for c in catalogue()["calls"] if c["code"] == "erasmus-2026-ka2"]


def _setup(client: TestClient, admin: dict[str, str], url: str, events: list[str]) -> dict[str, str]:
    create_organisation(client, admin, "borlange")
    headers = create_key(client, admin, "borlange", ["write"])
    response = client.post(HOOKS, json={"url": url, "events": events}, headers=headers)
    assert response.status_code == 201, response.text
    return headers


def _bodies(target: Receiver, kind: str) -> list[dict[str, Any]]:
    return [body for r in target.received if (body := json.loads(r.body))["type"] == kind]


def test_an_import_that_gives_a_needs_top_programme_an_open_call_sends_call_matched_once(
    make_client: AppFactory, admin: dict[str, str], clock: Clock
) -> None:
    client = make_client(webhook_allow_private=True)
    with receiver([200]) as target:
        import_catalogue(client, admin, catalogue(calls=CLOSED_ONLY))
        headers = _setup(client, admin, target.url, ["call.matched"])
        need = client.post("/api/v1/needs", json=need_body(), headers=headers).json()
        [top] = client.get(f"/api/v1/needs/{need['id']}/matches?limit=1", headers=headers).json()["items"]
        assert top["programme"]["code"] == "erasmus-plus" and top["calls"] == []
        run_jobs(client, clock)
        assert target.received == []  # no open call yet

        import_catalogue(client, admin, catalogue())  # erasmus-plus gains an open and a forthcoming call
        run_jobs(client, clock)
        matched = _bodies(target, "call.matched")
        assert {m["data"]["call"]["code"] for m in matched} == {"erasmus-2027-ka1", "erasmus-2028-ka1"}
        first = next(m for m in matched if m["data"]["call"]["code"] == "erasmus-2027-ka1")
        data = first["data"]
        assert set(data) == {"need", "programme", "call", "score", "rank"}
        assert data["need"] == {"id": need["id"], "title": need["title"]}
        assert data["programme"]["code"] == "erasmus-plus" and isinstance(data["programme"]["name"], str)
        assert set(data["call"]) == {"code", "title", "status", "opens_at", "deadline_at", "url"}
        assert data["call"]["status"] == "open"
        assert data["call"]["deadline_at"] == "2027-02-18T12:00:00+01:00"
        assert data["rank"] == 1 and data["score"] >= 0.5

        # another catalogue change, the same calls: nothing new
        changed = catalogue()
        changed["programmes"][1]["description"] = {"en": "Cross-border cooperation, revised."}
        import_catalogue(client, admin, changed)
        run_jobs(client, clock)
        assert len(_bodies(target, "call.matched")) == 2

        # a call's deadline moves: announced again, for that call only
        moved = catalogue()
        moved["calls"][0]["deadline_at"] = "2027-03-01T12:00:00+01:00"
        import_catalogue(client, admin, moved)
        run_jobs(client, clock)
        again = _bodies(target, "call.matched")[2:]
        assert [(m["data"]["call"]["code"], m["data"]["call"]["deadline_at"]) for m in again] == [
            ("erasmus-2027-ka1", "2027-03-01T12:00:00+01:00")
        ]


def test_call_matched_respects_the_minimum_score_and_dismissed_programmes(
    make_client: AppFactory, admin: dict[str, str], clock: Clock
) -> None:
    client = make_client(webhook_allow_private=True, alert_min_score=0.99)
    with receiver([200]) as target:
        import_catalogue(client, admin, catalogue(calls=CLOSED_ONLY))
        headers = _setup(client, admin, target.url, ["call.matched"])
        client.post("/api/v1/needs", json=need_body(), headers=headers)
        import_catalogue(client, admin, catalogue())
        run_jobs(client, clock)
        assert target.received == []

    client2 = make_client(webhook_allow_private=True)
    with receiver([200]) as target:
        client2.patch(
            f"{HOOKS}/1", json={"url": target.url}, headers=create_key(client2, admin, "borlange", ["write"], "k2")
        )
        headers = create_key(client2, admin, "borlange", ["write"], "k3")
        need = client2.post("/api/v1/needs", json=need_body(title="Another exchange"), headers=headers).json()
        client2.post(
            f"/api/v1/needs/{need['id']}/applications",
            json={"programme": "erasmus-plus", "status": "dismissed"},
            headers=headers,
        )
        moved = catalogue()
        moved["calls"][0]["deadline_at"] = "2027-03-02T12:00:00+01:00"
        import_catalogue(client2, admin, moved)
        run_jobs(client2, clock)
        needs = {m["data"]["need"]["id"] for m in _bodies(target, "call.matched")}
    assert need["id"] not in needs and needs  # the first need is told, the one that said "not for us" is not


def test_the_pass_is_split_into_batches_of_the_listening_organisations_needs(
    make_client: AppFactory, admin: dict[str, str], clock: Clock
) -> None:
    client = make_client(webhook_allow_private=True)
    import_catalogue(client, admin, catalogue(calls=CLOSED_ONLY))
    headers = _setup(client, admin, "http://127.0.0.1:9/hooks", ["call.matched"])
    for n in range(5):
        client.post("/api/v1/needs", json=need_body(title=f"Need {n}"), headers=headers)
    create_organisation(client, admin, "quiet")
    quiet = create_key(client, admin, "quiet", ["write"])
    client.post("/api/v1/needs", json=need_body(), headers=quiet)  # no webhook, no feed: not ranked
    state = state_of(client)
    with unit_of_work(state.engine) as session:
        assert alerts.fan_out(session, "v-test", clock(), batch=2) == 3
        session.commit()
        batches = session.exec(select(Job).where(Job.kind == alerts.NEEDS_JOB)).all()
        ids = sorted(i for job in batches if job.payload["version"] == "v-test" for i in job.payload["need_ids"])
    assert len(ids) == 5


def test_deadline_approaching_fires_once_per_threshold(
    make_client: AppFactory, admin: dict[str, str], clock: Clock
) -> None:
    client = make_client(webhook_allow_private=True)
    with receiver([200]) as target:
        import_catalogue(client, admin)
        headers = _setup(client, admin, target.url, ["deadline.approaching"])
        need = client.post("/api/v1/needs", json=need_body(), headers=headers).json()
        internal = (clock() + timedelta(days=20)).date()
        application = client.post(
            f"/api/v1/needs/{need['id']}/applications",
            json={"programme": "erasmus-plus", "internal_deadline": internal.isoformat()},
            headers=headers,
        ).json()
        worker = worker_of(client, clock)

        def deadline_pass() -> None:
            KINDS[alerts.DEADLINES_JOB](worker.context, {})
            worker.tick()

        deadline_pass()
        assert _bodies(target, "deadline.approaching") == []
        clock.advance(days=7)  # 13 days left
        deadline_pass()
        deadline_pass()
        clock.advance(days=1)
        deadline_pass()
        clock.advance(days=11)  # 1 day left
        deadline_pass()
        sent = _bodies(target, "deadline.approaching")
    assert [(s["data"]["kind"], s["data"]["days_left"]) for s in sent] == [("internal", 13), ("internal", 1)]
    assert sent[0]["data"]["application"]["id"] == application["id"]
    assert sent[0]["data"]["deadline"] == internal.isoformat()


def test_the_schedule_queues_the_deadline_pass_once_per_hour(make_client: AppFactory, clock: Clock) -> None:
    from app.jobs.schedule import enqueue_due, periodic_jobs

    client = make_client()
    state = state_of(client)
    periodic = [p for p in periodic_jobs(state.settings) if p.kind == alerts.DEADLINES_JOB]
    with unit_of_work(state.engine) as session:
        assert enqueue_due(session, periodic, clock()) == 1
        assert enqueue_due(session, periodic, clock()) == 0
        session.commit()
        assert [j.kind for j in queue.jobs_of(session, alerts.DEADLINES_JOB)] == [alerts.DEADLINES_JOB]


def test_the_pass_gives_way_while_a_request_is_being_ranked(
    make_client: AppFactory, admin: dict[str, str], clock: Clock
) -> None:
    client = make_client(webhook_allow_private=True)
    import_catalogue(client, admin)
    headers = _setup(client, admin, "http://127.0.0.1:9/hooks", ["call.matched"])
    ids = [client.post("/api/v1/needs", json=need_body(title=f"N{n}"), headers=headers).json()["id"] for n in range(3)]
    state = state_of(client)
    asked: list[int] = []

    def busy() -> bool:  # a request is ranked while the first need waits, then none
        asked.append(1)
        return len(asked) <= 2

    snapshot, index = alerts.index_of(state.snapshots, state.lexicon, state.engine)
    with unit_of_work(state.engine) as session:
        recorded = alerts.announce_matches(
            session, index, snapshot, ids, alerts.AlertRules(5, 0.0), clock(), give_way=busy
        )
        session.commit()
    assert len(asked) == 3 + 1 + 1 and recorded > 0
