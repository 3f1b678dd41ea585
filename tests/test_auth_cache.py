"""Each worker trusts a key it has checked for FUNDMATCH_AUTH_CACHE_SECONDS; changes made on the
worker itself (revocation, organisation profile) take effect at once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from app.principal import Principal
from app.services.auth import PrincipalCache, credentials_changed
from tests.conftest import state_of
from tests.factories import create_key, create_organisation, first_key_id, import_catalogue

BARE_NEED = {
    "title": "Klimatsamarbete i norr",
    "description": "Vi vill samarbeta om klimatanpassning i Arktis.",
    "language": "sv",
}


def _revoke_elsewhere(client: Any) -> None:
    """Revoke every key straight in the database, as another worker or process would."""
    with state_of(client).engine.begin() as connection:
        connection.execute(text("UPDATE api_key SET revoked_at = CURRENT_TIMESTAMP WHERE name = 'intranet'"))


def test_a_checked_key_is_trusted_for_the_cache_period(make_client: Any, admin: dict) -> None:
    client = make_client(auth_cache_seconds=3600)
    create_organisation(client, admin, "borlange")
    headers = create_key(client, admin, "borlange", ["read"])
    assert client.get("/api/v1/needs", headers=headers).status_code == 200
    _revoke_elsewhere(client)
    # this worker has not heard of it yet ...
    assert client.get("/api/v1/needs", headers=headers).status_code == 200
    # ... while a worker that does not cache sees it at once
    uncached = make_client(auth_cache_seconds=0)
    assert uncached.get("/api/v1/needs", headers=headers).status_code == 401


def test_an_expired_entry_is_checked_again(make_client: Any, admin: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    client = make_client(auth_cache_seconds=5)
    create_organisation(client, admin, "borlange")
    headers = create_key(client, admin, "borlange", ["read"])
    assert client.get("/api/v1/needs", headers=headers).status_code == 200
    _revoke_elsewhere(client)
    later = PrincipalCache.now() + 6
    monkeypatch.setattr(PrincipalCache, "now", staticmethod(lambda: later))
    assert client.get("/api/v1/needs", headers=headers).status_code == 401


def test_organisation_change_reaches_the_match_defaults_at_once(make_client: Any, admin: dict) -> None:
    client = make_client(auth_cache_seconds=3600)
    import_catalogue(client, admin)
    create_organisation(client, admin, "tromso", country="SE", region="SE312")
    headers = create_key(client, admin, "tromso", ["read"])

    def icld_eligible() -> bool:
        response = client.post("/api/v1/match?include_ineligible=true&limit=100", json=BARE_NEED, headers=headers)
        assert response.status_code == 200, response.text
        return bool(
            next(i for i in response.json()["items"] if i["programme"]["code"] == "icld-partnership")["eligible"]
        )

    assert icld_eligible()
    moved = client.patch("/api/v1/organisations/tromso", json={"country": "NO", "region": "NO07"}, headers=admin)
    assert moved.status_code == 200, moved.text
    assert not icld_eligible()  # Swedish applicants only


def test_cache_entries_die_with_a_change_or_their_time() -> None:
    cache = PrincipalCache(ttl=60)
    principal = Principal(key_id=1, key_name="k", organisation_id=1, organisation_code="o", scopes=frozenset({"read"}))
    generation = PrincipalCache.generation()
    cache.put("digest", principal, generation)
    assert cache.get("digest") is principal
    credentials_changed()
    assert cache.get("digest") is None
    # read before a change, stored after it: never trusted
    cache.put("digest", principal, generation)
    assert cache.get("digest") is None
    off = PrincipalCache(ttl=0)
    off.put("digest", principal, PrincipalCache.generation())
    assert off.get("digest") is None


def test_two_workers_without_a_cache_both_refuse_a_revoked_key_at_once(make_client: Any, admin: dict) -> None:
    """Two apps on one database stand for two workers, as `serve --workers 2` configures them."""
    first, second = make_client(auth_cache_seconds=0), make_client(auth_cache_seconds=0)
    create_organisation(first, admin, "borlange")
    headers = create_key(first, admin, "borlange", ["read"])
    assert first.get("/api/v1/needs", headers=headers).status_code == 200
    assert second.get("/api/v1/needs", headers=headers).status_code == 200
    key_id = first_key_id(first, admin)
    assert first.delete(f"/api/v1/api-keys/{key_id}", headers=admin).status_code == 204
    assert second.get("/api/v1/needs", headers=headers).status_code == 401


@pytest.mark.parametrize(
    ("workers", "preset", "expected"),
    [(2, None, "0"), (1, None, None), (2, "5", "5")],
)
def test_serve_with_several_workers_turns_the_key_cache_off(
    database_url: str, monkeypatch: pytest.MonkeyPatch, workers: int, preset: str | None, expected: str | None
) -> None:
    """What `fundmatch serve` hands its workers (uvicorn itself is not started)."""
    import os

    from typer.testing import CliRunner

    from app import cli as cli_module
    from app.settings import get_settings

    seen: dict[str, str | None] = {}
    monkeypatch.setattr(
        cli_module.uvicorn, "run", lambda *a, **k: seen.update(cache=os.environ.get("FUNDMATCH_AUTH_CACHE_SECONDS"))
    )
    monkeypatch.setenv("FUNDMATCH_DATABASE_URL", database_url)
    monkeypatch.setenv("FUNDMATCH_LOAD_DEFAULT_CATALOGUE", "false")
    # set first, so that whatever serve writes there is undone after the test
    monkeypatch.setenv("FUNDMATCH_AUTH_CACHE_SECONDS", preset or "")
    if preset is None:
        monkeypatch.delenv("FUNDMATCH_AUTH_CACHE_SECONDS")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli_module.cli, ["serve", "--workers", str(workers)])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert seen == {"cache": expected}
