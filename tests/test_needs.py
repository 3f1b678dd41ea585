"""Needs through the HTTP API: the auth × route matrix, tenancy, ETags, validation."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import create_key, create_organisation, import_catalogue, need_body

PROBLEM = "application/problem+json"


@pytest.fixture
def world(client: TestClient, admin: dict) -> dict[str, Any]:
    """Two organisations with their keys, the test catalogue, and one need of Borlänge."""
    import_catalogue(client, admin)
    create_organisation(client, admin, "borlange")
    create_organisation(client, admin, "falun", region="SE312")
    own = create_key(client, admin, "borlange", ["write"])
    need = client.post("/api/v1/needs", json=need_body(), headers=own)
    assert need.status_code == 201, need.text
    revoked = create_key(client, admin, "borlange", ["write"], name="old")
    keys = client.get("/api/v1/organisations/borlange/api-keys", headers=admin).json()["items"]
    client.delete(f"/api/v1/api-keys/{keys[-1]['id']}", headers=admin)
    return {
        "need": need.json(),
        "etag": need.headers["etag"],
        "none": {},
        "unknown": {"Authorization": "Bearer fm_nobody"},
        "revoked": revoked,
        "read": create_key(client, admin, "borlange", ["read"]),
        "other": create_key(client, admin, "falun", ["write"]),
        "own": own,
    }


ROUTES = ["create", "list", "get", "put", "patch", "delete", "matches"]
EXPECTED = {
    "none": dict.fromkeys(ROUTES, 401),
    "unknown": dict.fromkeys(ROUTES, 401),
    "revoked": dict.fromkeys(ROUTES, 401),
    "read": {"create": 403, "list": 200, "get": 200, "put": 403, "patch": 403, "delete": 403, "matches": 200},
    "other": {"create": 201, "list": 200, "get": 404, "put": 404, "patch": 404, "delete": 404, "matches": 404},
    "own": {"create": 201, "list": 200, "get": 200, "put": 200, "patch": 200, "delete": 204, "matches": 200},
}


def call(client: TestClient, route: str, need_id: int, headers: dict, etag: str) -> Any:
    base = "/api/v1/needs"
    if route == "create":
        return client.post(base, json=need_body(), headers=headers)
    if route == "list":
        return client.get(base, headers=headers)
    if route == "get":
        return client.get(f"{base}/{need_id}", headers=headers)
    if route == "put":
        return client.put(f"{base}/{need_id}", json=need_body(title="Nytt"), headers={**headers, "If-Match": etag})
    if route == "patch":
        return client.patch(f"{base}/{need_id}", json={"title": "Ändrad"}, headers={**headers, "If-Match": etag})
    if route == "delete":
        return client.delete(f"{base}/{need_id}", headers={**headers, "If-Match": etag})
    return client.get(f"{base}/{need_id}/matches", headers=headers)


@pytest.mark.parametrize("who", list(EXPECTED))
@pytest.mark.parametrize("route", ROUTES)
def test_matrix(client: TestClient, world: dict, who: str, route: str) -> None:
    response = call(client, route, world["need"]["id"], world[who], world["etag"])
    expected = EXPECTED[who][route]
    assert response.status_code == expected, response.text
    if expected >= 400:
        assert response.headers["content-type"].startswith(PROBLEM)
    if who == "other" and route == "list":
        assert response.json()["total"] == 0
    if who == "other":
        # nothing of Borlänge's changed
        own = client.get(f"/api/v1/needs/{world['need']['id']}", headers=world["own"])
        assert own.status_code == 200 and own.json()["title"] == world["need"]["title"]


def test_create_fills_organisation_defaults_and_metadata(client: TestClient, world: dict) -> None:
    need = world["need"]
    assert need["organisation"] == "borlange" and need["created_by"] == "intranet"
    assert (need["applicant_type"], need["country"], need["region"]) == ("municipality", "SE", "SE312")
    assert need["status"] == "active" and need["partners"] == {"has_partners": True, "countries": ["DE"]}


def test_language_is_detected_when_absent(client: TestClient, world: dict) -> None:
    body = need_body(title="Youth exchange", description="Young people from our town meet their peers in Germany.")
    del body["language"]
    response = client.post("/api/v1/needs", json=body, headers=world["own"])
    assert response.status_code == 201 and response.json()["language"] == "en"


def test_text_keeps_unicode_as_sent(client: TestClient, world: dict) -> None:
    body = need_body(
        title="Åtgärder för ökad jämställdhet – 🌍 «test»", description="Ärendet gäller Chișinău och Lodwar."
    )
    created = client.post("/api/v1/needs", json=body, headers=world["own"]).json()
    fetched = client.get(f"/api/v1/needs/{created['id']}", headers=world["own"]).json()
    assert fetched["title"] == body["title"] and fetched["description"] == body["description"]


def test_fields_naming_owner_are_rejected(client: TestClient, world: dict) -> None:
    for field, value in (("organisation", "falun"), ("id", 999), ("created_by", "someone")):
        response = client.post("/api/v1/needs", json=need_body(**{field: value}), headers=world["own"])
        assert response.status_code == 422, field
        assert response.json()["errors"][0]["loc"] == ["body", field]
        patch = client.patch(f"/api/v1/needs/{world['need']['id']}", json={field: value}, headers=world["own"])
        assert patch.status_code == 422


BAD_NEEDS = [
    {"pillars": ["nope"]},
    {"themes": ["youth", "ghosts"]},
    {"start_date": "2028-01-01", "end_date": "2027-01-01"},
    {"budget_eur": -1},
    {"cofinancing_capacity": 1.5},
    {"cofinancing_capacity": -0.1},
    {"language": "de"},
    {"title": ""},
    {"title": "x" * 301},
    {"description": "x" * 20_001},
    {"applicant_type": "kingdom"},
    {"region": "dalarna"},
    {"partners": {"has_partners": True, "countries": ["Germany"]}},
    {"status": "deleted"},
]


@pytest.mark.parametrize("change", BAD_NEEDS)
def test_bad_need_is_422_and_nothing_stored(client: TestClient, world: dict, change: dict) -> None:
    response = client.post("/api/v1/needs", json=need_body(**change), headers=world["own"])
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM) and response.json()["errors"]
    assert client.get("/api/v1/needs", headers=world["own"]).json()["total"] == 1


@pytest.mark.parametrize("change", BAD_NEEDS)
def test_bad_patch_is_422_and_nothing_changes(client: TestClient, world: dict, change: dict) -> None:
    need_id = world["need"]["id"]
    response = client.patch(f"/api/v1/needs/{need_id}", json=change, headers=world["own"])
    assert response.status_code == 422
    after = client.get(f"/api/v1/needs/{need_id}", headers=world["own"])
    assert after.headers["etag"] == world["etag"]


def test_missing_title_or_description_is_422(client: TestClient, world: dict) -> None:
    assert client.post("/api/v1/needs", json={"title": "Only a title"}, headers=world["own"]).status_code == 422
    assert client.post("/api/v1/needs", json={"description": "Only text"}, headers=world["own"]).status_code == 422


def test_body_over_limit_is_413(make_client, admin: dict) -> None:
    client = make_client(max_body_bytes=4096)
    create_organisation(client, admin, "borlange")
    headers = create_key(client, admin, "borlange", ["write"])
    response = client.post("/api/v1/needs", json=need_body(description="ord " * 5000), headers=headers)
    assert response.status_code == 413
    assert client.get("/api/v1/needs", headers=headers).json()["total"] == 0


def test_etag_flow_patch_put_delete(client: TestClient, world: dict) -> None:
    own, need_id, etag = world["own"], world["need"]["id"], world["etag"]
    patched = client.patch(
        f"/api/v1/needs/{need_id}", json={"status": "draft", "budget_eur": None}, headers={**own, "If-Match": etag}
    )
    assert patched.status_code == 200
    assert patched.json()["status"] == "draft" and patched.json()["budget_eur"] is None
    new_etag = patched.headers["etag"]
    assert new_etag != etag
    stale = client.patch(f"/api/v1/needs/{need_id}", json={"title": "x"}, headers={**own, "If-Match": etag})
    assert stale.status_code == 412
    assert client.put(f"/api/v1/needs/{need_id}", json=need_body(), headers=own).status_code == 428
    assert (
        client.put(f"/api/v1/needs/{need_id}", json=need_body(), headers={**own, "If-Match": etag}).status_code == 412
    )
    put = client.put(f"/api/v1/needs/{need_id}", json=need_body(title="Ersatt"), headers={**own, "If-Match": new_etag})
    assert put.status_code == 200 and put.json()["title"] == "Ersatt" and put.json()["status"] == "active"
    assert client.delete(f"/api/v1/needs/{need_id}", headers={**own, "If-Match": new_etag}).status_code == 412
    assert (
        client.delete(f"/api/v1/needs/{need_id}", headers={**own, "If-Match": put.headers["etag"]}).status_code == 204
    )
    assert client.get(f"/api/v1/needs/{need_id}", headers=own).status_code == 404


def test_patch_without_if_match_applies(client: TestClient, world: dict) -> None:
    response = client.patch(
        f"/api/v1/needs/{world['need']['id']}", json={"themes": ["education"]}, headers=world["own"]
    )
    assert response.status_code == 200 and response.json()["themes"] == ["education"]


def test_list_filters_and_pagination(client: TestClient, world: dict) -> None:
    own = world["own"]
    client.post(
        "/api/v1/needs",
        json=need_body(title="Klimatsamarbete", themes=["climate"], status="draft", pillars=["solidarity"]),
        headers=own,
    )
    client.post("/api/v1/needs", json=need_body(title="Lärarutbyte", themes=["education"], pillars=[]), headers=own)

    def titles(query: str) -> list[str]:
        response = client.get(f"/api/v1/needs?{query}", headers=own)
        assert response.status_code == 200
        return [n["title"] for n in response.json()["items"]]

    assert titles("status=draft") == ["Klimatsamarbete"]
    assert titles("pillar=solidarity") == ["Klimatsamarbete"]
    assert titles("theme=education") == ["Lärarutbyte"]
    assert titles("q=LÄRAR") == ["Lärarutbyte"]
    assert titles("limit=1&offset=1") == ["Klimatsamarbete"]
    assert client.get("/api/v1/needs?limit=500", headers=own).status_code == 422
    assert client.get("/api/v1/needs?status=gone", headers=own).status_code == 422


def test_stored_need_matches(client: TestClient, world: dict) -> None:
    response = client.get(f"/api/v1/needs/{world['need']['id']}/matches?limit=3", headers=world["read"])
    assert response.status_code == 200
    body = response.json()
    assert body["need"]["id"] == world["need"]["id"] and body["need"]["language"] == "sv"
    assert body["items"] and body["items"][0]["programme"]["code"] == "erasmus-plus"
    assert len(body["items"]) <= 3


@pytest.mark.parametrize("value", [0, 1700000000, 12.5, True])
def test_dates_are_iso_text_not_timestamps(client: TestClient, world: dict, value: object) -> None:
    response = client.post("/api/v1/needs", json=need_body(start_date=value, end_date=None), headers=world["own"])
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][:2] == ["body", "start_date"]
