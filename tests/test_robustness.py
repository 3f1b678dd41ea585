"""Nothing one request can do stalls the service or gets a wrong answer: body limits without a
declared length, JSON nested too deeply, capped error lists, the export from memory with its ETag,
the revision guard on delete, authentication off the event loop, and cache lookups during a build."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from app.errors import PreconditionFailed
from app.models import ApiKey, Need
from app.services import catalogue as catalogue_service
from app.services.needs import delete_need
from tests.conftest import ADMIN_TOKEN, state_of
from tests.factories import catalogue, create_key, create_organisation, import_catalogue, need_body
from tests.records import add_key, add_need, add_organisation, principal_of

PROBLEM = "application/problem+json"


def _chunks(payload: bytes, size: int = 1024) -> Iterator[bytes]:
    """A body sent without Content-Length (chunked), as a streaming client would."""
    for start in range(0, len(payload), size):
        yield payload[start : start + size]


@pytest.fixture
def writer(client: TestClient, admin: dict) -> dict[str, str]:
    import_catalogue(client, admin)
    create_organisation(client, admin, "borlange")
    return create_key(client, admin, "borlange", ["write"])


@pytest.mark.parametrize("path", ["/api/v1/needs", "/api/v1/match"])
def test_body_over_the_limit_without_declared_length_is_413(make_client, admin: dict, path: str) -> None:
    client = make_client(max_body_bytes=4096)
    import_catalogue(client, admin)
    create_organisation(client, admin, "borlange")
    headers = create_key(client, admin, "borlange", ["write"])
    payload = json.dumps(need_body(description="ord " * 5000)).encode()
    response = client.post(path, content=_chunks(payload), headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert client.get("/api/v1/needs", headers=headers).json()["total"] == 0


def test_body_within_the_limit_without_declared_length_is_read_whole(client: TestClient, writer: dict) -> None:
    payload = json.dumps(need_body()).encode()
    response = client.post(
        "/api/v1/needs", content=_chunks(payload, 16), headers={**writer, "Content-Type": "application/json"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["title"] == need_body()["title"]


def test_import_over_its_limit_without_declared_length_is_413(make_client, admin: dict) -> None:
    client = make_client(max_import_body_bytes=2048)
    payload = json.dumps(catalogue()).encode()
    response = client.post(
        "/api/v1/catalogue/import", content=_chunks(payload), headers={**admin, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert client.get("/api/v1/catalogue", headers=admin).json()["counts"]["programmes"] == 0


@pytest.mark.parametrize("path", ["/api/v1/needs", "/api/v1/match", "/api/v1/catalogue/import"])
def test_json_nested_too_deeply_is_a_422_problem(client: TestClient, writer: dict, admin: dict, path: str) -> None:
    headers = admin if path.endswith("import") else writer
    deep = b"[" * 400_000 + b"]" * 400_000
    response = client.post(path, content=deep, headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    body = response.json()
    assert response.headers["content-type"].startswith(PROBLEM)
    assert body["errors"][0]["type"] == "json_too_deep"


def test_error_lists_are_capped(client: TestClient, admin: dict) -> None:
    create_organisation(client, admin, "borlange")
    response = client.post(
        "/api/v1/organisations/borlange/api-keys", json={"name": "x", "scopes": ["nope"] * 20_000}, headers=admin
    )
    assert response.status_code == 422
    assert len(response.content) < 20_000
    assert len(response.json()["errors"]) <= 50


def test_import_with_many_bad_records_names_the_first_and_counts_all(client: TestClient, admin: dict) -> None:
    doc = catalogue()
    doc["programmes"] = [{**doc["programmes"][0], "code": f"p{i}", "funder": "nobody"} for i in range(500)]
    response = client.post("/api/v1/catalogue/import", json=doc, headers=admin)
    assert response.status_code == 422
    body = response.json()
    assert len(body["errors"]) == 50
    assert body["errors"][0]["loc"] == ["programmes", 0, "funder"]
    assert "Only the first 50 of 503" in body["detail"]  # 500 bad funders, 3 calls of a programme gone


def test_export_has_the_version_as_etag_and_answers_304(client: TestClient, admin: dict) -> None:
    import_catalogue(client, admin)
    first = client.get("/api/v1/catalogue/export", headers=admin)
    version = client.get("/api/v1/catalogue", headers=admin).json()["catalogue_version"]
    assert first.status_code == 200 and first.headers["etag"] == f'"{version}"'
    assert first.json()["programmes"]
    again = client.get("/api/v1/catalogue/export", headers={**admin, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    changed = catalogue()
    changed["programmes"][0]["keywords"] = ["town twinning"]
    import_catalogue(client, admin, changed)
    after = client.get("/api/v1/catalogue/export", headers={**admin, "If-None-Match": first.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != first.headers["etag"]
    assert after.json()["programmes"][0]["keywords"] == ["town twinning"]


def test_export_of_one_version_is_read_from_the_database_once(
    client: TestClient, admin: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_catalogue(client, admin)
    reads = []
    real = catalogue_service.export_catalogue
    monkeypatch.setattr("app.services.snapshot.export_catalogue", lambda s: reads.append(1) or real(s))
    state_of(client).snapshots.invalidate()
    bodies = {client.get("/api/v1/catalogue/export", headers=admin).content for _ in range(4)}
    assert len(bodies) == 1 and len(reads) <= 1
    assert json.loads(bodies.pop()) == real_export(client)


def real_export(client: TestClient) -> dict:
    with Session(state_of(client).engine) as session:
        return catalogue_service.export_catalogue(session)


def test_delete_loses_no_change_that_landed_after_the_need_was_read(session: Session, database_url: str) -> None:
    org = add_organisation(session)
    key, _ = add_key(session, org, ["write"])
    need = add_need(session, org)
    session.commit()
    principal = principal_of(org, key)
    assert need.revision == 1
    # another request changes the need after this session has read it
    other = Session(session.get_bind())
    other.execute(text("UPDATE need SET title = 'Changed', revision = revision + 1 WHERE id = :id"), {"id": need.id})
    other.commit()
    other.close()
    assert need.id is not None
    with pytest.raises(PreconditionFailed):
        delete_need(session, principal, need.id, None)
    session.rollback()
    assert session.exec(select(Need.title).where(Need.id == need.id)).one() == "Changed"


def test_services_import_without_the_web_stack() -> None:
    code = (
        "import sys\n"
        "import app.services.needs, app.services.catalogue, app.services.keys, app.services.organisations\n"
        "import app.services.suggestions, app.services.startup, app.services.calls, app.services.auth\n"
        "import app.catalogue.validate, app.catalogue.ftportal, app.matching, app.errors, app.principal\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('fastapi', 'starlette'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def _hold_key_row_lock(url: str, key_id: int) -> tuple[threading.Event, threading.Event]:
    """Take the write lock a key's last-use record needs, in another connection, until released."""
    from sqlalchemy import create_engine

    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        engine = create_engine(url)
        with engine.connect() as connection:
            if url.startswith("sqlite"):
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                connection.execute(text("SELECT id FROM api_key WHERE id = :id FOR UPDATE"), {"id": key_id})
            locked.set()
            release.wait(30)
            connection.rollback()
        engine.dispose()

    threading.Thread(target=hold, daemon=True).start()
    assert locked.wait(10)
    return locked, release


