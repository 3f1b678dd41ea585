"""Keys and secrets (bootstrap token length, no-store, private SQLite files) and text the databases
cannot hold (the NUL character), through HTTP and the CLI, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr, ValidationError
from typer.testing import CliRunner

from app.cli import cli
from app.db import make_engine
from app.settings import Settings
from tests.factories import catalogue, create_key, create_organisation, import_catalogue, need_body

NUL = "\u0000"


@pytest.fixture
def writer(client: TestClient, admin: dict) -> dict[str, str]:
    import_catalogue(client, admin)
    create_organisation(client, admin, "borlange")
    return create_key(client, admin, "borlange", ["write"])


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"title": f"Ungdoms{NUL}utbyte"}, ["body", "title"]),
        ({"description": f"Text{NUL}"}, ["body", "description"]),
        ({"partners": {"has_partners": True, "countries": [f"D{NUL}"]}}, ["body", "partners", "countries", 0]),
    ],
)
def test_a_nul_character_in_a_need_is_a_422_naming_the_field(
    client: TestClient, writer: dict, change: dict, loc: list
) -> None:
    response = client.post("/api/v1/needs", json=need_body(**change), headers=writer)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == loc
    assert client.get("/api/v1/needs", headers=writer).json()["total"] == 0
    # the connection and the worker are fine afterwards
    assert client.post("/api/v1/needs", json=need_body(), headers=writer).status_code == 201


def test_a_nul_character_in_a_patch_changes_nothing(client: TestClient, writer: dict) -> None:
    created = client.post("/api/v1/needs", json=need_body(), headers=writer).json()
    response = client.patch(f"/api/v1/needs/{created['id']}", json={"title": f"a{NUL}b"}, headers=writer)
    assert response.status_code == 422
    assert client.get(f"/api/v1/needs/{created['id']}", headers=writer).json()["title"] == created["title"]


def test_nul_in_query_path_organisation_and_import_is_refused(client: TestClient, admin: dict) -> None:
    assert client.get("/api/v1/programmes?q=a%00b", headers=admin).json()["errors"][0]["loc"] == ["query", "q"]
    assert client.get("/api/v1/organisations/a%00b", headers=admin).status_code == 422
    org = client.post("/api/v1/organisations", json={"code": "x", "name": f"X{NUL}"}, headers=admin)
    assert org.status_code == 422 and org.json()["errors"][0]["loc"] == ["body", "name"]
    doc = catalogue()
    doc["programmes"][1]["description"]["sv"] = f"Beskrivning{NUL}"
    answer = client.post("/api/v1/catalogue/import", json=doc, headers=admin)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "programmes", 1, "description", "sv"]
    assert client.get("/api/v1/catalogue", headers=admin).json()["counts"]["programmes"] == 0


def test_a_backslash_followed_by_u0000_as_text_is_kept(client: TestClient, writer: dict) -> None:
    title = "Sökväg C:\\u0000\\mapp"
    response = client.post("/api/v1/needs", json=need_body(title=title), headers=writer)
    assert response.status_code == 201 and response.json()["title"] == title


def test_every_answer_says_nosniff_and_a_new_token_is_not_stored(client: TestClient, admin: dict) -> None:
    assert client.get("/healthz").headers["x-content-type-options"] == "nosniff"
    assert client.get("/api/v1/needs").headers["x-content-type-options"] == "nosniff"  # a 401 too
    create_organisation(client, admin, "borlange")
    created = client.post(
        "/api/v1/organisations/borlange/api-keys", json={"name": "k", "scopes": ["read"]}, headers=admin
    )
    assert created.status_code == 201 and created.headers["cache-control"] == "no-store"
    listed = client.get("/api/v1/organisations/borlange/api-keys", headers=admin).json()["items"][0]
    assert listed["token_prefix"] == created.json()["token"][:8] and len(created.json()["token"]) > 32


@pytest.mark.parametrize("token", ["admin", "fm_" + "x" * 28])
def test_a_short_bootstrap_token_is_refused(token: str) -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(bootstrap_admin_token=SecretStr(token))


def test_serve_with_a_short_bootstrap_token_exits_with_a_clear_message(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.settings import get_settings

    monkeypatch.setenv("FUNDMATCH_DATABASE_URL", database_url)
    monkeypatch.setenv("FUNDMATCH_BOOTSTRAP_ADMIN_TOKEN", "shorty-secret")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["serve"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "FUNDMATCH_BOOTSTRAP_ADMIN_TOKEN" in result.output and "32 characters" in result.output
    assert "shorty-secret" not in result.output


def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "var" / "fundmatch.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x)")
    engine.dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_token_past_its_rate_gets_429_with_retry_after_and_others_go_on(make_client, admin: dict) -> None:
    client = make_client(rate_limit="3/minute")
    create_organisation(client, admin, "borlange")  # the admin token's first request
    reader = create_key(client, admin, "borlange", ["read"])  # its second
    answers = [client.get("/api/v1/needs", headers=reader) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["ratelimit-remaining"] for a in answers[:3]] == ["2", "1", "0"]
    refused = answers[3]
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["ratelimit-limit"] == "3" and refused.headers["ratelimit-policy"] == "3;w=60"
    other = create_key(client, admin, "borlange", ["read"], name="other")  # admin's third
    assert client.get("/api/v1/needs", headers=other).status_code == 200
    assert client.get("/healthz").status_code == 200 and "ratelimit-limit" not in client.get("/healthz").headers


def test_rate_headers_come_with_a_match_answer_too(client: TestClient, writer: dict) -> None:
    answer = client.post("/api/v1/match", json={"title": "Skolutbyte", "description": "Elever"}, headers=writer)
    assert answer.status_code == 200 and answer.headers["ratelimit-limit"] == "1200"


def test_a_rate_that_is_not_a_rate_is_refused() -> None:
    with pytest.raises(ValidationError, match="not a rate"):
        Settings(rate_limit="lots")
