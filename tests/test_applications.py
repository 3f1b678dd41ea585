"""Applications through the HTTP API: create, status graph, history, ETags, tenancy, filters,
the need delete guard, and the matches that carry them."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import create_key, create_organisation, import_catalogue, need_body

PROBLEM = "application/problem+json"
TODAY = "2026-11-26"  # the frozen clock's date


@pytest.fixture
def world(client: TestClient, admin: dict) -> dict[str, Any]:
    import_catalogue(client, admin)
    create_organisation(client, admin, "borlange")
    create_organisation(client, admin, "falun")
    own = create_key(client, admin, "borlange", ["write"])
    other = create_key(client, admin, "falun", ["write"])
    need = client.post("/api/v1/needs", json=need_body(), headers=own).json()
    other_need = client.post("/api/v1/needs", json=need_body(), headers=other).json()
    return {
        "own": own,
        "read": create_key(client, admin, "borlange", ["read"], name="läsare"),
        "other": other,
        "need": need["id"],
        "other_need": other_need["id"],
    }


def apply(client: TestClient, world: dict, **body: Any) -> Any:
    need = body.pop("need", world["need"])
    return client.post(f"/api/v1/needs/{need}/applications", json=body, headers=world["own"])


def move(client: TestClient, world: dict, app_id: int, **body: Any) -> Any:
    return client.patch(f"/api/v1/applications/{app_id}", json=body, headers=world["own"])


def test_create_answers_201_with_location_etag_and_the_first_history_entry(client: TestClient, world: dict) -> None:
    response = apply(
        client,
        world,
        programme="erasmus-plus",
        call="erasmus-2027-ka1",
        amount_requested_eur=60000,
        owner="Anna Lind",
        notes="Vänorten i Tyskland",
        internal_deadline="2027-02-01",
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/api/v1/applications/{body['id']}"
    assert response.headers["etag"] == f'"{body["id"]}-1"'
    assert body["need"] == world["need"] and body["programme"] == "erasmus-plus" and body["call"] == "erasmus-2027-ka1"
    assert body["status"] == "interested" and body["status_date"] == TODAY
    assert body["deadline_at"] == "2027-02-18T12:00:00+01:00"
    assert body["amount_requested_eur"] == 60000 and body["amount_granted_eur"] is None
    assert body["allowed_next"] == ["preparing", "withdrawn", "dismissed"]
    assert [(h["status"], h["date"], h["by"]) for h in body["history"]] == [("interested", TODAY, "intranet")]
    fetched = client.get(response.headers["location"], headers=world["read"])
    assert fetched.status_code == 200 and fetched.json() == body
    assert fetched.headers["etag"] == response.headers["etag"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"programme": "no-such-programme"}, "programme"),
        ({"programme": "erasmus-plus", "call": "no-such-call"}, "call"),
        ({"programme": "icld-partnership", "call": "erasmus-2027-ka1"}, "call"),
        ({"programme": "erasmus-plus", "status_date": "2026-11-27"}, "status_date"),
        ({"programme": "erasmus-plus", "status": "granted"}, "status"),
        ({"programme": "erasmus-plus", "amount_granted_eur": 5}, "amount_granted_eur"),
        ({"programme": "erasmus-plus", "status": "maybe"}, "status"),
        ({"programme": "erasmus-plus", "amount_requested_eur": -1}, "amount_requested_eur"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_stores_nothing(
    client: TestClient, world: dict, body: dict, loc: str
) -> None:
    response = apply(client, world, **body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert loc in response.json()["errors"][0]["loc"]
    assert client.get("/api/v1/applications", headers=world["own"]).json()["total"] == 0


def test_a_second_application_for_the_same_programme_is_a_409_naming_the_first(client: TestClient, world: dict) -> None:
    first = apply(client, world, programme="erasmus-plus").json()
    second = apply(client, world, programme="erasmus-plus", call="erasmus-2027-ka1")
    assert second.status_code == 409
    problem = second.json()
    assert str(first["id"]) in problem["detail"]
    assert problem["existing"]["id"] == first["id"]
    assert second.headers["location"] == f"/api/v1/applications/{first['id']}"
    # another programme of the same need is fine
    assert apply(client, world, programme="icld-partnership").status_code == 201


def test_the_status_graph_to_a_grant_with_history_dates_and_keys(client: TestClient, world: dict) -> None:
    app_id = apply(client, world, programme="erasmus-plus", status_date="2026-09-01").json()["id"]
    assert move(client, world, app_id, status="preparing", status_date="2026-10-01").status_code == 200
    assert move(client, world, app_id, status="submitted", status_date="2026-11-20").status_code == 200
    early = move(client, world, app_id, status="granted", amount_granted_eur=50000, status_date="2026-11-25")
    assert early.status_code == 200, early.text
    body = early.json()
    assert body["status"] == "granted" and body["amount_granted_eur"] == 50000 and body["allowed_next"] == []
    assert [(h["status"], h["date"]) for h in body["history"]] == [
        ("interested", "2026-09-01"),
        ("preparing", "2026-10-01"),
        ("submitted", "2026-11-20"),
        ("granted", "2026-11-25"),
    ]
    assert {h["by"] for h in body["history"]} == {"intranet"}
    assert {h["at"] for h in body["history"]} == {"2026-11-26T12:00:00Z"}  # recorded at the app's clock


def test_a_status_date_before_the_current_status_is_a_422(client: TestClient, world: dict) -> None:
    app_id = apply(client, world, programme="erasmus-plus", status_date="2026-10-01").json()["id"]
    response = move(client, world, app_id, status="preparing", status_date="2026-09-30")
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["body", "status_date"]
    future = move(client, world, app_id, status="preparing", status_date="2026-11-27")
    assert future.status_code == 422
    assert client.get(f"/api/v1/applications/{app_id}", headers=world["own"]).json()["status"] == "interested"


@pytest.mark.parametrize(
    ("path", "target", "allowed"),
    [
        ([], "granted", ["preparing", "withdrawn", "dismissed"]),
        ([], "submitted", ["preparing", "withdrawn", "dismissed"]),
        (["preparing", "submitted"], "dismissed", ["granted", "rejected", "withdrawn"]),
        (["preparing", "submitted"], "preparing", ["granted", "rejected", "withdrawn"]),
        (["preparing", "submitted", "rejected"], "withdrawn", []),
        (["withdrawn"], "interested", []),
        (["dismissed"], "preparing", []),
    ],
)
def test_any_other_change_is_a_409_naming_the_allowed_next_statuses(
    client: TestClient, world: dict, path: list[str], target: str, allowed: list[str]
) -> None:
    app_id = apply(client, world, programme="erasmus-plus").json()["id"]
    for status in path:
        assert move(client, world, app_id, status=status).status_code == 200, status
    response = move(client, world, app_id, status=target)
    assert response.status_code == 409
    problem = response.json()
    assert problem["allowed"] == allowed
    for status in allowed:
        assert status in problem["detail"]
    assert len(client.get(f"/api/v1/applications/{app_id}", headers=world["own"]).json()["history"]) == len(path) + 1


@pytest.mark.parametrize("start", ["interested", "preparing", "submitted"])
def test_withdrawn_from_any_status_before_a_decision(client: TestClient, world: dict, start: str) -> None:
    app_id = apply(client, world, programme="erasmus-plus", status=start).json()["id"]
    assert move(client, world, app_id, status="withdrawn").json()["status"] == "withdrawn"


def test_amount_granted_only_with_granted(client: TestClient, world: dict) -> None:
    app_id = apply(client, world, programme="erasmus-plus", status="submitted").json()["id"]
    response = move(client, world, app_id, status="rejected", amount_granted_eur=1000)
    assert response.status_code == 422 and response.json()["errors"][0]["loc"] == ["body", "amount_granted_eur"]
    assert move(client, world, app_id, amount_granted_eur=1000).status_code == 422
    assert move(client, world, app_id, status="granted").status_code == 200
    # a granted application's amount may be given or corrected later
    assert move(client, world, app_id, amount_granted_eur=1000).json()["amount_granted_eur"] == 1000


def test_status_date_without_a_change_of_status_is_a_422(client: TestClient, world: dict) -> None:
    app_id = apply(client, world, programme="erasmus-plus").json()["id"]
    assert move(client, world, app_id, status_date="2026-11-01").status_code == 422
    assert move(client, world, app_id, status="interested", owner="Bo").json()["history"][-1]["status"] == "interested"


def test_patch_changes_fields_and_the_call_must_be_of_the_programme(client: TestClient, world: dict) -> None:
    app_id = apply(client, world, programme="erasmus-plus", owner="Anna").json()["id"]
    changed = move(client, world, app_id, call="erasmus-2028-ka1", notes="Nästa år", owner=None).json()
    assert changed["call"] == "erasmus-2028-ka1" and changed["notes"] == "Nästa år" and changed["owner"] is None
    assert changed["deadline_at"] is None  # that call has no deadline yet
    other = apply(client, world, programme="icld-partnership").json()["id"]
    assert move(client, world, other, call="erasmus-2027-ka1").status_code == 422
    assert move(client, world, app_id, programme="icld-partnership").status_code == 422


def test_if_match_as_for_needs(client: TestClient, world: dict) -> None:
    created = apply(client, world, programme="erasmus-plus")
    app_id, etag = created.json()["id"], created.headers["etag"]
    first = client.patch(
        f"/api/v1/applications/{app_id}", json={"status": "preparing"}, headers={**world["own"], "If-Match": etag}
    )
    assert first.status_code == 200 and first.headers["etag"] != etag
    stale = client.patch(
        f"/api/v1/applications/{app_id}", json={"status": "submitted"}, headers={**world["own"], "If-Match": etag}
    )
    assert stale.status_code == 412
    assert (
        client.delete(f"/api/v1/applications/{app_id}", headers={**world["own"], "If-Match": etag}).status_code == 412
    )
    fresh = first.headers["etag"]
    deleted = client.delete(f"/api/v1/applications/{app_id}", headers={**world["own"], "If-Match": fresh})
    assert deleted.status_code == 204
    assert client.get(f"/api/v1/applications/{app_id}", headers=world["own"]).status_code == 404


def test_another_organisations_application_is_a_404_everywhere(client: TestClient, world: dict) -> None:
    app_id = apply(client, world, programme="erasmus-plus").json()["id"]
    other = world["other"]
    url = f"/api/v1/applications/{app_id}"
    assert client.get(url, headers=other).status_code == 404
    assert client.patch(url, json={"status": "preparing"}, headers=other).status_code == 404
    assert client.delete(url, headers=other).status_code == 404
    own_need = f"/api/v1/needs/{world['need']}/applications"
    assert client.post(own_need, json={"programme": "icld-partnership"}, headers=other).status_code == 404
    assert client.get(own_need, headers=other).status_code == 404
    listed = client.get(f"/api/v1/applications?need={world['need']}", headers=other).json()
    assert listed["total"] == 0 and listed["items"] == []
    assert client.get("/api/v1/applications", headers=other).json()["total"] == 0
    csv_text = client.get("/api/v1/applications?format=csv", headers=other).content.decode("utf-8-sig")
    assert len(csv_text.strip().splitlines()) == 1  # the header only
    # nothing of Borlänge's changed
    assert client.get(url, headers=world["own"]).json()["status"] == "interested"
    missing = client.get("/api/v1/applications/999999", headers=other)
    assert missing.json()["detail"].replace("999999", str(app_id)) == client.get(url, headers=other).json()["detail"]


def test_read_scope_reads_and_cannot_write(client: TestClient, world: dict) -> None:
    app_id = apply(client, world, programme="erasmus-plus").json()["id"]
    read = world["read"]
    assert client.get("/api/v1/applications", headers=read).json()["total"] == 1
    assert client.get(f"/api/v1/needs/{world['need']}/applications", headers=read).json()["total"] == 1
    assert client.patch(f"/api/v1/applications/{app_id}", json={"notes": "x"}, headers=read).status_code == 403
    assert client.delete(f"/api/v1/applications/{app_id}", headers=read).status_code == 403
    body = {"programme": "icld-partnership"}
    assert client.post(f"/api/v1/needs/{world['need']}/applications", json=body, headers=read).status_code == 403
    assert client.get("/api/v1/applications", headers={}).status_code == 401


def test_filters(client: TestClient, world: dict) -> None:
    second = client.post(
        "/api/v1/needs", json=need_body(title="Partnerskap", pillars=["solidarity"]), headers=world["own"]
    ).json()["id"]
    a = apply(client, world, programme="erasmus-plus", call="erasmus-2027-ka1").json()["id"]
    b = apply(client, world, programme="icld-partnership", status="preparing", internal_deadline="2027-01-10").json()[
        "id"
    ]
    c = apply(client, world, need=second, programme="icld-partnership", status="submitted").json()["id"]
    d = apply(client, world, need=second, programme="interreg-north", internal_deadline="2027-03-01").json()["id"]

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/v1/applications?{query}", headers=world["own"])
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] == len(body["items"])
        return [item["id"] for item in body["items"]]

    assert ids("") == [a, b, c, d]
    assert ids("status=preparing") == [b]
    assert ids("status=preparing&status=submitted") == [b, c]
    assert ids(f"need={second}") == [c, d]
    assert ids("programme=icld-partnership") == [b, c]
    assert ids("pillar=development") == [a, b]
    assert ids("pillar=solidarity") == [c, d]
    assert ids("deadline_before=2027-02-01") == [b]  # internal deadline 2027-01-10
    assert ids("deadline_before=2027-02-19") == [a, b]  # the call's deadline 2027-02-18
    assert ids("deadline_before=2027-12-31&status=interested") == [a, d]
    assert client.get("/api/v1/applications?status=nope", headers=world["own"]).status_code == 422
    assert client.get("/api/v1/applications?deadline_before=soon", headers=world["own"]).status_code == 422
    page = client.get("/api/v1/applications?limit=2&offset=1", headers=world["own"]).json()
    assert page["total"] == 4 and [item["id"] for item in page["items"]] == [b, c]
    assert [
        i["id"] for i in client.get(f"/api/v1/needs/{second}/applications", headers=world["own"]).json()["items"]
    ] == [c, d]


def test_a_need_with_applications_is_not_deleted(client: TestClient, world: dict) -> None:
    app_id = apply(client, world, programme="erasmus-plus").json()["id"]
    need_url = f"/api/v1/needs/{world['need']}"
    refused = client.delete(need_url, headers=world["own"])
    assert refused.status_code == 409 and "archive" in refused.json()["detail"].lower()
    assert client.get(need_url, headers=world["own"]).status_code == 200
    assert client.delete(f"/api/v1/applications/{app_id}", headers=world["own"]).status_code == 204
    assert client.delete(need_url, headers=world["own"]).status_code == 204


# -- matches ---------------------------------------------------------------------------------


def matches(client: TestClient, world: dict, query: str = "") -> dict[str, Any]:
    response = client.get(f"/api/v1/needs/{world['need']}/matches{query}", headers=world["own"])
    assert response.status_code == 200, response.text
    return dict(response.json())


def codes(answer: dict[str, Any]) -> list[str]:
    return [item["programme"]["code"] for item in answer["items"]]


def test_matches_carry_the_application_and_leave_dismissed_programmes_out(client: TestClient, world: dict) -> None:
    from app.models.match import MatchAnswerPublic

    before = matches(client, world, "?include_ineligible=true")
    ranked = codes(before)
    assert len(ranked) >= 3 and all(item["application"] is None for item in before["items"])
    first, second = ranked[0], ranked[1]
    kept = apply(client, world, programme=second, status="preparing").json()["id"]
    dismissed = apply(client, world, programme=first, status="dismissed").json()["id"]

    after = matches(client, world, "?include_ineligible=true")  # the engine's answer is cached by now
    assert codes(after) == ranked[1:]
    assert [item["rank"] for item in after["items"]] == list(range(1, len(ranked)))
    assert after["items"][0]["application"] == {"id": kept, "status": "preparing"}
    assert MatchAnswerPublic.model_validate(after).model_dump(mode="json") == after

    shown = matches(client, world, "?include_ineligible=true&include_dismissed=true")
    assert codes(shown) == ranked
    assert shown["items"][0]["application"] == {"id": dismissed, "status": "dismissed"}

    # `limit` items still, where the catalogue has them
    assert codes(matches(client, world, "?include_ineligible=true&limit=2")) == ranked[1:3]
    # the same question gives the same bytes
    again = client.get(f"/api/v1/needs/{world['need']}/matches?include_ineligible=true", headers=world["own"])
    assert again.json() == after

    # a change of the application shows at once, although the engine's answer is cached
    move(client, world, kept, status="submitted")
    assert matches(client, world, "?include_ineligible=true")["items"][0]["application"]["status"] == "submitted"
    client.delete(f"/api/v1/applications/{dismissed}", headers=world["own"])
    assert codes(matches(client, world, "?include_ineligible=true")) == ranked


def test_the_unstored_match_has_no_application_field(client: TestClient, world: dict) -> None:
    apply(client, world, programme="erasmus-plus", status="dismissed")
    answer = client.post("/api/v1/match", json=need_body(), headers=world["own"]).json()
    assert "erasmus-plus" in codes(answer) and all("application" not in item for item in answer["items"])
