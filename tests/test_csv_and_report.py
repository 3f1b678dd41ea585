"""CSV of needs and applications (parsed back with `csv`) and the funding report against a
hand-computed fixture of applications of two organisations."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Clock
from tests.factories import create_key, create_organisation, import_catalogue, need_body

BOM = b"\xef\xbb\xbf"


def parse(response: Any, delimiter: str = ",") -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(BOM)
    return list(
        csv.DictReader(io.StringIO(response.content[len(BOM) :].decode("utf-8"), newline=""), delimiter=delimiter)
    )


@pytest.fixture
def org(client: TestClient, admin: dict) -> dict[str, Any]:
    import_catalogue(client, admin)
    create_organisation(client, admin, "borlange")
    create_organisation(client, admin, "falun")
    return {
        "own": create_key(client, admin, "borlange", ["write"]),
        "other": create_key(client, admin, "falun", ["write"]),
    }


def test_applications_csv_has_every_row_iso_dates_plain_amounts_and_swedish_letters(
    client: TestClient, org: dict
) -> None:
    own = org["own"]
    need = client.post("/api/v1/needs", json=need_body(title='Åäö-utbyte; med "citat"'), headers=own).json()["id"]
    for programme in ("erasmus-plus", "icld-partnership", "interreg-north"):
        body = {"programme": programme, "amount_requested_eur": 1234567, "owner": "Örjan Åkesson", "notes": "=1+1"}
        assert client.post(f"/api/v1/needs/{need}/applications", json=body, headers=own).status_code == 201
    other_need = client.post("/api/v1/needs", json=need_body(), headers=org["other"]).json()["id"]
    client.post(f"/api/v1/needs/{other_need}/applications", json={"programme": "erasmus-plus"}, headers=org["other"])

    rows = parse(client.get("/api/v1/applications?format=csv&limit=1&offset=1", headers=own))
    assert [row["programme"] for row in rows] == ["erasmus-plus", "icld-partnership", "interreg-north"]
    first = rows[0]
    assert first["need_title"] == 'Åäö-utbyte; med "citat"'
    assert first["owner"] == "Örjan Åkesson" and first["amount_requested_eur"] == "1234567"
    assert first["status_date"] == "2026-11-26" and first["amount_granted_eur"] == ""
    assert first["programme_name"] == "Erasmus+" and first["funder"] == "european-commission"
    assert first["notes"] == "'=1+1"  # a spreadsheet shows it as text, never runs it as a formula
    datetime.fromisoformat(first["created_at"])

    semicolon = parse(client.get("/api/v1/applications?format=csv&delimiter=semicolon", headers=own), ";")
    assert semicolon == rows
    assert (
        b";" in client.get("/api/v1/applications?format=csv&delimiter=semicolon", headers=own).content.split(b"\r\n")[0]
    )
    # filters apply
    filtered = parse(client.get("/api/v1/applications?format=csv&programme=icld-partnership", headers=own))
    assert [row["programme"] for row in filtered] == ["icld-partnership"]
    swedish = parse(client.get("/api/v1/applications?format=csv", headers={**own, "Accept-Language": "sv"}))
    assert swedish[1]["programme_name"] == "Kommunalt partnerskap"
    assert client.get("/api/v1/applications?format=xml", headers=own).status_code == 422
    assert client.get("/api/v1/applications?format=csv&delimiter=tab", headers=own).status_code == 422


def test_needs_csv_every_page_with_filters(client: TestClient, org: dict) -> None:
    own = org["own"]
    for i in range(3):
        body = need_body(title=f"Behov {i} – älgar", budget_eur=1_000_000 + i, pillars=["development", "solidarity"])
        client.post("/api/v1/needs", json=body, headers=own)
    client.post("/api/v1/needs", json=need_body(status="draft"), headers=own)
    client.post("/api/v1/needs", json=need_body(title="Falu behov"), headers=org["other"])
    rows = parse(client.get("/api/v1/needs?format=csv&limit=1&status=active", headers=own))
    assert [row["title"] for row in rows] == ["Behov 0 – älgar", "Behov 1 – älgar", "Behov 2 – älgar"]
    assert rows[0]["budget_eur"] == "1000000" and rows[0]["start_date"] == "2027-08-01"
    assert rows[0]["pillars"] == "development, solidarity" and rows[0]["partner_countries"] == "DE"
    assert (
        parse(client.get("/api/v1/needs?format=csv&delimiter=semicolon&limit=1&status=active", headers=own), ";")
        == rows
    )


# -- the funding report ----------------------------------------------------------------------

# (need, programme, steps): each step (status, date, amount); the first creates it.
BORLANGE = [
    (
        "N1",
        "erasmus-plus",
        [
            ("interested", "2027-01-10"),
            ("preparing", "2027-02-01"),
            ("submitted", "2027-02-01", 100000),
            ("granted", "2027-05-01", 80000),
        ],
    ),
    (
        "N1",
        "interreg-north",
        [
            ("interested", "2026-11-01"),
            ("preparing", "2026-12-01"),
            ("submitted", "2026-12-01", 50000),
            ("rejected", "2027-03-01"),
        ],
    ),
    ("N1", "icld-partnership", [("preparing", "2027-02-01"), ("submitted", "2027-04-01", 30000)]),
    (
        "N2",
        "icld-partnership",
        [
            ("interested", "2026-10-01"),
            ("preparing", "2026-10-15"),
            ("submitted", "2026-10-15", 40000),
            ("granted", "2026-12-20", 40000),
        ],
    ),
    ("N2", "erasmus-plus", [("interested", "2027-03-01"), ("dismissed", "2027-03-05")]),
    ("N2", "interreg-north", [("submitted", "2027-06-01", 20000), ("rejected", "2027-09-01")]),
    (
        "N3",
        "erasmus-plus",
        [
            ("interested", "2027-01-20"),
            ("preparing", "2027-03-01"),
            ("submitted", "2027-03-01", 200000),
            ("granted", "2027-06-30", 150000),
        ],
    ),
    (
        "N3",
        "icld-partnership",
        [
            ("interested", "2027-04-01"),
            ("preparing", "2027-05-01"),
            ("submitted", "2027-05-01", 60000),
            ("rejected", "2027-08-01"),
        ],
    ),
    ("N3", "interreg-north", [("preparing", "2027-11-01"), ("withdrawn", "2027-12-01")]),
    (
        "N4",
        "erasmus-plus",
        [
            ("interested", "2027-02-15"),
            ("preparing", "2027-10-01"),
            ("submitted", "2027-10-01", 10000),
            ("granted", "2028-01-10", 10000),
        ],
    ),
    ("N4", "icld-partnership", [("interested", "2027-12-31")]),
    ("N4", "old-citizens", [("submitted", "2026-12-31", 5000), ("granted", "2027-01-01", 4000)]),
]
FALUN = [
    ("F1", "erasmus-plus", [("submitted", "2027-02-01", 999999), ("granted", "2027-03-01", 999999)]),
    ("F1", "icld-partnership", [("interested", "2027-03-01")]),
]
PILLARS = {
    "N1": ["development"],
    "N2": ["solidarity"],
    "N3": ["development", "solidarity"],
    "N4": [],
    "F1": ["development"],
}


def record(client: TestClient, headers: dict, fixture: list) -> None:
    needs: dict[str, int] = {}
    for need, programme, steps in fixture:
        if need not in needs:
            body = need_body(title=f"Behov {need}", pillars=PILLARS[need])
            needs[need] = client.post("/api/v1/needs", json=body, headers=headers).json()["id"]
        status, when, *amount = steps[0]
        body = {"programme": programme, "status": status, "status_date": when}
        if status == "submitted":
            body["amount_requested_eur"] = amount[0]
        created = client.post(f"/api/v1/needs/{needs[need]}/applications", json=body, headers=headers)
        assert created.status_code == 201, created.text
        for status, when, *amount in steps[1:]:
            change: dict[str, Any] = {"status": status, "status_date": when}
            if amount:
                change["amount_requested_eur" if status == "submitted" else "amount_granted_eur"] = amount[0]
            response = client.patch(created.headers["location"], json=change, headers=headers)
            assert response.status_code == 200, response.text


@pytest.fixture
def reported(client: TestClient, org: dict, clock: Clock) -> dict[str, Any]:
    clock.now = datetime(2028, 1, 15, 9, 0, tzinfo=UTC)
    record(client, org["own"], BORLANGE)
    record(client, org["other"], FALUN)
    return org


def report(client: TestClient, headers: dict, query: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/reports/funding?{query}", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def counts(
    applications: int, submitted: int, granted: int, rejected: int, requested: int, granted_eur: int, rate: Any
) -> dict:
    return {
        "applications": applications,
        "submitted": submitted,
        "granted": granted,
        "rejected": rejected,
        "requested_eur": requested,
        "granted_eur": granted_eur,
        "success_rate": rate,
    }


# Worked out by hand from BORLANGE for 2027 (see the dates above).
TOTALS_2027 = counts(9, 6, 3, 3, 420000, 234000, 0.5)


def test_report_by_pillar_counts_a_two_pillar_need_in_both_and_once_in_the_totals(
    client: TestClient, reported: dict
) -> None:
    body = report(client, reported["own"], "from=2027-01-01&to=2027-12-31&group_by=pillar")
    assert body["from"] == "2027-01-01" and body["to"] == "2027-12-31" and body["group_by"] == "pillar"
    groups = {group.pop("key"): group for group in body["groups"]}
    assert {key: group.pop("label") for key, group in groups.items()} == {
        "development": "Development",
        "solidarity": "Solidarity",
        None: "No pillar",
    }
    assert groups == {
        "development": counts(5, 4, 2, 2, 390000, 230000, 0.5),
        "solidarity": counts(5, 3, 1, 2, 280000, 150000, 0.3333),
        None: counts(2, 1, 1, 0, 10000, 4000, 1.0),
    }
    assert body["totals"] == TOTALS_2027


def test_report_by_funder_programme_goal_and_status(client: TestClient, reported: dict) -> None:
    own = reported["own"]
    funder = report(client, own, "from=2027-01-01&to=2027-12-31&group_by=funder")
    assert {g["key"]: {k: g[k] for k in TOTALS_2027} for g in funder["groups"]} == {
        "european-commission": counts(6, 4, 3, 2, 330000, 234000, 0.6),
        "sida": counts(3, 2, 0, 1, 90000, 0, 0.0),
    }
    assert funder["totals"] == TOTALS_2027
    programme = report(client, own, "from=2027-01-01&to=2027-12-31&group_by=programme")
    by_programme = {g["key"]: g for g in programme["groups"]}
    assert set(by_programme) == {"erasmus-plus", "interreg-north", "icld-partnership", "old-citizens"}
    assert {k: by_programme["erasmus-plus"][k] for k in TOTALS_2027} == counts(4, 3, 2, 0, 310000, 230000, 1.0)
    assert programme["totals"] == TOTALS_2027
    goals = report(client, own, "from=2027-01-01&to=2027-12-31&group_by=strategy_goal")
    assert [g["key"] for g in goals["groups"]] == ["eu2020-education", "sdg-13", None]
    status = report(client, own, "from=2027-01-01&to=2027-12-31&group_by=status")
    by_status = {g["key"]: g for g in status["groups"]}
    # the status at the end of the period: N4's Erasmus+ was granted only in 2028
    assert by_status["submitted"]["applications"] == 2 and by_status["granted"]["granted"] == 3
    assert set(by_status) == {"granted", "rejected", "submitted", "dismissed", "withdrawn", "interested"}
    assert sum(g["applications"] for g in status["groups"]) == TOTALS_2027["applications"]
    swedish = client.get(
        "/api/v1/reports/funding?from=2027-01-01&to=2027-12-31&group_by=status",
        headers={**own, "Accept-Language": "sv"},
    ).json()
    assert {g["key"]: g["label"] for g in swedish["groups"]}["granted"] == "Beviljad"
    sv_pillars = report(client, {**own, "Accept-Language": "sv"}, "from=2027-01-01&to=2027-12-31")
    assert [g["label"] for g in sv_pillars["groups"]] == ["Utveckling", "Solidaritet", "Ingen pelare"]


def test_report_periods_and_the_other_organisation(client: TestClient, reported: dict) -> None:
    own = reported["own"]
    y2026 = report(client, own, "from=2026-01-01&to=2026-12-31")
    # created in 2026: interreg (N1), icld (N2), old-citizens (N4); submitted: those three; granted: icld (N2)
    assert y2026["totals"] == counts(3, 3, 1, 0, 95000, 40000, 1.0)
    one_day = report(client, own, "from=2027-01-01&to=2027-01-01&group_by=programme")
    assert [g["key"] for g in one_day["groups"]] == ["old-citizens"] and one_day["totals"]["granted_eur"] == 4000
    # the default period is the current calendar year (2028 by the clock)
    assert report(client, own, "")["from"] == "2028-01-01"
    assert report(client, own, "")["totals"]["granted_eur"] == 10000
    falun = report(client, reported["other"], "from=2027-01-01&to=2027-12-31")
    assert falun["totals"] == counts(2, 1, 1, 0, 999999, 999999, 1.0)
    bad = client.get("/api/v1/reports/funding?from=2027-12-31&to=2027-01-01", headers=own)
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["query", "to"]
    assert client.get("/api/v1/reports/funding?group_by=colour", headers=own).status_code == 422
    assert client.get("/api/v1/reports/funding", headers={}).status_code == 401
