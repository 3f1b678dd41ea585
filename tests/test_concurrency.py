"""Concurrent writes against a real server: one winner per ETag, no lost creates."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.conftest import ADMIN_TOKEN
from tests.factories import catalogue, need_body

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def _setup(base: str) -> dict[str, str]:
    with httpx.Client(base_url=base, timeout=30) as http:
        assert http.post("/api/v1/catalogue/import", json=catalogue(), headers=ADMIN).status_code == 200
        assert (
            http.post("/api/v1/organisations", json={"code": "borlange", "name": "Borlänge"}, headers=ADMIN).status_code
            == 201
        )
        token = http.post(
            "/api/v1/organisations/borlange/api-keys", json={"name": "t", "scopes": ["write"]}, headers=ADMIN
        ).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_concurrent_patches_with_one_etag_have_one_winner(live_server: str) -> None:
    headers = _setup(live_server)
    with httpx.Client(base_url=live_server, timeout=60) as http:
        created = http.post("/api/v1/needs", json=need_body(), headers=headers)
        need_id, etag = created.json()["id"], created.headers["etag"]

    def patch(i: int) -> int:
        with httpx.Client(base_url=live_server, timeout=60) as http:
            return http.patch(
                f"/api/v1/needs/{need_id}", json={"title": f"Version {i}"}, headers={**headers, "If-Match": etag}
            ).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = sorted(pool.map(patch, range(20)))
    assert statuses.count(200) == 1 and statuses.count(412) == 19, statuses
    with httpx.Client(base_url=live_server, timeout=60) as http:
        final = http.get(f"/api/v1/needs/{need_id}", headers=headers)
    assert final.headers["etag"] != etag and final.json()["title"].startswith("Version ")


def test_concurrent_creates_all_land(live_server: str) -> None:
    headers = _setup(live_server)

    def create(i: int) -> int:
        with httpx.Client(base_url=live_server, timeout=120) as http:
            return http.post("/api/v1/needs", json=need_body(title=f"Behov {i}"), headers=headers).status_code

    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(pool.map(create, range(200)))
    assert statuses.count(201) == 200, sorted(set(statuses))
    with httpx.Client(base_url=live_server, timeout=60) as http:
        listed = http.get("/api/v1/needs?limit=200", headers=headers).json()
    assert listed["total"] == 200
    assert len({n["id"] for n in listed["items"]}) == 200
