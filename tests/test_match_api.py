"""POST /api/v1/match through the real app: the contract's answer shape and rules."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.factories import catalogue, create_key, create_organisation, import_catalogue

NEED = {
    "title": "Ungdomsutbyte med vänort i Tyskland",
    "description": "Gymnasieelever och lärare ska göra ett utbyte med skolor i vår vänort i Tyskland.",
    "language": "sv",
    "applicant_type": "municipality",
    "country": "SE",
    "region": "SE312",
    "budget_eur": 60000,
    "start_date": "2027-08-01",
    "end_date": "2028-06-30",
    "partners": {"has_partners": True, "countries": ["DE"]},
}


@pytest.fixture
def loaded(client: TestClient, admin: dict) -> TestClient:
    import_catalogue(client, admin)
    return client


def test_answer_has_the_contract_shape(loaded: TestClient, admin: dict) -> None:
    response = loaded.post("/api/v1/match", json=NEED, headers=admin)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["need"] == {"id": None, "language": "sv", "partner_countries": [{"code": "DE", "from": "given"}]}
    assert body["catalogue_version"].startswith("1-")
    top = body["items"][0]
    assert top["rank"] == 1 and top["programme"]["code"] == "erasmus-plus"
    assert set(top["programme"]) >= {"code", "name", "funder", "url"}
    assert 0 <= top["score"] <= 1 and top["eligible"] is True
    assert set(top["score_breakdown"]) >= {"text", "themes", "pillars", "strategy_goals"}
    assert top["reasons"] and isinstance(top["warnings"], list)
    assert [c["code"] for c in top["calls"]] == ["erasmus-2027-ka1", "erasmus-2028-ka1"]
    assert top["calls"][0]["status"] == "open" and top["calls"][1]["status"] == "forthcoming"
    assert isinstance(body["strategy_goals"], list)


def test_items_sorted_by_score_then_code(loaded: TestClient, admin: dict) -> None:
    items = loaded.post("/api/v1/match?include_ineligible=true", json=NEED, headers=admin).json()["items"]
    keys = [(-i["score"], i["programme"]["code"]) for i in items]
    assert keys == sorted(keys)
    assert [i["rank"] for i in items] == list(range(1, len(items) + 1))


def test_same_input_same_answer(loaded: TestClient, admin: dict) -> None:
    first = loaded.post("/api/v1/match", json=NEED, headers=admin).json()
    second = loaded.post("/api/v1/match", json=NEED, headers=admin).json()
    assert first == second


def test_ineligible_only_on_request_with_reason(loaded: TestClient, admin: dict) -> None:
    default = [i["programme"]["code"] for i in loaded.post("/api/v1/match", json=NEED, headers=admin).json()["items"]]
    assert "old-citizens" not in default and "interreg-north" not in default
    items = loaded.post("/api/v1/match?include_ineligible=true&limit=100", json=NEED, headers=admin).json()["items"]
    by_code = {i["programme"]["code"]: i for i in items}
    assert by_code["old-citizens"]["eligible"] is False and by_code["old-citizens"]["warnings"]
    climate = {**NEED, "title": "Klimatsamarbete", "description": "Gränsöverskridande samarbete om klimat i norr."}
    items = loaded.post("/api/v1/match?include_ineligible=true&limit=100", json=climate, headers=admin).json()["items"]
    north = next(i for i in items if i["programme"]["code"] == "interreg-north")
    assert north["eligible"] is False and north["warnings"]


@pytest.mark.parametrize("limit", ["0", "101", "x"])
def test_limit_bounds(loaded: TestClient, admin: dict, limit: str) -> None:
    assert loaded.post(f"/api/v1/match?limit={limit}", json=NEED, headers=admin).status_code == 422


def test_limit_cuts_the_list(loaded: TestClient, admin: dict) -> None:
    assert len(loaded.post("/api/v1/match?limit=1", json=NEED, headers=admin).json()["items"]) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"title": None},
        {"description": ""},
        {"themes": ["ghosts"]},
        {"pillars": ["nope"]},
        {"language": "fi"},
        {"id": 3},
    ],
)
def test_bad_need_is_422(loaded: TestClient, admin: dict, change: dict) -> None:
    body = {**NEED, **change}
    body = {k: v for k, v in body.items() if v is not None}
    response = loaded.post("/api/v1/match", json=body, headers=admin)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


def test_explanations_follow_accept_language(loaded: TestClient, admin: dict) -> None:
    english_need = {
        **NEED,
        "language": "en",
        "title": "Youth exchange with our twin town",
        "description": "Pupils and teachers go on an exchange with schools in Germany.",
    }
    en = loaded.post("/api/v1/match", json=english_need, headers=admin).json()
    sv = loaded.post("/api/v1/match", json=english_need, headers={**admin, "Accept-Language": "sv"}).json()
    assert en["items"][0]["reasons"] != sv["items"][0]["reasons"]
    assert sv["display_language"] == "sv" and en["display_language"] == "en"


def test_defaults_come_from_the_organisation(loaded: TestClient, admin: dict) -> None:
    create_organisation(loaded, admin, "tromso", type="municipality", country="NO", region="NO07")
    headers = create_key(loaded, admin, "tromso", ["read"])
    bare = {
        "title": "Klimatsamarbete i norr",
        "description": "Vi vill samarbeta om klimatanpassning i Arktis.",
        "language": "sv",
    }
    items = loaded.post("/api/v1/match?include_ineligible=true&limit=100", json=bare, headers=headers).json()["items"]
    icld = next(i for i in items if i["programme"]["code"] == "icld-partnership")
    assert icld["eligible"] is False  # Swedish applicants only; Tromsø is in Norway


def test_match_needs_a_token(loaded: TestClient) -> None:
    assert loaded.post("/api/v1/match", json=NEED).status_code == 401


def test_empty_catalogue_gives_no_items(client: TestClient, admin: dict) -> None:
    response = client.post(
        "/api/v1/match", json={k: v for k, v in NEED.items() if k not in ("themes", "pillars")}, headers=admin
    )
    assert response.status_code == 200 and response.json()["items"] == []


def test_answer_validates_against_the_documented_schema(loaded: TestClient, admin: dict) -> None:
    from app.models.match import MatchAnswerPublic

    for query in ("", "?include_ineligible=true&limit=100"):
        body = loaded.post(f"/api/v1/match{query}", json=NEED, headers=admin).json()
        # exclude_unset: `application` is a stored need's (tests/test_applications.py)
        assert MatchAnswerPublic.model_validate(body).model_dump(mode="json", exclude_unset=True) == body


def test_repeated_need_is_answered_the_same_from_the_cache(loaded: TestClient, admin: dict) -> None:
    first = loaded.post("/api/v1/match", json=NEED, headers=admin)
    second = loaded.post("/api/v1/match", json=NEED, headers=admin)
    assert first.content == second.content
    assert first.headers["content-type"] == "application/json"
    other_limit = loaded.post("/api/v1/match?limit=1", json=NEED, headers=admin).json()
    assert len(other_limit["items"]) == 1


def test_a_budget_inside_the_grant_range_is_given_as_a_reason(loaded: TestClient, admin: dict) -> None:
    answer = loaded.post("/api/v1/match", json=NEED, headers={**admin, "Accept-Language": "en"}).json()
    erasmus = next(i for i in answer["items"] if i["programme"]["code"] == "erasmus-plus")
    assert "The budget (EUR 60 000) is within the grant range (EUR 10 000–400 000)" in erasmus["reasons"]


def test_a_need_after_the_period_is_eligible_while_the_last_calls_projects_may_run(
    client: TestClient, admin: dict
) -> None:
    doc = catalogue()
    erasmus = next(p for p in doc["programmes"] if p["code"] == "erasmus-plus")
    erasmus["period"] = {"start": "2021-01-01", "end": "2027-12-31", "projects_until": "2029-12-31"}
    import_catalogue(client, admin, doc)
    assert client.get("/api/v1/programmes/erasmus-plus", headers=admin).json()["period"]["projects_until"] == (
        "2029-12-31"
    )
    url = "/api/v1/match?include_ineligible=true&limit=100"

    def erasmus_item(start: str, end: str) -> dict:
        need = {**NEED, "start_date": start, "end_date": end, "language": "en"}
        items = client.post(url, json=need, headers=admin).json()["items"]
        return next(i for i in items if i["programme"]["code"] == "erasmus-plus")

    later = erasmus_item("2028-09-01", "2029-06-30")
    assert later["eligible"] is True
    assert (
        "The programme period ends on 2027-12-31: apply in its last calls, whose projects may run until 2029-12-31"
        in later["warnings"]
    )
    too_late = erasmus_item("2030-02-01", "2030-12-31")
    assert too_late["eligible"] is False
    assert any("end by 2029-12-31, before the project starts on 2030-02-01" in w for w in too_late["warnings"])
    # a period end that comes before it is refused, naming the field
    doc["programmes"][0]["period"]["projects_until"] = "2026-01-01"
    refused = client.post("/api/v1/catalogue/import", json=doc, headers=admin)
    assert refused.status_code == 422 and "projects_until" in refused.text
