"""Factory functions for test data: a small catalogue that uses every optional field of the format."""

from __future__ import annotations

import copy
from typing import Any

_CATALOGUE: dict[str, Any] = {
    "format": "fundmatch-catalogue/1",
    "pillars": [
        {
            "code": "development",
            "name": {"sv": "Utveckling", "en": "Development"},
            "description": {"en": "Networks and knowledge exchange abroad.", "sv": "Nätverk och kunskapsutbyte."},
        },
        {"code": "solidarity", "name": {"sv": "Solidaritet", "en": "Solidarity"}},
    ],
    "themes": [
        {
            "code": "youth",
            "name": {"en": "Youth", "sv": "Unga"},
            "keywords": {"en": ["youth", "young people"], "sv": ["ungdom", "unga", "ungdomsutbyte"]},
        },
        {
            "code": "education",
            "name": {"en": "Education", "sv": "Utbildning"},
            "keywords": {"en": ["school", "teachers"], "sv": ["skola", "lärare"]},
        },
        {"code": "climate", "name": {"en": "Climate", "sv": "Klimat"}},
    ],
    "strategy_goals": [
        {
            "code": "eu2020-education",
            "framework": "europa-2020",
            "kind": "headline_target",
            "name": {"en": "Education target"},
            "description": {"en": "Fewer early school leavers, more graduates."},
            "themes": ["education", "youth"],
        },
        {"code": "sdg-13", "framework": "agenda-2030", "kind": "sdg", "name": {"en": "Climate action"}},
    ],
    "funders": [
        {
            "code": "european-commission",
            "name": {"en": "European Commission", "sv": "Europeiska kommissionen"},
            "kind": "eu_institution",
            "url": "https://commission.europa.eu/",
        },
        {
            "code": "sida",
            "name": {"en": "Sida", "sv": "Sida"},
            "kind": "national_agency",
            "country": "SE",
            "url": "https://www.sida.se/",
        },
    ],
    "country_groups": [
        {
            "code": "eastern-partnership",
            "name": {"en": "Eastern Partnership", "sv": "Östliga partnerskapet"},
            "description": {"en": "Belarus suspended its part in 2021.", "sv": "Belarus avbröt sitt deltagande 2021."},
            "countries": ["AM", "AZ", "GE", "MD", "UA"],
            "sources": [{"url": "https://www.eeas.europa.eu/eastern-partnership", "retrieved": "2026-12-01"}],
        },
        {
            "code": "nordic",
            "name": {"en": "Nordic countries", "sv": "Norden"},
            "countries": ["DK", "FI", "IS", "NO", "SE", "AX", "FO", "GL"],
        },
    ],
    "programmes": [
        {
            "code": "erasmus-plus",
            "name": {"en": "Erasmus+", "sv": "Erasmus+"},
            "description": {
                "en": "Mobility and cooperation in education and youth.",
                "sv": "Utbyten inom skola och ungdom.",
            },
            "funder": "european-commission",
            "kind": "eu_direct",
            "period": {"start": "2021-01-01", "end": "2027-12-31"},
            "themes": ["education", "youth"],
            "pillars": ["development"],
            "strategy_goals": ["eu2020-education"],
            "eligible_applicants": ["municipality", "school", "association"],
            "eligible_countries": ["SE", "DE", "NO"],
            "eligible_regions": [],
            "grant_eur": {"min": 10000, "max": 400000},
            "cofinancing_max_rate": 0.8,
            "partnership": {"required": True, "min_partners": 2, "min_countries": 2},
            "keywords": ["mobility", "elevutbyte"],
            "url": "https://erasmus-plus.ec.europa.eu/",
            "sources": [{"url": "https://erasmus-plus.ec.europa.eu/programme-guide", "retrieved": "2026-11-20"}],
        },
        {
            "code": "interreg-north",
            "name": {"en": "A northern Interreg programme"},
            "description": {"en": "Cross-border cooperation in the north."},
            "funder": "european-commission",
            "kind": "interreg",
            "themes": ["climate"],
            "eligible_countries": ["SE", "FI"],
            "eligible_regions": ["SE33", "FI1D"],
            "partner_countries": ["nordic", "EE"],
        },
        {
            "code": "icld-partnership",
            "name": {"en": "Municipal partnership", "sv": "Kommunalt partnerskap"},
            "description": {"en": "Partnerships for local democracy.", "sv": "Partnerskap för lokal demokrati."},
            "funder": "sida",
            "kind": "sida",
            "pillars": ["solidarity"],
            "strategy_goals": ["sdg-13"],
            "eligible_applicants": ["municipality", "region"],
            "eligible_countries": ["SE"],
        },
        {
            "code": "old-citizens",
            "name": {"en": "An ended citizens programme"},
            "description": {"en": "Town twinning, 2014 to 2020."},
            "funder": "european-commission",
            "kind": "eu_direct",
            "period": {"start": "2014-01-01", "end": "2020-12-31"},
        },
    ],
    "calls": [
        {
            "code": "erasmus-2027-ka1",
            "programme": "erasmus-plus",
            "title": {"en": "KA1 mobility 2027", "sv": "KA1 mobilitet 2027"},
            "description": {"en": "Short-term mobility projects."},
            "opens_at": "2026-11-01T00:00:00+01:00",
            "deadline_at": "2027-02-18T12:00:00+01:00",
            "budget_eur": 1000000,
            "url": "https://erasmus-plus.ec.europa.eu/",
        },
        {
            "code": "erasmus-2026-ka2",
            "programme": "erasmus-plus",
            "title": {"en": "KA2 partnerships 2026"},
            "opens_at": "2025-11-01T00:00:00+01:00",
            "deadline_at": "2026-03-05T12:00:00+01:00",
        },
        {
            "code": "erasmus-2028-ka1",
            "programme": "erasmus-plus",
            "title": {"en": "KA1 mobility 2028"},
            "opens_at": "2027-11-01T00:00:00+01:00",
        },
    ],
}


