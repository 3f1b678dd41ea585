"""A catalogue change never makes a match wait for the new index: the old one answers meanwhile."""

from __future__ import annotations

import threading
from typing import Any

from fastapi.testclient import TestClient

from app.services.snapshot import CatalogueSnapshot
from tests.conftest import state_of
from tests.factories import catalogue, import_catalogue, need_body


def test_a_match_during_a_rebuild_is_answered_from_the_old_version(client: TestClient, admin: dict[str, str]) -> None:
    import_catalogue(client, admin)
    need = need_body()
    first = client.post("/api/v1/match", json=need, headers=admin).json()
    snapshots = state_of(client).snapshots
    building, release = threading.Event(), threading.Event()
    build = snapshots._prepare
    assert build is not None

    def held_build(snapshot: CatalogueSnapshot) -> Any:
        building.set()
        release.wait(60)
        return build(snapshot)

    snapshots._prepare = held_build
    changed = catalogue()
    changed["programmes"] = [p for p in changed["programmes"] if p["code"] != "erasmus-plus"]
    changed["calls"] = []
    import_catalogue(client, admin, changed, mode="replace")

    during = client.post("/api/v1/match", json=need, headers=admin)
    assert building.wait(30)
    still = client.post("/api/v1/match", json=need, headers=admin)
    listed = client.get("/api/v1/programmes/erasmus-plus", headers=admin)
    assert during.status_code == still.status_code == listed.status_code == 200
    assert during.json() == still.json() == first  # the old version, whole
    release.set()
    snapshots.wait_for_rebuild(timeout=60)

    after = client.post("/api/v1/match", json=need, headers=admin).json()
    assert after["catalogue_version"] != first["catalogue_version"]
    assert "erasmus-plus" not in [item["programme"]["code"] for item in after["items"]]
    assert client.get("/api/v1/programmes/erasmus-plus", headers=admin).status_code == 404


def test_a_failed_rebuild_keeps_the_old_version_answering(client: TestClient, admin: dict[str, str]) -> None:
    import_catalogue(client, admin)
    need = need_body()
    first = client.post("/api/v1/match", json=need, headers=admin).json()
    snapshots = state_of(client).snapshots
    build = snapshots._prepare

    def broken(snapshot: CatalogueSnapshot) -> None:
        raise MemoryError("no room")

    snapshots._prepare = broken
    renamed = catalogue()
    renamed["programmes"][0]["name"]["en"] += " (renamed)"
    import_catalogue(client, admin, renamed)
    client.post("/api/v1/match", json=need, headers=admin)
    snapshots.wait_for_rebuild(timeout=60)
    again = client.post("/api/v1/match", json=need, headers=admin)
    assert again.status_code == 200 and again.json()["catalogue_version"] == first["catalogue_version"]
    snapshots._prepare = build
    client.post("/api/v1/match", json=need, headers=admin)
    snapshots.wait_for_rebuild(timeout=60)
    assert (
        client.post("/api/v1/match", json=need, headers=admin).json()["catalogue_version"] != first["catalogue_version"]
    )
