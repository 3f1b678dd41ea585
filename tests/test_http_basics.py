"""Auth on the catalogue, problem bodies for every error, health, limits, request ids."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.services.audit import CLI
from app.services.keys import create_key, revoke_key
from tests.conftest import state_of
from tests.factories import catalogue

PROBLEM = "application/problem+json"
CATALOGUE_ROUTES = [
    ("GET", "/api/v1/catalogue"),
    ("GET", "/api/v1/catalogue/export"),
    ("POST", "/api/v1/catalogue/import"),
    ("GET", "/api/v1/pillars"),
    ("GET", "/api/v1/pillars/development"),
    ("GET", "/api/v1/themes"),
    ("GET", "/api/v1/themes/youth"),
    ("GET", "/api/v1/strategy-goals"),
    ("GET", "/api/v1/strategy-goals/sdg-13"),
    ("GET", "/api/v1/funders"),
    ("GET", "/api/v1/funders/sida"),
    ("GET", "/api/v1/programmes"),
    ("GET", "/api/v1/programmes/erasmus-plus"),
    ("GET", "/api/v1/calls"),
    ("GET", "/api/v1/calls/erasmus-2027-ka1"),
]


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"].startswith("https://")
    assert "Traceback" not in response.text and "SELECT" not in response.text
    return body


@pytest.mark.parametrize(("method", "path"), CATALOGUE_ROUTES)
@pytest.mark.parametrize("authorization", [None, "Bearer fm_unknown", "Basic abc", "Bearer "])
def test_catalogue_routes_need_a_valid_token(
    client: TestClient, method: str, path: str, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = client.request(method, path, headers=headers, json=catalogue() if method == "POST" else None)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


def test_any_valid_token_reads_the_catalogue(client: TestClient) -> None:
    with Session(state_of(client).engine) as session:
        _, token = create_key(session, "admin", "reader", ["read"], CLI)
    assert client.get("/api/v1/programmes", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_revoked_token_is_401_at_once(client: TestClient) -> None:
    with Session(state_of(client).engine) as session:
        key, token = create_key(session, "admin", "reader", ["read"], CLI)
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/pillars", headers=headers).status_code == 200
        assert key.id is not None
        revoke_key(session, key.id, CLI)
    assert_problem(client.get("/api/v1/pillars", headers=headers), 401)


def test_unknown_route_is_problem_404(client: TestClient) -> None:
    body = assert_problem(client.get("/api/v1/nothing-here"), 404)
    assert "/api/v1/nothing-here" in body["detail"]


def test_wrong_method_is_problem_405_with_allow(client: TestClient, admin: dict) -> None:
    response = client.delete("/api/v1/programmes", headers=admin)
    assert_problem(response, 405)
    assert response.headers["allow"] == "GET"


def test_body_over_default_limit_is_413(make_client) -> None:
    client = make_client(max_body_bytes=2048)
    response = client.post("/api/v1/organisations", content=b"x" * 5000, headers={"Content-Type": "application/json"})
    assert_problem(response, 413)


def test_chunked_body_over_limit_is_413(make_client, admin: dict) -> None:
    client = make_client(max_import_body_bytes=2048)

    def chunks():
        for _ in range(10):
            yield b" " * 1000

    response = client.post(
        "/api/v1/catalogue/import", content=chunks(), headers={**admin, "Content-Type": "application/json"}
    )
    assert_problem(response, 413)


def test_health_and_ready(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200


def test_ready_is_503_when_the_database_does_not_answer(client: TestClient) -> None:
    from sqlalchemy import create_engine

    state_of(client).engine = create_engine(
        "postgresql+psycopg://nobody@127.0.0.1:1/none", connect_args={"connect_timeout": 1}
    )
    assert_problem(client.get("/readyz"), 503)
    assert client.get("/healthz").status_code == 200


def test_request_id_is_returned_and_kept(client: TestClient) -> None:
    assert len(client.get("/healthz").headers["x-request-id"]) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"


def test_unexpected_error_is_500_problem_with_request_id_and_without_details(
    client: TestClient, admin: dict, monkeypatch, caplog
) -> None:
    from app.services import needs as service

    def boom(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(service, "list_needs", boom)
    response = client.get("/api/v1/needs", headers={**admin, "X-Request-ID": "trace-500"})
    body = assert_problem(response, 500)
    assert "secret" not in body["detail"]
    assert body["request_id"] == "trace-500" == response.headers["x-request-id"]
    assert "trace-500" in body["detail"]
    logged = [r for r in caplog.records if r.name == "fundmatch.errors"]
    assert logged and logged[0].request_id == "trace-500"


def test_openapi_documents_problem_responses(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "Problem" in spec["components"]["schemas"]
    responses = spec["paths"]["/api/v1/programmes/{code}"]["get"]["responses"]
    for status in ("401", "404", "422"):
        assert PROBLEM in responses[status]["content"]
    assert client.get("/docs").status_code == 200


def test_bootstrap_token_is_not_logged(make_client, capfd) -> None:
    client = make_client()
    client.get("/api/v1/pillars", headers={"Authorization": "Bearer fm_test-admin-token-0123456789"})
    captured = capfd.readouterr()
    assert "fm_test-admin-token" not in captured.err + captured.out


def test_405_allow_lists_every_method_of_the_path(client: TestClient, admin: dict) -> None:
    response = client.request("OPTIONS", "/api/v1/needs", headers=admin)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    response = client.request("POST", "/api/v1/needs/1", headers=admin)
    assert response.headers["allow"] == "DELETE, GET, PATCH, PUT"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/programmes?offset=283476748304103735296",
        "/api/v1/organisations?offset=99999999999999999999",
        "/api/v1/needs/99999999999999999999",
        "/api/v1/calls?deadline_to=0.5",
        "/api/v1/calls?deadline_from=2027-13-45",
    ],
)
def test_out_of_range_parameters_are_422(client: TestClient, admin: dict, path: str) -> None:
    assert_problem(client.get(path, headers=admin), 422)


def test_unparseable_body_is_a_documented_4xx(client: TestClient, admin: dict) -> None:
    response = client.post(
        "/api/v1/organisations", content=b"\xff\x04\xfe", headers={**admin, "Content-Type": "application/json"}
    )
    assert response.status_code in (400, 422)
    assert response.headers["content-type"].startswith(PROBLEM)
    spec = client.get("/openapi.json").json()
    assert "400" in spec["paths"]["/api/v1/organisations"]["post"]["responses"]
    body_schema = spec["paths"]["/api/v1/catalogue/import"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    assert body_schema == {"$ref": "#/components/schemas/CatalogueDocument"}
    assert "CatalogueDocument" in spec["components"]["schemas"]


def test_operations_have_short_unique_ids(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    assert "create_need" in ids and "list_programmes" in ids and "match" in ids
    assert not [i for i in ids if "api_v1" in i or i.endswith(("_get", "_post"))]


def test_docs_are_served_without_a_cdn(client: TestClient) -> None:
    page = client.get("/docs").text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        assert asset.startswith("/"), asset  # served by this app, not fetched from elsewhere
        assert client.get(asset).status_code == 200
