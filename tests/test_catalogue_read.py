"""Catalogue read endpoints: filters, pagination, localisation, lookups by code."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.factories import import_catalogue


@pytest.fixture
def loaded(client: TestClient, admin: dict) -> TestClient:
    import_catalogue(client, admin)
    return client


def codes(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["code"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["erasmus-plus", "icld-partnership", "interreg-north", "old-citizens"]),
        ("funder=sida", ["icld-partnership"]),
        ("kind=interreg", ["interreg-north"]),
        ("theme=youth", ["erasmus-plus"]),
        ("pillar=solidarity", ["icld-partnership"]),
        ("strategy_goal=eu2020-education", ["erasmus-plus"]),
        ("applicant_type=school", ["erasmus-plus", "interreg-north", "old-citizens"]),
        ("country=de", ["erasmus-plus", "old-citizens"]),
        ("region=SE312", ["erasmus-plus", "icld-partnership", "old-citizens"]),
        ("region=SE331", ["erasmus-plus", "icld-partnership", "interreg-north", "old-citizens"]),
        ("q=DEMOKRATI", ["icld-partnership"]),
        ("q=elevutbyte", ["erasmus-plus"]),
        ("theme=youth&country=FI", []),
    ],
)
def test_programme_filters(loaded: TestClient, admin: dict, query: str, expected: list[str]) -> None:
    assert codes(loaded.get(f"/api/v1/programmes?{query}", headers=admin)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["erasmus-2026-ka2", "erasmus-2027-ka1", "erasmus-2028-ka1"]),
        ("status=open", ["erasmus-2027-ka1"]),
        ("status=closed", ["erasmus-2026-ka2"]),
        ("status=forthcoming", ["erasmus-2028-ka1"]),
        ("programme=icld-partnership", []),
        ("deadline_from=2027-01-01", ["erasmus-2027-ka1"]),
        ("deadline_to=2026-12-31T00:00:00%2B00:00", ["erasmus-2026-ka2"]),
    ],
)
def test_call_filters(loaded: TestClient, admin: dict, query: str, expected: list[str]) -> None:
    assert codes(loaded.get(f"/api/v1/calls?{query}", headers=admin)) == expected


def test_call_has_status_and_label(loaded: TestClient, admin: dict) -> None:
    call = loaded.get("/api/v1/calls/erasmus-2027-ka1", headers={**admin, "Accept-Language": "sv"}).json()
    assert call["status"] == "open"
    assert call["label"] == "KA1 mobilitet 2027"
    assert call["deadline_at"] == "2027-02-18T12:00:00+01:00"


def test_accept_language_picks_the_label(loaded: TestClient, admin: dict) -> None:
    sv = loaded.get("/api/v1/pillars/solidarity", headers={**admin, "Accept-Language": "sv-SE,en;q=0.5"})
    assert sv.json()["label"] == "Solidaritet" and sv.headers["content-language"] == "sv"
    en = loaded.get("/api/v1/pillars/solidarity", headers={**admin, "Accept-Language": "fr, en;q=0.8, sv;q=0.7"})
    assert en.json()["label"] == "Solidarity"
    fallback = loaded.get("/api/v1/programmes/interreg-north", headers={**admin, "Accept-Language": "sv"})
    assert fallback.json()["label"] == "A northern Interreg programme"


def test_ended_programme_is_marked_inactive(loaded: TestClient, admin: dict) -> None:
    assert loaded.get("/api/v1/programmes/old-citizens", headers=admin).json()["active"] is False
    assert loaded.get("/api/v1/programmes/erasmus-plus", headers=admin).json()["active"] is True


@pytest.mark.parametrize(
    "path",
    [
        "pillars/development",
        "themes/youth",
        "strategy-goals/sdg-13",
        "funders/sida",
        "programmes/erasmus-plus",
        "calls/erasmus-2026-ka2",
    ],
)
def test_each_record_by_code(loaded: TestClient, admin: dict, path: str) -> None:
    response = loaded.get(f"/api/v1/{path}", headers=admin)
    assert response.status_code == 200
    assert response.json()["code"] == path.split("/")[1]


@pytest.mark.parametrize("section", ["pillars", "themes", "strategy-goals", "funders", "programmes", "calls"])
def test_unknown_code_is_404_problem(loaded: TestClient, admin: dict, section: str) -> None:
    response = loaded.get(f"/api/v1/{section}/no-such-thing", headers=admin)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "no-such-thing" in response.json()["detail"]


def test_simple_filters(loaded: TestClient, admin: dict) -> None:
    assert codes(loaded.get("/api/v1/strategy-goals?framework=agenda-2030", headers=admin)) == ["sdg-13"]
    assert codes(loaded.get("/api/v1/strategy-goals?theme=youth", headers=admin)) == ["eu2020-education"]
    assert codes(loaded.get("/api/v1/funders?country=se", headers=admin)) == ["sida"]
    assert codes(loaded.get("/api/v1/funders?kind=eu_institution", headers=admin)) == ["european-commission"]


def test_pagination_windows_and_totals(loaded: TestClient, admin: dict) -> None:
    body = loaded.get("/api/v1/programmes?limit=2&offset=1", headers=admin).json()
    assert [i["code"] for i in body["items"]] == ["icld-partnership", "interreg-north"]
    assert (body["total"], body["limit"], body["offset"]) == (4, 2, 1)
    beyond = loaded.get("/api/v1/programmes?offset=10", headers=admin).json()
    assert beyond["items"] == [] and beyond["total"] == 4


@pytest.mark.parametrize("query", ["limit=201", "limit=0", "offset=-1", "limit=abc"])
def test_pagination_bounds_are_422(loaded: TestClient, admin: dict, query: str) -> None:
    response = loaded.get(f"/api/v1/programmes?{query}", headers=admin)
    assert response.status_code == 422
    body = response.json()
    assert body["status"] == 422 and body["errors"][0]["loc"][0] == "query"


def test_catalogue_info_counts(loaded: TestClient, admin: dict) -> None:
    body = loaded.get("/api/v1/catalogue", headers=admin).json()
    assert body["counts"]["programmes"] == 4 and body["counts"]["calls"] == 3
    assert body["catalogue_version"].startswith("1-")
