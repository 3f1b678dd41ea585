"""A catalogue change never makes a match wait for the new index: the old one answers meanwhile."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from app.services.snapshot import CatalogueSnapshot
from app.services.snapshot_child import ChildBuilder
from app.settings import Settings
from tests.conftest import AppFactory, state_of
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


def _rename_a_programme_and_match_after_the_rebuild(
    client: TestClient, admin: dict[str, str], need: dict[str, Any]
) -> Response:
    renamed = catalogue()
    renamed["programmes"][0]["name"]["en"] += " (renamed)"
    import_catalogue(client, admin, renamed)
    client.post("/api/v1/match", json=need, headers=admin)  # notices the new version
    state_of(client).snapshots.wait_for_rebuild(timeout=120)
    return client.post("/api/v1/match", json=need, headers=admin)


def test_a_failed_rebuild_keeps_the_old_version_answering(client: TestClient, admin: dict[str, str]) -> None:
    import_catalogue(client, admin)
    need = need_body()
    first = client.post("/api/v1/match", json=need, headers=admin).json()
    snapshots = state_of(client).snapshots
    build = snapshots._prepare

    def broken(snapshot: CatalogueSnapshot) -> None:
        raise MemoryError("no room")

    snapshots._prepare = broken
    again = _rename_a_programme_and_match_after_the_rebuild(client, admin, need)
    assert again.status_code == 200 and again.json()["catalogue_version"] == first["catalogue_version"]
    snapshots._prepare = build
    client.post("/api/v1/match", json=need, headers=admin)
    snapshots.wait_for_rebuild(timeout=60)
    assert (
        client.post("/api/v1/match", json=need, headers=admin).json()["catalogue_version"] != first["catalogue_version"]
    )


def test_a_large_catalogue_is_rebuilt_in_a_child_process_and_ranks_the_same(
    make_client: AppFactory, admin: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    client = make_client(rebuild_child_programmes=0)  # every catalogue counts as large
    import_catalogue(client, admin)
    need = need_body()
    first = client.post("/api/v1/match", json=need, headers=admin).json()
    snapshots = state_of(client).snapshots
    builds: list[str] = []
    spool = tmp_path / "spool"
    spool.mkdir()
    child = ChildBuilder(settings.database_url, settings.lexicon_dir, folder=str(spool))

    def counted() -> CatalogueSnapshot:
        snapshot = child()
        builds.append(snapshot.version)
        return snapshot

    snapshots._build_elsewhere = counted
    changed = catalogue()
    changed["programmes"] = [p for p in changed["programmes"] if p["code"] != "erasmus-plus"]
    changed["calls"] = [c for c in changed["calls"] if c["programme"] != "erasmus-plus"]
    import_catalogue(client, admin, changed, mode="replace")
    client.post("/api/v1/match", json=need, headers=admin)
    snapshots.wait_for_rebuild(timeout=120)

    after = client.post("/api/v1/match", json=need, headers=admin).json()
    assert builds == [after["catalogue_version"]] != [first["catalogue_version"]]
    assert "erasmus-plus" not in [item["programme"]["code"] for item in after["items"]]
    assert not list(spool.iterdir())  # the child's file is gone once read
    # a worker that built the same version in its own thread ranks exactly alike
    in_thread = make_client(rebuild_child_programmes=10**6)
    assert in_thread.post("/api/v1/match", json=need, headers=admin).json() == after


def test_a_failed_child_keeps_the_old_version_answering(
    make_client: AppFactory, admin: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    client = make_client(rebuild_child_programmes=0)
    import_catalogue(client, admin)
    need = need_body()
    first = client.post("/api/v1/match", json=need, headers=admin).json()
    snapshots = state_of(client).snapshots
    spool = tmp_path / "spool"
    spool.mkdir()
    snapshots._build_elsewhere = ChildBuilder(settings.database_url, tmp_path / "no-lexicon", folder=str(spool))
    again = _rename_a_programme_and_match_after_the_rebuild(client, admin, need)
    assert again.status_code == 200 and again.json() == first
    assert not list(spool.iterdir())
