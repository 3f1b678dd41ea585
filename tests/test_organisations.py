"""Organisations and API keys through the HTTP API."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.services.audit import CLI
from tests.conftest import state_of
from tests.factories import create_key, create_organisation, first_key_id


def test_create_read_list_update(client: TestClient, admin: dict) -> None:
    created = create_organisation(client, admin, "borlange", name="Borlänge kommun")
    assert created["name"] == "Borlänge kommun" and created["region"] == "SE312"
    assert client.get("/api/v1/organisations/borlange", headers=admin).json()["code"] == "borlange"
    listed = client.get("/api/v1/organisations", headers=admin).json()
    assert [o["code"] for o in listed["items"]] == ["admin", "borlange"] and listed["total"] == 2
    patched = client.patch("/api/v1/organisations/borlange", json={"region": "SE31"}, headers=admin)
    assert patched.status_code == 200 and patched.json()["region"] == "SE31"
    assert patched.json()["name"] == "Borlänge kommun"


def test_duplicate_code_is_409(client: TestClient, admin: dict) -> None:
    create_organisation(client, admin, "falun")
    response = client.post("/api/v1/organisations", json={"code": "falun", "name": "Again"}, headers=admin)
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "body",
    [
        {"code": "Bad Code", "name": "x"},
        {"code": "ok", "name": ""},
        {"code": "ok", "name": "x", "type": "kingdom"},
        {"code": "ok", "name": "x", "country": "sweden"},
        {"code": "ok", "name": "x", "region": "dalarna"},
        {"code": "ok", "name": "x", "id": 5},
    ],
)
def test_bad_organisation_is_422_and_not_stored(client: TestClient, admin: dict, body: dict) -> None:
    assert client.post("/api/v1/organisations", json=body, headers=admin).status_code == 422
    assert client.get("/api/v1/organisations", headers=admin).json()["total"] == 1


def test_unknown_organisation_is_404(client: TestClient, admin: dict) -> None:
    assert client.get("/api/v1/organisations/nowhere", headers=admin).status_code == 404
    response = client.post(
        "/api/v1/organisations/nowhere/api-keys", json={"name": "x", "scopes": ["read"]}, headers=admin
    )
    assert response.status_code == 404


def test_key_token_shown_once_and_listed_without_it(client: TestClient, admin: dict) -> None:
    create_organisation(client, admin, "borlange")
    response = client.post(
        "/api/v1/organisations/borlange/api-keys", json={"name": "intranet", "scopes": ["write"]}, headers=admin
    )
    assert response.status_code == 201
    body = response.json()
    assert body["token"].startswith("fm_") and body["scopes"] == ["write"] and isinstance(body["id"], int)
    listed = client.get("/api/v1/organisations/borlange/api-keys", headers=admin).json()
    assert listed["total"] == 1 and "token" not in listed["items"][0]
    assert listed["items"][0]["token_prefix"] == body["token"][:8]
    assert body["token"] not in client.get("/api/v1/organisations/borlange/api-keys", headers=admin).text


def test_last_used_at_is_recorded(client: TestClient, admin: dict) -> None:
    create_organisation(client, admin, "borlange")
    headers = create_key(client, admin, "borlange", ["read"])
    assert (
        client.get("/api/v1/organisations/borlange/api-keys", headers=admin).json()["items"][0]["last_used_at"] is None
    )
    client.get("/api/v1/needs", headers=headers)
    state_of(client).key_usage.flush()  # recorded by a background thread; wait for it
    assert (
        client.get("/api/v1/organisations/borlange/api-keys", headers=admin).json()["items"][0]["last_used_at"]
        is not None
    )


@pytest.mark.parametrize("auth_cache_seconds", [1.0, 3600.0])
def test_revoked_key_is_401_at_once(make_client: Any, admin: dict, auth_cache_seconds: float) -> None:
    """Also when the worker would otherwise trust a checked key for an hour."""
    client = make_client(auth_cache_seconds=auth_cache_seconds)
    create_organisation(client, admin, "borlange")
    headers = create_key(client, admin, "borlange", ["write"])
    assert client.get("/api/v1/needs", headers=headers).status_code == 200
    key_id = first_key_id(client, admin)
    assert client.delete(f"/api/v1/api-keys/{key_id}", headers=admin).status_code == 204
    assert client.get("/api/v1/needs", headers=headers).status_code == 401
    assert client.delete("/api/v1/api-keys/99999", headers=admin).status_code == 404


@pytest.mark.parametrize("scopes", [[], ["owner"], ["read", "root"]])
def test_bad_scopes_are_422(client: TestClient, admin: dict, scopes: list) -> None:
    create_organisation(client, admin, "borlange")
    response = client.post(
        "/api/v1/organisations/borlange/api-keys", json={"name": "x", "scopes": scopes}, headers=admin
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/organisations"),
        ("POST", "/api/v1/organisations"),
        ("GET", "/api/v1/organisations/borlange"),
        ("PATCH", "/api/v1/organisations/borlange"),
        ("POST", "/api/v1/organisations/borlange/api-keys"),
        ("GET", "/api/v1/organisations/borlange/api-keys"),
        ("DELETE", "/api/v1/api-keys/1"),
    ],
)
def test_admin_routes_refuse_write_scope(client: TestClient, admin: dict, method: str, path: str) -> None:
    create_organisation(client, admin, "borlange")
    headers = create_key(client, admin, "borlange", ["write", "read"])
    response = client.request(method, path, headers=headers, json={"code": "x", "name": "x", "scopes": ["read"]})
    assert response.status_code == 403
    assert client.request(method, path, json={}).status_code == 401


def test_cli_token_works_over_http(client: TestClient, admin: dict) -> None:
    from sqlmodel import Session

    from app.services.keys import create_key as service_create_key

    create_organisation(client, admin, "borlange")
    with Session(state_of(client).engine) as session:
        _, token = service_create_key(session, "borlange", "cli", ["read"], CLI)
    assert client.get("/api/v1/needs", headers={"Authorization": f"Bearer {token}"}).status_code == 200
