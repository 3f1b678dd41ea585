"""The kind of applicant a programme is mainly made for, through the real app: a credit and a reason."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import catalogue, import_catalogue, programme


def _grant(code: str, applicants: list[str]) -> dict[str, Any]:
    return programme(
        code,
        ("Grants for reading projects", "Bidrag till läsprojekt"),
        ("Reading circles and book clubs.", "Läsecirklar och bokklubbar."),
        funder="sida",
        themes=["education"],
        eligible_applicants=applicants,
    )


@pytest.fixture
def reading(client: TestClient, admin: dict) -> TestClient:
    """Two programmes alike but for the order of their applicants: the first is the main one."""
    doc = catalogue(
        programmes=[
            _grant("a-for-municipalities", ["municipality", "association", "ngo", "school"]),
            _grant("b-for-associations", ["association", "ngo", "municipality", "school"]),
        ]
    )
    doc["calls"] = []
    import_catalogue(client, admin, doc, mode="replace")
    return client


def _items(client: TestClient, admin: dict, applicant: str) -> list[dict[str, Any]]:
    body = {
        "title": "Läsecirklar för nyanlända",
        "description": "Vi vill starta läsecirklar och en bokklubb.",
        "language": "sv",
        "applicant_type": applicant,
    }
    response = client.post("/api/v1/match", json=body, headers={**admin, "Accept-Language": "en"})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


@pytest.mark.parametrize(
    ("applicant", "first", "second"),
    [
        ("association", "b-for-associations", "a-for-municipalities"),
        # an NGO is the same kind of applicant as an association
        ("ngo", "b-for-associations", "a-for-municipalities"),
        ("municipality", "a-for-municipalities", "b-for-associations"),
    ],
)
def test_the_programme_mainly_made_for_the_applicant_ranks_first_with_a_reason(
    reading: TestClient, admin: dict, applicant: str, first: str, second: str
) -> None:
    items = _items(reading, admin, applicant)
    assert [i["programme"]["code"] for i in items] == [first, second]
    top, other = items
    assert f"Made mainly for applicants of this kind ({applicant})" in top["reasons"]
    assert top["score_breakdown"]["credit"] > 0 and other["score_breakdown"]["credit"] == 0
    assert top["score"] > other["score"]
    assert not any(r.startswith("Made mainly for") for r in other["reasons"])


def test_a_kind_no_programme_is_mainly_made_for_gets_no_credit(reading: TestClient, admin: dict) -> None:
    items = _items(reading, admin, "school")
    assert [i["programme"]["code"] for i in items] == ["a-for-municipalities", "b-for-associations"]
    assert all(i["score_breakdown"]["credit"] == 0 for i in items)
    assert items[0]["score"] == items[1]["score"]
