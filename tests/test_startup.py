"""Start-up: bootstrap key, the bundled catalogue on a fresh database, workers that follow imports."""

from __future__ import annotations

from pydantic import SecretStr

from app.catalogue.bundled import read_document
from app.settings import PROJECT_ROOT
from tests.conftest import ADMIN_TOKEN, state_of
from tests.factories import catalogue, import_catalogue


def test_fresh_start_loads_the_whole_bundled_catalogue(make_client, admin: dict) -> None:
    client = make_client(load_default_catalogue=True)
    bundled = read_document(PROJECT_ROOT / "data" / "catalogue")
    counts = client.get("/api/v1/catalogue", headers=admin).json()["counts"]
    assert counts == {section: len(bundled.get(section, [])) for section in counts}
    # a second start changes nothing
    version = client.get("/api/v1/catalogue", headers=admin).json()["catalogue_version"]
    again = make_client(load_default_catalogue=True)
    assert again.get("/api/v1/catalogue", headers=admin).json()["catalogue_version"] == version


def test_no_default_catalogue_when_switched_off(make_client, admin: dict) -> None:
    client = make_client(load_default_catalogue=False)
    assert client.get("/api/v1/catalogue", headers=admin).json()["counts"]["programmes"] == 0


def test_bootstrap_token_only_when_no_admin_key_exists(make_client) -> None:
    make_client()
    other = make_client(bootstrap_admin_token=SecretStr("fm_another-token-abcdefghijklmnop"))
    assert (
        other.get("/api/v1/pillars", headers={"Authorization": "Bearer fm_another-token-abcdefghijklmnop"}).status_code
        == 401
    )
    assert other.get("/api/v1/pillars", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).status_code == 200


def test_every_worker_follows_a_catalogue_import(make_client, admin: dict) -> None:
    """Two apps on one database stand for two workers: an import on one reaches the other's matching,
    once the other has built the new index in the background (it answers from the old one meanwhile)."""
    worker_a = make_client()
    worker_b = make_client()
    need = {
        "title": "Lärarutbyte",
        "description": "Lärare ska på fortbildning och jobbskuggning i Europa.",
        "language": "sv",
        "applicant_type": "municipality",
        "country": "SE",
    }
    import_catalogue(worker_a, admin)
    first = worker_b.post("/api/v1/match", json=need, headers=admin).json()
    doc = catalogue()
    doc["programmes"] = [p for p in doc["programmes"] if p["code"] != "erasmus-plus"]
    doc["calls"] = []
    import_catalogue(worker_a, admin, doc, mode="replace")
    during = worker_b.post("/api/v1/match", json=need, headers=admin).json()
    assert during["catalogue_version"] == first["catalogue_version"]
    state_of(worker_b).snapshots.wait_for_rebuild(timeout=120)
    second = worker_b.post("/api/v1/match", json=need, headers=admin).json()
    assert second["catalogue_version"] != first["catalogue_version"]
    assert "erasmus-plus" in [i["programme"]["code"] for i in first["items"]]
    assert "erasmus-plus" not in [i["programme"]["code"] for i in second["items"]]


def test_index_is_built_in_the_background_at_start(make_client, admin: dict) -> None:
    import_catalogue(make_client(), admin)
    client = make_client(warm_index=True)
    snapshots = state_of(client).snapshots
    for _ in range(200):
        snapshot = snapshots.fresh() or snapshots.get()
        if snapshot._index is not None:
            break
        import time

        time.sleep(0.05)
    assert snapshot._index is not None
    assert (
        client.post(
            "/api/v1/match", json={"title": "Skolutbyte", "description": "Lärare och elever."}, headers=admin
        ).status_code
        == 200
    )
