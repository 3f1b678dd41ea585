"""The audit log through HTTP and the CLI: one record per write, in the write's transaction, scoped
like the data it describes, never holding a secret."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.settings import Settings
from tests.conftest import ADMIN_TOKEN
from tests.factories import catalogue, create_key, create_organisation, import_catalogue, need_body


def _events(client: TestClient, headers: dict, **params: str) -> list[dict]:
    answer = client.get("/api/v1/audit-events", headers=headers, params={"limit": "200", **params})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


def test_each_write_is_recorded_with_its_actor_and_request_id(client: TestClient, admin: dict) -> None:
    import_catalogue(client, admin)
    create_organisation(client, admin, "borlange")
    writer = create_key(client, admin, "borlange", ["write"], name="intranet")
    created = client.post("/api/v1/needs", json=need_body(), headers={**writer, "X-Request-ID": "req-create-need"})
    need_id = created.json()["id"]
    client.patch(f"/api/v1/needs/{need_id}", json={"title": "Nytt namn"}, headers=writer)
    application = client.post(
        f"/api/v1/needs/{need_id}/applications", json={"programme": "erasmus-plus"}, headers=writer
    ).json()
    client.patch(f"/api/v1/applications/{application['id']}", json={"status": "preparing"}, headers=writer)
    events = _events(client, admin)
    actions = [e["action"] for e in events]
    assert actions[:5] == ["application.status", "application.create", "need.update", "need.create", "api_key.create"]
    assert {"organisation.create", "catalogue.import"} <= set(actions)
    need_event = next(e for e in events if e["action"] == "need.create")
    assert need_event == {
        **need_event,
        "organisation": "borlange",
        "actor": "intranet",
        "resource": f"need/{need_id}",
        "request_id": "req-create-need",
        "outcome": "succeeded",
    }
    assert next(e for e in events if e["action"] == "catalogue.import")["organisation"] is None


def test_a_refused_write_leaves_no_record(client: TestClient, admin: dict) -> None:
    create_organisation(client, admin, "borlange")
    writer = create_key(client, admin, "borlange", ["write"])
    before = len(_events(client, admin))
    assert client.post("/api/v1/needs", json=need_body(themes=["nope"]), headers=writer).status_code == 422
    assert (
        client.post("/api/v1/organisations", json={"code": "borlange", "name": "x"}, headers=admin).status_code == 409
    )
    assert len(_events(client, admin)) == before


def test_keys_see_their_own_organisation_and_admin_sees_all(client: TestClient, admin: dict) -> None:
    import_catalogue(client, admin)
    for code in ("borlange", "falun"):
        create_organisation(client, admin, code)
    borlange = create_key(client, admin, "borlange", ["write"])
    falun = create_key(client, admin, "falun", ["read"])
    client.post("/api/v1/needs", json=need_body(), headers=borlange)
    assert {e["organisation"] for e in _events(client, borlange)} == {"borlange"}
    assert {e["organisation"] for e in _events(client, falun)} == {"falun"}
    assert _events(client, falun, organisation="borlange") == []
    assert {e["organisation"] for e in _events(client, admin)} >= {"borlange", "falun", "admin", None}
    only = _events(client, admin, organisation="borlange", action="need.create")
    assert len(only) == 1 and only[0]["actor"] == "intranet"
    assert _events(client, admin, since="2999-01-01T00:00:00Z") == []
    revoked = client.get("/api/v1/organisations/borlange/api-keys", headers=admin).json()["items"][0]["id"]
    client.delete(f"/api/v1/api-keys/{revoked}", headers=admin)
    assert _events(client, admin, action="api_key.revoke")[0]["resource"] == f"api_key/{revoked}"


def test_no_record_holds_a_token(client: TestClient, admin: dict) -> None:
    create_organisation(client, admin, "borlange")
    answer = client.post(
        "/api/v1/organisations/borlange/api-keys", json={"name": "k", "scopes": ["read"]}, headers=admin
    )
    token = answer.json()["token"]
    text = json.dumps(_events(client, admin))
    assert token not in text and token[8:] not in text and ADMIN_TOKEN not in text


def test_command_line_writes_are_recorded_as_cli(
    client: TestClient, admin: dict, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "cat.json"
    path.write_text(json.dumps(catalogue()), encoding="utf-8")
    assert CliRunner().invoke(cli, ["catalogue", "load", str(path)], obj=settings).exit_code == 0
    assert (
        CliRunner().invoke(cli, ["api-key", "create", "--org", "admin", "--scope", "read"], obj=settings).exit_code == 0
    )
    events = _events(client, admin)
    assert [(e["action"], e["actor"], e["request_id"]) for e in events[:2]] == [
        ("api_key.create", "cli", None),
        ("catalogue.import", "cli", None),
    ]


def test_a_refresh_started_by_an_admin_is_recorded(client: TestClient, admin: dict) -> None:
    started = client.post("/api/v1/catalogue/refreshes", headers=admin)
    assert started.status_code == 202
    event = _events(client, admin, action="catalogue.refresh")[0]
    assert event["resource"] == f"refresh/{started.json()['id']}" and event["actor"] == "bootstrap"
