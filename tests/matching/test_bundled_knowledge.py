"""Facts and words of the bundled catalogue, on needs written for these tests (not the dev set):
programme periods (the last calls of 2021-2027 fund projects that start in 2028), art forms and the
Nordic-Baltic countries of Nordic Culture Point, food waste in LIFE, where partners may come from."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.matching import MatchIndex, build_index, catalogue_from_document, load_lexicon, need_from_body
from tests.matching.bundled import CATALOGUE_DIR, load_bundled_document

LEXICON_DIR = Path(__file__).resolve().parents[2] / "data" / "lexicon"
NOW = datetime(2026, 11, 26, tzinfo=UTC)

pytestmark = pytest.mark.skipif(not any(CATALOGUE_DIR.glob("*.json")), reason="the bundled catalogue is not there")


@pytest.fixture(scope="module")
def index() -> MatchIndex:
    return build_index(catalogue_from_document(load_bundled_document(), "dev"), load_lexicon(LEXICON_DIR))


def _youth_exchange(start: str) -> dict[str, object]:
    return {
        "title": "Youth exchange with our twin town in Germany",
        "description": "The youth centre wants to take 20 young people to our twin town for a youth exchange.",
        "language": "en",
        "country": "SE",
        "region": "SE312",
        "applicant_type": "municipality",
        "start_date": start,
    }


def test_a_need_starting_in_2028_still_finds_erasmus_youth_with_a_warning(index: MatchIndex) -> None:
    answer = index.match(need_from_body(_youth_exchange("2028-03-01")), now=NOW, limit=5)
    by_code = {i.programme.code: i for i in answer.items}
    item = by_code["erasmus-plus-youth"]
    assert item.eligible and item.rank <= 2
    assert any("last calls" in w for w in item.warnings)


def test_a_need_starting_after_the_projects_may_run_is_excluded(index: MatchIndex) -> None:
    answer = index.match(need_from_body(_youth_exchange("2030-06-01")), now=NOW, limit=10)
    assert "erasmus-plus-youth" not in {i.programme.code for i in answer.items}
    shown = index.match(need_from_body(_youth_exchange("2030-06-01")), now=NOW, limit=10, include_ineligible=True)
    (item,) = [i for i in shown.items if i.programme.code == "erasmus-plus-youth"]
    assert not item.eligible and any("2029-12-31" in w for w in item.warnings)


def _top(index: MatchIndex, body: dict[str, object], n: int) -> list[str]:
    return [i.programme.code for i in index.match(need_from_body(body), now=NOW, limit=n).items]


def test_a_dance_residency_with_finland_and_latvia_finds_nordic_culture_point_first(index: MatchIndex) -> None:
    body = {
        "title": "Dansresidens med Finland och Lettland",
        "description": (
            "Vårt danskompani vill bjuda in dansare från Finland och Lettland till en residens med en ny föreställning."
        ),
        "country": "SE",
    }
    assert _top(index, body, 1) == ["nordic-culture-point"]


def test_food_waste_in_care_home_kitchens_finds_life_circular_economy(index: MatchIndex) -> None:
    body = {
        "title": "Mindre matsvinn på äldreboenden",
        "description": "Kommunen vill halvera matsvinnet i äldreboendenas kök och mäta det varje vecka.",
        "country": "SE",
    }
    first, second = index.match(need_from_body(body), now=NOW, limit=2).items
    # a clear lead: the programme names food waste itself, not only "waste"
    assert first.programme.code == "life-circular-economy" and first.score - second.score > 0.2


def _warnings_for(index: MatchIndex, body: dict[str, object], code: str) -> tuple[str, ...]:
    items = index.match(need_from_body(body), now=NOW, limit=20).items
    (item,) = [i for i in items if i.programme.code == code]
    return item.warnings


def test_erasmus_youth_takes_partners_from_neighbouring_countries_but_not_from_uganda(index: MatchIndex) -> None:
    body = _youth_exchange("2027-06-01")
    georgia = {**body, "description": str(body["description"]) + " We also invite a youth club in Georgia."}
    uganda = {**body, "description": str(body["description"]) + " We also invite a youth club in Uganda."}
    assert not any("Georgia" in w for w in _warnings_for(index, georgia, "erasmus-plus-youth"))
    assert any("Uganda" in w for w in _warnings_for(index, uganda, "erasmus-plus-youth"))


# (title, description with {country}, applicant type) of needs that name one partner country
RIGHTS_PARTNERSHIP = (
    "Partnership with a women's rights group",
    "Our association wants to strengthen a women's rights organisation in {country} "
    "with training in advocacy and democracy.",
    "association",
)
SCHOOL_PARTNERSHIP = (
    "School partnership on climate teaching",
    "Our upper secondary school wants a partnership with a school in {country} to develop "
    "climate teaching together, with teacher visits and joint lessons.",
    "school",
)


def _partner_need(kind: tuple[str, str, str], country: str) -> dict[str, object]:
    title, description, applicant_type = kind
    return {
        "title": title,
        "description": description.format(country=country),
        "language": "en",
        "country": "SE",
        "applicant_type": applicant_type,
    }


def test_a_partner_in_uganda_credits_forumciv_and_a_german_partner_is_warned(index: MatchIndex) -> None:
    uganda = index.match(need_from_body(_partner_need(RIGHTS_PARTNERSHIP, "Uganda")), now=NOW, limit=5).items
    assert uganda[0].programme.code == "forumciv-project-support"
    assert any("Made for partners from Uganda" in r for r in uganda[0].reasons)
    germany = _warnings_for(index, _partner_need(RIGHTS_PARTNERSHIP, "Germany"), "forumciv-project-support")
    assert any("Germany" in w and "ODA" in w for w in germany)


@pytest.mark.parametrize("code", ["erasmus-plus-school-partnerships", "erasmus-plus-adult", "erasmus-plus-vet"])
def test_a_german_partner_is_never_warned_by_erasmus_education_strands(index: MatchIndex, code: str) -> None:
    assert not any("Germany" in w for w in _warnings_for(index, _partner_need(SCHOOL_PARTNERSHIP, "Germany"), code))


def test_erasmus_school_partnerships_take_a_moldovan_partner_but_warn_about_uganda(index: MatchIndex) -> None:
    code = "erasmus-plus-school-partnerships"
    assert not any("Moldova" in w for w in _warnings_for(index, _partner_need(SCHOOL_PARTNERSHIP, "Moldova"), code))
    assert any("Uganda" in w for w in _warnings_for(index, _partner_need(SCHOOL_PARTNERSHIP, "Uganda"), code))
