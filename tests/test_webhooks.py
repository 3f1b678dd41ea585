"""Webhooks: endpoints, signatures, durable delivery with retries, the SSRF rule, the delivery log."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from standardwebhooks import Webhook as Verifier

from app.db import make_engine, unit_of_work
from app.jobs.kinds import KINDS
from app.jobs.worker import Worker
from app.services import webhook_targets
from tests.conftest import AppFactory, Clock, state_of
from tests.factories import create_key, create_organisation, import_catalogue, need_body
from tests.notices import run_jobs, worker_of
from tests.receiver import receiver

HOOKS = "/api/v1/webhooks"
PUBLIC_ADDRESS = "93.184.215.14"


@pytest.fixture(autouse=True)
def _public_test_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """This machine has no DNS: names under example.org resolve to a public address; others as usual."""
    real = webhook_targets.resolve

    def resolve(host: str, port: int) -> list[str]:
        return [PUBLIC_ADDRESS] if host.endswith(".example.org") else real(host, port)

    monkeypatch.setattr(webhook_targets, "resolve", resolve)


def _org(client: TestClient, admin: dict[str, str], code: str = "borlange") -> dict[str, str]:
    create_organisation(client, admin, code)
    return create_key(client, admin, code, ["write"])


def _subscribe(client: TestClient, headers: dict[str, str], url: str, events: list[str] | None = None) -> Any:
    body = {"url": url, "events": events or ["application.changed"], "description": "intranet"}
    response = client.post(HOOKS, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response


def _application(client: TestClient, admin: dict[str, str], headers: dict[str, str]) -> dict[str, Any]:
    import_catalogue(client, admin)
    need = client.post("/api/v1/needs", json=need_body(), headers=headers).json()
    response = client.post(
        f"/api/v1/needs/{need['id']}/applications", json={"programme": "erasmus-plus"}, headers=headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_an_endpoint_is_created_with_a_secret_shown_once_and_stored_encrypted(
    make_client: AppFactory, admin: dict[str, str]
) -> None:
    client = make_client(webhook_allow_private=True)
    headers = _org(client, admin)
    response = _subscribe(client, headers, "https://hooks.example.org/fundmatch", ["call.matched"])
    created = response.json()
    assert response.headers["cache-control"] == "no-store"
    assert created["secret"].startswith("whsec_") and created["active"] is True
    assert created["events"] == ["call.matched"]
    shown = client.get(f"{HOOKS}/{created['id']}", headers=headers).json()
    assert "secret" not in shown and shown["url"] == "https://hooks.example.org/fundmatch"
    listed = client.get(HOOKS, headers=headers).json()
    assert listed["total"] == 1 and "secret" not in listed["items"][0]
    with state_of(client).engine.connect() as conn:
        dump = json.dumps([list(row) for row in conn.execute(text("SELECT * FROM webhook"))], default=str)
        audit = [row[0] for row in conn.execute(text("SELECT action FROM audit_event"))]
    secret = created["secret"]
    assert secret not in dump and secret.removeprefix("whsec_") not in dump
    assert "webhook.create" in audit


def test_another_organisations_endpoint_is_a_404_and_read_keys_may_not_manage_them(
    make_client: AppFactory, admin: dict[str, str]
) -> None:
    client = make_client(webhook_allow_private=True)
    mine = _org(client, admin, "borlange")
    theirs = _org(client, admin, "falun")
    reader = create_key(client, admin, "borlange", ["read"], name="reader")
    hook = _subscribe(client, mine, "https://hooks.example.org/a").json()
    for method, path in [
        ("GET", f"{HOOKS}/{hook['id']}"),
        ("PATCH", f"{HOOKS}/{hook['id']}"),
        ("DELETE", f"{HOOKS}/{hook['id']}"),
        ("GET", f"{HOOKS}/{hook['id']}/deliveries"),
        ("POST", f"{HOOKS}/{hook['id']}/ping"),
    ]:
        body = {"description": "x"} if method == "PATCH" else None
        assert client.request(method, path, json=body, headers=theirs).status_code == 404, (method, path)
    assert client.get(HOOKS, headers=theirs).json()["total"] == 0
    assert client.get(HOOKS, headers=reader).status_code == 403


def test_update_and_delete_are_audited(make_client: AppFactory, admin: dict[str, str]) -> None:
    client = make_client(webhook_allow_private=True)
    headers = _org(client, admin)
    hook = _subscribe(client, headers, "https://hooks.example.org/a").json()
    changed = client.patch(
        f"{HOOKS}/{hook['id']}", json={"events": ["deadline.approaching"], "active": False}, headers=headers
    )
    assert changed.status_code == 200 and changed.json()["events"] == ["deadline.approaching"]
    assert changed.json()["active"] is False
    assert client.patch(f"{HOOKS}/{hook['id']}", json={"events": ["nope"]}, headers=headers).status_code == 422
    assert client.patch(f"{HOOKS}/{hook['id']}", json={"url": None}, headers=headers).status_code == 422
    assert client.delete(f"{HOOKS}/{hook['id']}", headers=headers).status_code == 204
    assert client.get(f"{HOOKS}/{hook['id']}", headers=headers).status_code == 404
    actions = [e["action"] for e in client.get("/api/v1/audit-events", headers=admin).json()["items"]]
    assert {"webhook.create", "webhook.update", "webhook.delete"} <= set(actions)


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.org/a",  # not https
        "https://localhost/hooks",  # a name for the loopback address
        "https://127.0.0.1/hooks",
        "https://10.1.2.3/hooks",
        "https://192.168.1.10/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://100.64.0.1/hooks",
        "https://0.0.0.0/hooks",
        "https://user:pw@hooks.example.org/a",
        "ftp://hooks.example.org/a",
    ],
)
def test_unsafe_targets_are_refused(client: TestClient, admin: dict[str, str], url: str) -> None:
    headers = _org(client, admin)
    response = client.post(HOOKS, json={"url": url, "events": ["call.matched"]}, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "url"]
    assert client.get(HOOKS, headers=headers).json()["total"] == 0


def test_a_name_that_resolves_to_the_loopback_address_is_refused(
    client: TestClient, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = _org(client, admin)
    monkeypatch.setattr(webhook_targets, "resolve", lambda host, port: [PUBLIC_ADDRESS, "127.0.0.1"])
    response = client.post(
        HOOKS, json={"url": "https://innocent.example/", "events": ["call.matched"]}, headers=headers
    )
    assert response.status_code == 422
    assert "127.0.0.1" in response.json()["errors"][0]["msg"]


def test_the_target_is_checked_again_before_each_delivery(
    make_client: AppFactory, admin: dict[str, str], clock: Clock
) -> None:
    client = make_client(webhook_allow_private=True)
    headers = _org(client, admin)
    with receiver([200]) as target:
        hook = _subscribe(client, headers, target.url).json()
        assert client.post(f"{HOOKS}/{hook['id']}/ping", headers=headers).status_code == 202
        run_jobs(client, clock, webhook_allow_private=False, webhook_retry_seconds="")
        assert target.received == []
    [delivery] = client.get(f"{HOOKS}/{hook['id']}/deliveries", headers=headers).json()["items"]
    assert delivery["status"] == "failed" and "refused" in delivery["last_error"]


def test_a_failing_target_gets_the_same_event_again_until_it_accepts_and_the_signature_verifies(
    make_client: AppFactory, admin: dict[str, str], clock: Clock
) -> None:
    client = make_client(webhook_allow_private=True, webhook_retry_seconds="5,300,1800")
    headers = _org(client, admin)
    with receiver([500, 503, 200]) as target:
        secret = _subscribe(client, headers, target.url).json()["secret"]
        hook_id = client.get(HOOKS, headers=headers).json()["items"][0]["id"]
        application = _application(client, admin, headers)
        assert run_jobs(client, clock) >= 1
        assert len(target.received) == 1
        [pending] = client.get(f"{HOOKS}/{hook_id}/deliveries", headers=headers).json()["items"]
        assert pending["status"] == "pending" and pending["attempts"] == 1 and pending["last_status_code"] == 500
        run_jobs(client, clock)  # the retry is not due yet
        assert len(target.received) == 1
        clock.advance(seconds=5)
        run_jobs(client, clock)
        clock.advance(seconds=300)
        run_jobs(client, clock)
        received = target.wait_for(3)
    assert len(received) == 3
    assert len({r.headers["webhook-id"] for r in received}) == 1
    for request in received:
        payload = Verifier(secret).verify(request.body, request.headers)
        assert request.headers["content-type"] == "application/json"
    assert payload["type"] == "application.changed"
    assert payload["data"]["change"] == "created"
    assert payload["data"]["application"]["id"] == application["id"]
    assert payload["data"]["application"]["programme"] == "erasmus-plus"
    [done] = client.get(f"{HOOKS}/{hook_id}/deliveries", headers=headers).json()["items"]
    assert (
        done["status"] == "delivered"
        and done["attempts"] == 3
        and done["event_id"] == received[0].headers["webhook-id"]
    )
    assert done["last_status_code"] == 200 and done["delivered_at"] is not None


def test_a_delivery_fails_after_the_last_retry_and_a_redirect_is_not_followed(
    make_client: AppFactory, admin: dict[str, str], clock: Clock
) -> None:
    client = make_client(webhook_allow_private=True, webhook_retry_seconds="1")
    headers = _org(client, admin)
    with receiver([302]) as target:
        target.location = target.url + "/elsewhere"
        hook = _subscribe(client, headers, target.url).json()
        client.post(f"{HOOKS}/{hook['id']}/ping", headers=headers)
        run_jobs(client, clock)
        clock.advance(seconds=1)
        run_jobs(client, clock)
        clock.advance(seconds=3600)
        run_jobs(client, clock)
        assert [r.path for r in target.received] == ["/hooks/fundmatch"] * 2
    [delivery] = client.get(f"{HOOKS}/{hook['id']}/deliveries", headers=headers).json()["items"]
    assert delivery["status"] == "failed" and delivery["attempts"] == 2 and delivery["last_status_code"] == 302
    assert delivery["next_attempt_at"] is None


def test_an_endpoint_that_keeps_failing_is_disabled(
    make_client: AppFactory, admin: dict[str, str], clock: Clock
) -> None:
    client = make_client(webhook_allow_private=True, webhook_retry_seconds="")
    headers = _org(client, admin)
    with receiver([500]) as target:
        hook = _subscribe(client, headers, target.url).json()
        for _ in range(5):
            client.post(f"{HOOKS}/{hook['id']}/ping", headers=headers)
        run_jobs(client, clock)
        assert len(target.received) == 5
    shown = client.get(f"{HOOKS}/{hook['id']}", headers=headers).json()
    assert shown["active"] is False and "5 deliveries" in shown["disabled_reason"]
    resumed = client.patch(f"{HOOKS}/{hook['id']}", json={"active": True}, headers=headers).json()
    assert resumed["active"] is True and resumed["disabled_reason"] is None


def test_application_changes_are_events_and_unsubscribed_types_are_not_sent(
    make_client: AppFactory, admin: dict[str, str], clock: Clock
) -> None:
    client = make_client(webhook_allow_private=True)
    headers = _org(client, admin)
    with receiver([200]) as target, receiver([200]) as other:
        _subscribe(client, headers, target.url, ["application.changed"])
        _subscribe(client, headers, other.url, ["deadline.approaching"])
        application = _application(client, admin, headers)
        etag = client.get(f"/api/v1/applications/{application['id']}", headers=headers).headers["etag"]
        client.patch(f"/api/v1/applications/{application['id']}", json={"owner": "Anna"}, headers=headers)
        client.patch(f"/api/v1/applications/{application['id']}", json={"status": "preparing"}, headers=headers)
        assert etag
        client.delete(f"/api/v1/applications/{application['id']}", headers=headers)
        run_jobs(client, clock)
        changes = [json.loads(r.body)["data"]["change"] for r in target.received]
        assert other.received == []
    assert changes == ["created", "status", "deleted"]


def test_a_ping_is_queued_audited_and_delivered(make_client: AppFactory, admin: dict[str, str], clock: Clock) -> None:
    client = make_client(webhook_allow_private=True)
    headers = _org(client, admin)
    with receiver([204]) as target:
        hook = _subscribe(client, headers, target.url, ["call.matched"]).json()
        queued = client.post(f"{HOOKS}/{hook['id']}/ping", headers=headers)
        assert queued.status_code == 202
        run_jobs(client, clock)
        [request] = target.received
    assert json.loads(request.body)["type"] == "ping"
    assert request.headers["webhook-id"] == queued.json()["event_id"]
    actions = [e["action"] for e in client.get("/api/v1/audit-events", headers=admin).json()["items"]]
    assert "webhook.ping" in actions


def test_two_workers_on_two_engines_never_send_the_same_attempt(
    make_client: AppFactory, admin: dict[str, str], clock: Clock, database_url: str
) -> None:
    client = make_client(webhook_allow_private=True)
    headers = _org(client, admin)
    with receiver([200]) as target:
        hook = _subscribe(client, headers, target.url).json()
        for _ in range(30):
            client.post(f"{HOOKS}/{hook['id']}/ping", headers=headers)
        engines = [make_engine(database_url), make_engine(database_url)]
        workers = [
            Worker(
                replace(worker_of(client, clock).context, engine=engine),
                KINDS,
                [],
                interval_seconds=0.1,
                lease_seconds=60,
                name=f"server-{n}",
            )
            for n, engine in enumerate(engines)
        ]
        start = threading.Barrier(2)

        def run(worker: Worker) -> None:
            start.wait()
            worker.tick()

        threads = [threading.Thread(target=run, args=(w,)) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        ids = [r.headers["webhook-id"] for r in target.received]
        for engine in engines:
            engine.dispose()
    assert len(ids) == 30 and len(set(ids)) == 30
    deliveries = client.get(f"{HOOKS}/{hook['id']}/deliveries?limit=100", headers=headers).json()["items"]
    assert {d["status"] for d in deliveries} == {"delivered"} and {d["attempts"] for d in deliveries} == {1}


def test_a_second_run_of_a_recorded_attempt_sends_nothing(
    make_client: AppFactory, admin: dict[str, str], clock: Clock
) -> None:
    from app.services.webhook_delivery import deliver

    client = make_client(webhook_allow_private=True)
    headers = _org(client, admin)
    with receiver([200]) as target:
        hook = _subscribe(client, headers, target.url).json()
        delivery_id = client.post(f"{HOOKS}/{hook['id']}/ping", headers=headers).json()["delivery_id"]
        state = state_of(client)
        deliver(state.engine, state.settings, clock, delivery_id, 1)
        deliver(state.engine, state.settings, clock, delivery_id, 1)
        assert len(target.received) == 1
    with unit_of_work(state.engine) as session:
        assert session.execute(text("SELECT count(*) FROM webhook_delivery")).scalar() == 1


def test_a_target_that_answers_too_late_is_tried_again(
    make_client: AppFactory, admin: dict[str, str], clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services import webhook_delivery

    monkeypatch.setattr(webhook_delivery, "TIMEOUT_SECONDS", 0.5)
    client = make_client(webhook_allow_private=True, webhook_retry_seconds="60")
    headers = _org(client, admin)
    with receiver([200], hold_first_seconds=1.5) as target:
        hook = _subscribe(client, headers, target.url).json()
        client.post(f"{HOOKS}/{hook['id']}/ping", headers=headers)
        run_jobs(client, clock)
        [delivery] = client.get(f"{HOOKS}/{hook['id']}/deliveries", headers=headers).json()["items"]
        assert delivery["status"] == "pending" and delivery["attempts"] == 1
        assert "0.5 s" in delivery["last_error"]
        clock.advance(seconds=60)
        run_jobs(client, clock)
        received = target.wait_for(2)
    assert received[0].headers["webhook-id"] == received[1].headers["webhook-id"]
    [delivery] = client.get(f"{HOOKS}/{hook['id']}/deliveries", headers=headers).json()["items"]
    assert delivery["status"] == "delivered" and delivery["attempts"] == 2
