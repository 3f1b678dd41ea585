"""How a need's phrases reach themes, through the real app: the longest phrase, and no lossy ones."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import catalogue, import_catalogue

_THEMES = [
    {
        "code": "education",
        "name": {"en": "Education", "sv": "Utbildning"},
        "keywords": {"en": ["school", "teachers", "job shadowing"], "sv": ["skola", "lärare", "jobbskuggning"]},
    },
    {
        "code": "employment",
        "name": {"en": "Employment", "sv": "Sysselsättning"},
        "keywords": {"en": ["jobs", "unemployment"], "sv": ["jobb", "arbetslöshet"]},
    },
    {
        "code": "digitalisation",
        "name": {"en": "Digitalisation", "sv": "Digitalisering"},
        "keywords": {"en": ["e-services", "digital services"], "sv": ["e-tjänster", "digitala tjänster"]},
    },
]


def _programme(code: str, theme: str) -> dict[str, Any]:
    return {
        "code": code,
        "name": {"en": "Grants for municipalities", "sv": "Bidrag till kommuner"},
        "description": {"en": "Projects of municipalities.", "sv": "Kommunala projekt."},
        "funder": "european-commission",
        "themes": [theme],
        "pillars": ["development"],
    }


@pytest.fixture
def themed(client: TestClient, admin: dict) -> TestClient:
    """Three programmes alike but for their one theme."""
    doc = catalogue(
        themes=_THEMES,
        programmes=[_programme(f"p-{t['code']}", t["code"]) for t in _THEMES],
    )
    doc["calls"] = []
    doc["strategy_goals"] = []
    import_catalogue(client, admin, doc, mode="replace")
    return client


def _shared_themes(client: TestClient, admin: dict, title: str, description: str) -> dict[str, list[str]]:
    body = {"applicant_type": "municipality", "country": "SE", "language": "en"}
    body |= {"title": title, "description": description}
    response = client.post("/api/v1/match", json=body, headers=admin)
    assert response.status_code == 200, response.text
    return {
        item["programme"]["code"]: [r for r in item["reasons"] if r.startswith("Shares the theme")]
        for item in response.json()["items"]
    }


def test_a_phrase_counts_as_its_longest_match_not_also_as_its_first_word(themed: TestClient, admin: dict) -> None:
    # "job shadowing" is an education phrase; its first word alone ("job") would be employment
    shared = _shared_themes(themed, admin, "Job shadowing abroad", "Our staff want job shadowing in Finland.")
    assert shared["p-education"] == ["Shares the themes Education"]
    assert shared.get("p-employment", []) == []
    # the word on its own still counts
    shared = _shared_themes(themed, admin, "Summer jobs", "Summer jobs for young people without a job.")
    assert shared["p-employment"] == ["Shares the themes Employment"]


def test_a_phrase_that_would_lose_a_hyphenated_letter_is_not_a_theme_phrase(themed: TestClient, admin: dict) -> None:
    # "e-services" would be read as "services": social services are not digitalisation
    shared = _shared_themes(themed, admin, "Social services", "Better social services for older residents.")
    assert shared.get("p-digitalisation", []) == []
    shared = _shared_themes(themed, admin, "Digital services", "New digital services for older residents.")
    assert shared["p-digitalisation"] == ["Shares the themes Digitalisation"]