def catalogue(**changes: Any) -> dict[str, Any]:
    """A deep copy of the test catalogue; keyword arguments replace whole sections."""
    doc = copy.deepcopy(_CATALOGUE)
    doc.update(changes)
    return doc


def import_catalogue(
    client: Any, headers: dict[str, str], doc: dict[str, Any] | None = None, mode: str = "merge"
) -> Any:
    response = client.post(f"/api/v1/catalogue/import?mode={mode}", json=doc or catalogue(), headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def create_organisation(client: Any, admin: dict[str, str], code: str = "borlange", **fields: Any) -> dict[str, Any]:
    body = {
        "code": code,
        "name": f"{code.title()} kommun",
        "type": "municipality",
        "country": "SE",
        "region": "SE312",
        **fields,
    }
    response = client.post("/api/v1/organisations", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return dict(response.json())


def create_key(
    client: Any, admin: dict[str, str], org: str, scopes: list[str], name: str = "intranet"
) -> dict[str, str]:
    """Authorization headers for a new key of the organisation."""
    response = client.post(
        f"/api/v1/organisations/{org}/api-keys", json={"name": name, "scopes": scopes}, headers=admin
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def first_key_id(client: Any, admin: dict[str, str], org: str = "borlange") -> int:
    """The id of the organisation's first API key (as the key list shows it)."""
    return int(client.get(f"/api/v1/organisations/{org}/api-keys", headers=admin).json()["items"][0]["id"])


def programme(code: str, name: tuple[str, str], description: tuple[str, str], **fields: Any) -> dict[str, Any]:
    """A programme record for a test catalogue: name and description as (English, Swedish)."""
    return {
        "code": code,
        "name": {"en": name[0], "sv": name[1]},
        "description": {"en": description[0], "sv": description[1]},
        "funder": "european-commission",
        "pillars": ["development"],
        **fields,
    }


def need_body(**changes: Any) -> dict[str, Any]:
    body = {
        "title": "Ungdomsutbyte med vänort i Tyskland",
        "description": "Gymnasieelever ska åka på utbyte till vår vänort och lära sig om skola och klimat.",
        "language": "sv",
        "pillars": ["development"],
        "themes": ["youth"],
        "budget_eur": 60000,
        "cofinancing_capacity": 0.2,
        "start_date": "2027-08-01",
        "end_date": "2028-06-30",
        "partners": {"has_partners": True, "countries": ["DE"]},
    }
    body.update(changes)
    return body
