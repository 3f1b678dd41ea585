"""Geography through the real app: country groups in the catalogue, partner countries in a match."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import catalogue, import_catalogue, programme


def _school(code: str, **changes: Any) -> dict[str, Any]:
    return programme(
        code,
        ("School exchange grants", "Bidrag till skolutbyten"),
        ("Class exchanges and joint projects between schools.", "Klassutbyten och gemensamma projekt mellan skolor."),
        **{"themes": ["education"], **changes},
    )


@pytest.fixture
def schools(client: TestClient, admin: dict) -> TestClient:
    """Two programmes alike but for `partner_countries`: one open to all, one for the Nordic countries."""
    doc = catalogue(programmes=[_school("a-open-school"), _school("b-nordic-school", partner_countries=["nordic"])])
    doc["calls"] = []
    import_catalogue(client, admin, doc, mode="replace")
    return client


def _match(client: TestClient, admin: dict, **need: Any) -> dict[str, Any]:
    body = {"applicant_type": "school", "country": "SE", "language": "sv", **need}
    response = client.post("/api/v1/match", json=body, headers=admin)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _items(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["programme"]["code"]: item for item in answer["items"]}


def test_a_partner_outside_the_programmes_list_gives_a_warning_and_a_lower_rank(
    schools: TestClient, admin: dict
) -> None:
    answer = _match(
        schools,
        admin,
        title="Klassutbyte med en skola",
        description="Vi vill göra klassutbyten och ett gemensamt projekt med en skola.",
        partners={"has_partners": True, "countries": ["DE"]},
    )
    items = _items(answer)
    nordic, open_ = items["b-nordic-school"], items["a-open-school"]
    assert "Partner från Tyskland omfattas inte: programmet tar partner från Norden" in nordic["warnings"]
    assert nordic["score_breakdown"]["penalty"] > 0
    assert nordic["score"] < open_["score"] and nordic["rank"] > open_["rank"]
    assert not any("Tyskland" in w for w in open_["warnings"])
    assert answer["need"]["partner_countries"] == [{"code": "DE", "from": "given"}]


def test_a_named_partner_country_the_programme_is_made_for_gives_a_reason_and_a_higher_rank(
    schools: TestClient, admin: dict
) -> None:
    answer = _match(
        schools,
        admin,
        title="Class exchange with a Norwegian school",
        description="We want class exchanges and a joint project with a school in Norway.",
        language="en",
    )
    assert answer["need"]["partner_countries"] == [{"code": "NO", "from": "text"}]
    first = answer["items"][0]
    assert first["programme"]["code"] == "b-nordic-school"
    assert "Made for partners from Norway (the programme takes partners from Nordic countries)" in first["reasons"]
    assert first["score_breakdown"]["credit"] > 0
    # a programme without a list (no restriction known) gets neither
    other = _items(answer)["a-open-school"]
    assert other["score_breakdown"]["credit"] == 0
    assert not any("Norway" in text for text in other["reasons"] + other["warnings"])


@pytest.mark.parametrize(
    ("language", "title", "description", "codes"),
    [
        ("sv", "Vänort i Moldavien", "Samarbete om lokal demokrati med en kommun i Moldavien.", ["MD"]),
        ("sv", "Partnerskap med en georgisk kommun", "Utbyte om funktionsrätt med georgiska kollegor.", ["GE"]),
        ("sv", "Skolor i Tysklands grannländer", "Klassutbyte med tyska skolor och en skola i Polen.", ["DE", "PL"]),
        ("en", "Twin town in Georgia", "Exchange on disability rights with a municipality in Georgia.", ["GE"]),
        ("en", "A Georgian partner", "Work with Ukrainian towns and Moldovan schools.", ["GE", "UA", "MD"]),
        ("en", "Bosnia and Herzegovina", "Planning with towns in Bosnia and Herzegovina and Serbia.", ["BA", "RS"]),
        # a list of origins ends where other words begin
        ("en", "Football", "Refugees from Syria play with a club in Germany and one in Norway.", ["DE", "NO"]),
    ],
)
def test_country_names_and_adjectives_are_found_in_swedish_and_english_text(
    schools: TestClient, admin: dict, language: str, title: str, description: str, codes: list[str]
) -> None:
    answer = _match(schools, admin, title=title, description=description, language=language)
    assert answer["need"]["partner_countries"] == [{"code": c, "from": "text"} for c in codes]


@pytest.mark.parametrize(
    ("language", "title", "description"),
    [
        # the language, not a partner country
        ("sv", "Modersmålsundervisning", "Lektioner i turkiska och arabiska för barn på fritids."),
        ("sv", "Studiecirklar", "Vi vill erbjuda kurser i tyska."),
        ("en", "Evening classes", "The library wants to offer lessons in German and Spanish."),
        # the US state
        ("en", "Study visit to Atlanta", "Our planners visit Atlanta, Georgia, to learn about transit."),
        # where people come from, not where partners are
        ("en", "Welcome programme", "Language support and work placements for refugees from Ukraine."),
        ("sv", "Introduktion", "Språkstöd och praktik för ukrainska flyktingar i kommunen."),
        ("sv", "Yrkessvenska", "Flera hundra personer från Ukraina med tillfälligt skydd bor i kommunen."),
        # every country of a list that says where people come from
        ("en", "Swimming lessons", "Our association, with many members from Somalia and Eritrea, teaches swimming."),
        ("en", "Work placements", "For newcomers from Syria, Iraq or Afghanistan."),
        # the applicant's own country
        ("sv", "Svenska skolor", "Ett nätverk av skolor i Sverige."),
    ],
)
def test_words_that_only_look_like_partner_countries_are_not_taken(
    schools: TestClient, admin: dict, language: str, title: str, description: str
) -> None:
    answer = _match(schools, admin, title=title, description=description, language=language)
    assert answer["need"]["partner_countries"] == []


def test_given_countries_follow_the_ones_found_in_text(schools: TestClient, admin: dict) -> None:
    answer = _match(
        schools,
        admin,
        title="Projekt med Georgien",
        description="Ett projekt med partner i Georgien och i Tyskland.",
        partners={"has_partners": True, "countries": ["DE"]},
    )
    assert answer["need"]["partner_countries"] == [{"code": "GE", "from": "text"}, {"code": "DE", "from": "given"}]


def test_a_country_name_is_not_read_as_the_word_whose_stem_it_shares(client: TestClient, admin: dict) -> None:
    """Snowball cuts "Ungern" (Hungary) to "ung", the stem of "unga" (young people, a youth keyword)."""
    youth = _school("youth-meeting-places", themes=["youth"])
    youth["description"] = {"en": "Meeting places for young people.", "sv": "Mötesplatser för unga."}
    doc = catalogue(programmes=[youth])
    doc["calls"] = []
    import_catalogue(client, admin, doc, mode="replace")
    answer = _match(
        client,
        admin,
        title="Konstnärer ställer ut i Ungern",
        description="Tre konstnärer från Borlänge ställer ut i Budapest, Ungern.",
        applicant_type="municipality",
    )
    assert answer["need"]["partner_countries"] == [{"code": "HU", "from": "text"}]
    assert answer["items"] == []
    # the word itself still finds the programme
    found = _match(client, admin, title="Mötesplats för unga", description="En mötesplats.")
    assert [i["programme"]["code"] for i in found["items"]] == ["youth-meeting-places"]


def test_country_groups_are_read_and_programmes_show_their_partner_countries(client: TestClient, admin: dict) -> None:
    import_catalogue(client, admin)
    groups = client.get("/api/v1/country-groups", headers={**admin, "Accept-Language": "sv"}).json()
    assert [g["code"] for g in groups["items"]] == ["eastern-partnership", "nordic"]
    assert groups["items"][0]["label"] == "Östliga partnerskapet"
    one = client.get("/api/v1/country-groups/nordic", headers=admin).json()
    assert "NO" in one["countries"]
    with_georgia = client.get("/api/v1/country-groups?country=ge", headers=admin).json()
    assert [g["code"] for g in with_georgia["items"]] == ["eastern-partnership"]
    assert client.get("/api/v1/country-groups/nowhere", headers=admin).status_code == 404
    programme = client.get("/api/v1/programmes/interreg-north", headers=admin).json()
    assert programme["partner_countries"] == ["nordic", "EE"]


def test_an_unknown_country_group_is_a_422_naming_its_place(client: TestClient, admin: dict) -> None:
    import_catalogue(client, admin)
    doc = catalogue()
    doc["programmes"][1]["partner_countries"] = ["nordic", "atlantis"]
    response = client.post("/api/v1/catalogue/import", json=doc, headers=admin)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {"loc": ["programmes", 1, "partner_countries", 1], "msg": "unknown country group 'atlantis'"}.items() <= (
        errors[0].items()
    )
    # nothing changed
    unchanged = client.get("/api/v1/programmes/interreg-north", headers=admin).json()
    assert unchanged["partner_countries"] == ["nordic", "EE"]


def test_replace_removes_country_groups_absent_from_the_document(client: TestClient, admin: dict) -> None:
    import_catalogue(client, admin)
    doc = catalogue()
    doc["country_groups"] = [g for g in doc["country_groups"] if g["code"] == "nordic"]
    result = import_catalogue(client, admin, doc, mode="replace")
    assert result["removed"]["country_groups"] == 1
    assert client.get("/api/v1/country-groups/eastern-partnership", headers=admin).status_code == 404