def test_a_first_use_key_does_not_wait_for_a_write_lock(live_server: str, database_url: str) -> None:
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with httpx.Client(base_url=live_server, timeout=30) as http:
        assert http.post("/api/v1/organisations", json={"code": "borlange", "name": "B"}, headers=admin).status_code
        created = http.post(
            "/api/v1/organisations/borlange/api-keys", json={"name": "k", "scopes": ["read"]}, headers=admin
        ).json()
        headers = {"Authorization": f"Bearer {created['token']}"}
        _, release = _hold_key_row_lock(database_url, created["id"])
        try:
            # While the lock is held: the new key's request is answered, and so is /healthz.
            assert http.get("/api/v1/needs", headers=headers).status_code == 200
            assert http.get("/healthz").status_code == 200
        finally:
            release.set()
        # and the key's last use is recorded once the lock is free
        for _ in range(200):
            keys = http.get("/api/v1/organisations/borlange/api-keys", headers=admin).json()["items"]
            if keys[0]["last_used_at"] is not None:
                break
            time.sleep(0.05)
    assert keys[0]["last_used_at"] is not None


def test_last_use_is_recorded_once_the_lock_is_free(client: TestClient, admin: dict) -> None:
    create_organisation(client, admin, "borlange")
    headers = create_key(client, admin, "borlange", ["read"])
    assert client.get("/api/v1/needs", headers=headers).status_code == 200
    state_of(client).key_usage.flush()
    with Session(state_of(client).engine) as session:
        used = session.exec(select(ApiKey.last_used_at).where(ApiKey.name == "intranet")).one()
    assert used is not None


def test_a_repeated_match_is_answered_while_the_index_lock_is_held(client: TestClient, writer: dict) -> None:
    body = {"title": "Ungdomsutbyte", "description": "Elever reser till vänorten."}
    first = client.post("/api/v1/match", json=body, headers=writer)
    assert first.status_code == 200
    snapshot = state_of(client).snapshots.get()
    with snapshot._index_lock, ThreadPoolExecutor(1) as pool:
        future = pool.submit(client.post, "/api/v1/match", json=body, headers=writer)
        again = future.result(timeout=20)
    assert again.status_code == 200 and again.content == first.content


def test_export_is_rendered_record_by_record_into_the_same_bytes() -> None:
    from app.services.snapshot import render_document

    doc = catalogue()
    doc["programmes"][0]["description"]["sv"] = 'Åäö "citat" \\ och \u2028 rad'
    assert render_document(doc) == json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def test_a_large_import_runs_in_a_child_process_with_the_same_outcomes(make_client, admin: dict) -> None:
    client = make_client(import_child_bytes=0)
    summary = import_catalogue(client, admin)
    assert summary["changed"] is True and summary["created"]["programmes"] == len(catalogue()["programmes"])
    assert client.get("/api/v1/programmes/erasmus-plus", headers=admin).status_code == 200
    assert import_catalogue(client, admin)["changed"] is False
    bad = catalogue()
    bad["programmes"][0]["funder"] = "nobody"
    answer = client.post("/api/v1/catalogue/import", json=bad, headers=admin)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["programmes", 0, "funder"]
    deep = client.post(
        "/api/v1/catalogue/import", content=b"[" * 100_000, headers={**admin, "Content-Type": "application/json"}
    )
    assert deep.status_code == 422
