"""Catalogue import and export through the HTTP API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import state_of
from tests.factories import catalogue, import_catalogue

PROBLEM = "application/problem+json"


def sorted_doc(doc: dict) -> dict:
    return {k: sorted(v, key=lambda r: r["code"]) if isinstance(v, list) else v for k, v in doc.items()}


def test_export_gives_back_every_optional_field_as_imported(client: TestClient, admin: dict) -> None:
    import_catalogue(client, admin)
    exported = client.get("/api/v1/catalogue/export", headers=admin).json()
    assert exported == sorted_doc(catalogue())


def test_export_import_into_empty_database_export_is_identical(client: TestClient, admin: dict, make_client) -> None:
    import_catalogue(client, admin)
    first = client.get("/api/v1/catalogue/export", headers=admin).json()
    import_catalogue(client, admin, first, mode="replace")
    assert client.get("/api/v1/catalogue/export", headers=admin).json() == first


def test_reimport_changes_nothing(client: TestClient, admin: dict) -> None:
    first = import_catalogue(client, admin)
    second = import_catalogue(client, admin)
    assert first["changed"] is True
    assert second["changed"] is False
    assert second["catalogue_version"] == first["catalogue_version"]
    assert sum(second["created"].values()) == 0 and sum(second["updated"].values()) == 0


def test_changed_record_bumps_the_version(client: TestClient, admin: dict) -> None:
    first = import_catalogue(client, admin)
    doc = catalogue()
    doc["programmes"][0]["keywords"] = ["mobility"]
    second = import_catalogue(client, admin, doc)
    assert second["changed"] and second["updated"]["programmes"] == 1
    assert second["catalogue_version"] != first["catalogue_version"]


def test_bad_record_is_named_and_nothing_changes(client: TestClient, admin: dict) -> None:
    import_catalogue(client, admin)
    before = client.get("/api/v1/catalogue/export", headers=admin).json()
    doc = catalogue()
    doc["programmes"][2]["funder"] = "nobody"
    doc["programmes"][0]["name"] = {"en": "Changed name"}
    response = client.post("/api/v1/catalogue/import", json=doc, headers=admin)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert {"loc": ["programmes", 2, "funder"], "msg": "unknown funder 'nobody'", "type": "unknown_reference"} in body[
        "errors"
    ]
    assert client.get("/api/v1/catalogue/export", headers=admin).json() == before


def test_unknown_field_is_rejected_by_name(client: TestClient, admin: dict) -> None:
    doc = catalogue()
    doc["calls"][1]["deadline"] = "2027-01-01"
    response = client.post("/api/v1/catalogue/import", json=doc, headers=admin)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["calls", 1, "deadline"]
    assert client.get("/api/v1/programmes", headers=admin).json()["total"] == 0


def test_every_bad_record_is_listed(client: TestClient, admin: dict) -> None:
    doc = catalogue()
    doc["programmes"][1]["themes"] = ["nope"]
    doc["programmes"][3]["code"] = "erasmus-plus"
    doc["calls"][0]["programme"] = "missing"
    doc["programmes"][0]["cofinancing_max_rate"] = 1.5
    response = client.post("/api/v1/catalogue/import", json=doc, headers=admin)
    assert response.status_code == 422
    locs = [e["loc"] for e in response.json()["errors"]]
    assert ["programmes", 0, "cofinancing_max_rate"] in locs


def test_cross_record_problems_are_all_named(client: TestClient, admin: dict) -> None:
    doc = catalogue()
    doc["programmes"][1]["themes"] = ["nope"]
    doc["programmes"][3]["code"] = "erasmus-plus"
    doc["calls"][0]["programme"] = "missing"
    response = client.post("/api/v1/catalogue/import", json=doc, headers=admin)
    locs = [e["loc"] for e in response.json()["errors"]]
    assert locs == [["programmes", 3, "code"], ["programmes", 1, "themes", 0], ["calls", 0, "programme"]]


def test_merge_may_refer_to_stored_records(client: TestClient, admin: dict) -> None:
    import_catalogue(client, admin)
    doc = {
        "format": "fundmatch-catalogue/1",
        "calls": [{"code": "extra", "programme": "erasmus-plus", "title": {"en": "Extra"}}],
    }
    result = import_catalogue(client, admin, doc)
    assert result["created"]["calls"] == 1
    assert client.get("/api/v1/calls", headers=admin).json()["total"] == 4


def test_replace_removes_what_is_absent(client: TestClient, admin: dict) -> None:
    import_catalogue(client, admin)
    doc = catalogue()
    doc["programmes"] = [p for p in doc["programmes"] if p["code"] != "old-citizens"]
    doc["calls"] = doc["calls"][:1]
    doc["themes"] = [t for t in doc["themes"] if t["code"] != "climate"]
    doc["programmes"] = [p for p in doc["programmes"] if p["code"] != "interreg-north"]
    result = import_catalogue(client, admin, doc, mode="replace")
    assert result["removed"] == {
        "calls": 2,
        "programmes": 2,
        "funders": 0,
        "country_groups": 0,
        "strategy_goals": 0,
        "themes": 1,
        "pillars": 0,
    }
    assert client.get("/api/v1/programmes/old-citizens", headers=admin).status_code == 404
    assert client.get("/api/v1/themes/climate", headers=admin).status_code == 404


def test_replace_refuses_references_to_records_it_would_remove(client: TestClient, admin: dict) -> None:
    import_catalogue(client, admin)
    doc = {
        "format": "fundmatch-catalogue/1",
        "calls": [{"code": "x", "programme": "erasmus-plus", "title": {"en": "X"}}],
    }
    response = client.post("/api/v1/catalogue/import?mode=replace", json=doc, headers=admin)
    assert response.status_code == 422
    assert client.get("/api/v1/programmes", headers=admin).json()["total"] == 4


def test_wrong_format_and_bad_json_are_422(client: TestClient, admin: dict) -> None:
    response = client.post("/api/v1/catalogue/import", json={"format": "other/2"}, headers=admin)
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["format"]
    response = client.post(
        "/api/v1/catalogue/import", content=b"{not json", headers={**admin, "Content-Type": "application/json"}
    )
    assert response.status_code == 422 and response.headers["content-type"].startswith(PROBLEM)


def test_unknown_mode_is_422(client: TestClient, admin: dict) -> None:
    response = client.post("/api/v1/catalogue/import?mode=wipe", json=catalogue(), headers=admin)
    assert response.status_code == 422


def test_import_takes_bodies_over_the_default_limit(make_client, admin: dict) -> None:
    client = make_client(max_body_bytes=2048)
    doc = catalogue()
    doc["programmes"][0]["description"]["en"] = "x" * 5000
    assert client.post("/api/v1/catalogue/import", json=doc, headers=admin).status_code == 200


def test_import_body_over_its_own_limit_is_413(make_client, admin: dict) -> None:
    client = make_client(max_import_body_bytes=4096)
    doc = catalogue()
    doc["programmes"][0]["description"]["en"] = "x" * 5000
    response = client.post("/api/v1/catalogue/import", json=doc, headers=admin)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith(PROBLEM)


def test_import_needs_admin_scope(client: TestClient, admin: dict) -> None:
    from app.services.auth import hash_token  # noqa: F401  (keeps the module's hashing under test)

    token = _key(client, admin, ["read"])
    response = client.post("/api/v1/catalogue/import", json=catalogue(), headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403


def _key(client: TestClient, admin: dict, scopes: list[str]) -> str:
    from sqlmodel import Session

    from app.services.audit import CLI
    from app.services.keys import create_key

    with Session(state_of(client).engine) as session:
        _, token = create_key(session, "admin", "test", scopes, CLI)
    return token
