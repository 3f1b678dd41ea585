"""The whole engine on the tiny catalogue: ranking, filters, explanations, JSON."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.matching import (
    Lexicon,
    MatchIndex,
    MatchItem,
    answer_to_json,
    build_index,
    catalogue_from_document,
    need_from_body,
)
from tests.matching.conftest import programme, tiny_document

NOW = datetime(2026, 11, 26, tzinfo=UTC)
YOUTH_SV: dict[str, Any] = {
    "title": "Ungdomsutbyte med vänort i Tyskland",
    "description": "Fritidsgården vill ordna ett utbyte för 20 ungdomar med vår vänort.",
    "applicant_type": "municipality",
    "country": "SE",
    "region": "SE312",
    "pillars": ["development"],
}


def codes(index: MatchIndex, body: dict[str, Any], **kwargs: Any) -> list[str]:
    return [i.programme.code for i in index.match(need_from_body(body), **{"now": NOW, **kwargs}).items]


def test_swedish_need_finds_the_english_described_programme_first(tiny_index: MatchIndex) -> None:
    assert codes(tiny_index, YOUTH_SV)[0] == "youth-mobility"


def test_scores_are_in_0_1_sorted_and_ranked(tiny_index: MatchIndex) -> None:
    items = tiny_index.match(need_from_body(YOUTH_SV), now=NOW).items
    assert items and all(0.0 <= i.score <= 1.0 for i in items)
    assert [i.rank for i in items] == list(range(1, len(items) + 1))
    assert [i.score for i in items] == sorted((i.score for i in items), reverse=True)


def test_same_input_gives_the_same_answer(tiny_lexicon: Lexicon) -> None:
    first = build_index(catalogue_from_document(tiny_document(), "v"), tiny_lexicon)
    second = build_index(catalogue_from_document(tiny_document(), "v"), tiny_lexicon)
    need = need_from_body(YOUTH_SV)
    assert answer_to_json(first.match(need, now=NOW)) == answer_to_json(second.match(need, now=NOW))
    assert first.match(need, now=NOW) == first.match(need, now=NOW)


def test_ties_are_broken_by_code(tiny_lexicon: Lexicon) -> None:
    doc = tiny_document()
    twin = {k: v for k, v in doc["programmes"][1].items()}
    doc["programmes"] = [{**twin, "code": "b-twin"}, {**twin, "code": "a-twin"}]
    doc["calls"] = []
    index = build_index(catalogue_from_document(doc, "v"), tiny_lexicon)
    items = index.match(need_from_body({"title": "School", "description": "teacher"}), now=NOW).items
    assert [i.programme.code for i in items] == ["a-twin", "b-twin"]
    assert items[0].score == items[1].score


def test_a_programme_ending_today_is_suggested_today_and_not_tomorrow(tiny_lexicon: Lexicon) -> None:
    doc = tiny_document()
    doc["programmes"] = [programme("ends-today", period={"start": "2021-01-01", "end": "2026-11-26"})]
    index = build_index(catalogue_from_document(doc, "v"), tiny_lexicon)
    body = {"title": "The ends today programme", "description": "ends today"}
    late_today = datetime(2026, 11, 26, 23, 59, tzinfo=UTC)
    assert codes(index, body, now=late_today) == ["ends-today"]
    assert codes(index, body, now=late_today + timedelta(minutes=1)) == []
    (item,) = index.match(need_from_body(body), now=late_today + timedelta(days=1), include_ineligible=True).items
    assert not item.eligible and "2026-11-26" in item.warnings[0]


def test_ineligible_programmes_only_come_on_request_with_their_reason(tiny_index: MatchIndex) -> None:
    body = {**YOUTH_SV, "applicant_type": "school"}
    assert "youth-mobility" not in codes(tiny_index, body)
    assert "old-programme" not in codes(tiny_index, body)
    answer = tiny_index.match(need_from_body(body), now=NOW, include_ineligible=True)
    by_code = {i.programme.code: i for i in answer.items}
    assert not by_code["youth-mobility"].eligible
    assert any("school" in w for w in by_code["youth-mobility"].warnings)
    assert not by_code["old-programme"].eligible
    assert any("2020-12-31" in w for w in by_code["old-programme"].warnings)


def test_region_outside_excludes_and_inside_keeps(tiny_index: MatchIndex) -> None:
    climate = {"title": "Klimat i gränsregionen", "description": "Unga och klimat", "country": "SE"}
    assert "border-region" in codes(tiny_index, {**climate, "region": "SE312"})
    assert "border-region" not in codes(tiny_index, {**climate, "region": "SE224"})


def test_soft_rules_warn_and_lower_the_score(tiny_index: MatchIndex) -> None:
    fine = tiny_index.match(need_from_body({**YOUTH_SV, "budget_eur": 50_000}), now=NOW).items[0]
    off = tiny_index.match(need_from_body({**YOUTH_SV, "budget_eur": 500_000}), now=NOW).items[0]
    assert fine.programme.code == off.programme.code == "youth-mobility"
    assert off.score < fine.score
    assert any("500 000" in w for w in off.warnings)


def test_calls_are_open_and_forthcoming_nearest_deadline_first(tiny_index: MatchIndex) -> None:
    item = tiny_index.match(need_from_body(YOUTH_SV), now=NOW).items[0]
    assert [(c.code, c.status, c.closing_soon) for c in item.calls] == [
        ("ym-2027-round-1", "open", True),
        ("ym-2027-round-2", "forthcoming", False),
    ]
    assert item.calls[1].title == "Ungdomsutbyten, omgång 2"


def test_only_closed_calls_warn_about_the_time_frame(tiny_index: MatchIndex) -> None:
    body = {"title": "Laddinfrastruktur", "description": "Laddstolpar och utsläpp", "country": "SE"}
    item = next(
        i for i in tiny_index.match(need_from_body(body), now=NOW).items if i.programme.code == "climate-investment"
    )
    assert item.calls == ()
    assert any("utlysning" in w for w in item.warnings)


def test_explanations_follow_the_need_language(tiny_index: MatchIndex) -> None:
    item = tiny_index.match(need_from_body(YOUTH_SV), now=NOW).items[0]
    text = " | ".join(item.reasons)
    assert "Delar teman: Unga" in text
    assert "ungdomsutbyte ~ youth exchange" in text
    assert "Passar pelaren Utveckling" in text
    assert any(w.startswith("Kräver partner") for w in item.warnings)
    assert item.programme.name == "Ungdomsrörlighet"


def test_explanations_follow_the_display_language(tiny_index: MatchIndex) -> None:
    answer = tiny_index.match(need_from_body(YOUTH_SV), now=NOW, display_language="en")
    item = answer.items[0]
    assert answer.language == "sv" and answer.display_language == "en"
    assert any(r.startswith("Shares the themes Youth") for r in item.reasons)
    assert any(w.startswith("Needs partners from at least 2 countries") for w in item.warnings)


def test_strategy_goals_are_ranked(tiny_index: MatchIndex) -> None:
    body = {"title": "Laddinfrastruktur", "description": "Minska utsläppen", "country": "SE"}
    goals = tiny_index.match(need_from_body(body), now=NOW).strategy_goals
    assert goals[0].code == "eu2020-climate-energy"
    assert 0 < goals[0].score <= 1


def test_answer_json_has_the_contract_shape(tiny_index: MatchIndex) -> None:
    data = answer_to_json(tiny_index.match(need_from_body(YOUTH_SV), now=NOW, limit=2))
    need = {"language": "sv", "partner_countries": [{"code": "DE", "from": "text"}]}
    assert data["need"] == need and data["catalogue_version"] == "test-1"
    assert len(data["items"]) == 2
    item = data["items"][0]
    assert set(item) >= {"rank", "score", "eligible", "programme", "calls", "score_breakdown", "reasons", "warnings"}
    assert set(item["programme"]) >= {"code", "name", "funder", "url"}
    assert item["calls"][0]["deadline_at"] == "2026-12-10T12:00:00+01:00"
    assert isinstance(item["calls"][0]["closing_soon"], bool)
    assert set(item["score_breakdown"]) >= {"text", "themes", "pillars", "strategy_goals"}
    assert item["score"] == round(item["score"], 4)
    assert data["strategy_goals"] and {"code", "score", "reasons"} <= set(data["strategy_goals"][0])


def test_language_is_detected_when_absent(tiny_index: MatchIndex) -> None:
    body = {"title": "Youth exchange with our twin town", "description": "Young people meet in Germany."}
    assert tiny_index.match(need_from_body(body), now=NOW).language == "en"


def test_an_empty_catalogue_answers_nothing(tiny_lexicon: Lexicon) -> None:
    doc = {"format": "fundmatch-catalogue/1", "programmes": [programme("only")]}
    index = build_index(catalogue_from_document(doc, "v"), tiny_lexicon)
    assert index.match(need_from_body({"title": "x", "description": "y"}), now=NOW).items == ()


def test_programme_name_falls_back_to_english(tiny_index: MatchIndex) -> None:
    answer = tiny_index.match(need_from_body(YOUTH_SV), now=NOW, display_language="de")
    assert answer.items[0].programme.name == "Youth mobility"
    assert answer.items[0].reasons[0].startswith("Shares the themes")


def test_a_budget_inside_the_grant_range_is_a_reason_and_outside_it_a_warning(tiny_index: MatchIndex) -> None:
    def youth_item(budget: int) -> MatchItem:
        answer = tiny_index.match(need_from_body({**YOUTH_SV, "budget_eur": budget}), now=NOW)
        return next(i for i in answer.items if i.programme.code == "youth-mobility")

    inside, above = youth_item(60_000), youth_item(200_000)
    assert "Budgeten (60 000 euro) ryms i bidragsramen (5 000–100 000 euro)" in inside.reasons
    assert not any("Budgeten" in w for w in inside.warnings)
    assert not any("bidragsramen" in r for r in above.reasons)
    assert any(w.startswith("Budgeten (200 000 euro) är över") for w in above.warnings)
    # a reason, not a score: the same need scores the same with any budget inside the range
    assert youth_item(5_000).score == inside.score
