"""Each hard rule (exclusion) and soft rule (warning), on plain records."""

from __future__ import annotations

from datetime import date, timedelta

from app.matching.eligibility import exclusions, programme_active, warnings
from app.matching.explain import render_finding
from app.matching.model import GrantRange, Need, Partners, Partnership, Period, Programme

TODAY = date(2026, 11, 26)


def prog(**fields: object) -> Programme:
    base: dict[str, object] = {"code": "p", "name": {"en": "P"}, "description": {"en": "d"}, "funder": "f"}
    base.update(fields)
    return Programme(**base)  # type: ignore[arg-type]


def need(**fields: object) -> Need:
    base: dict[str, object] = {"title": "t", "description": "d"}
    base.update(fields)
    return Need(**base)  # type: ignore[arg-type]


def codes(findings: list) -> list[str]:  # type: ignore[type-arg]
    return [f.code for f in findings]


def test_applicant_type_not_listed_is_excluded() -> None:
    p = prog(eligible_applicants=("association", "ngo"))
    assert codes(exclusions(p, need(applicant_type="municipality"), TODAY)) == ["applicant_not_eligible"]
    assert exclusions(p, need(applicant_type="ngo"), TODAY) == []
    assert exclusions(p, need(), TODAY) == []


def test_country_outside_the_list_is_excluded() -> None:
    p = prog(eligible_countries=("SE", "NO"))
    assert codes(exclusions(p, need(country="DK"), TODAY)) == ["country_not_eligible"]
    assert exclusions(p, need(country="SE"), TODAY) == []


def test_region_outside_the_programme_area_is_excluded() -> None:
    p = prog(eligible_regions=("SE22", "DK"))
    assert codes(exclusions(p, need(country="SE", region="SE312"), TODAY)) == ["region_outside"]


def test_region_under_a_listed_nuts_code_is_eligible() -> None:
    p = prog(eligible_regions=("SE31", "EE"))
    assert exclusions(p, need(country="SE", region="SE312"), TODAY) == []
    assert exclusions(p, need(country="EE", region="EE001"), TODAY) == []
    assert warnings(p, need(country="SE", region="SE312"), has_call_in_time=None) == []


def test_need_without_region_is_warned_not_excluded() -> None:
    p = prog(eligible_regions=("SE31",))
    assert exclusions(p, need(country="SE"), TODAY) == []
    assert codes(warnings(p, need(country="SE"), has_call_in_time=None)) == ["region_unknown"]


def test_need_without_region_in_a_country_outside_the_area_is_excluded() -> None:
    p = prog(eligible_regions=("NO02",))
    assert codes(exclusions(p, need(country="SE"), TODAY)) == ["region_outside"]


def test_programme_period_over_is_excluded() -> None:
    p = prog(period=Period(date(2014, 1, 1), date(2020, 12, 31)))
    assert codes(exclusions(p, need(), TODAY)) == ["period_over"]


def test_a_programme_is_active_up_to_and_including_its_last_day() -> None:
    tomorrow = TODAY + timedelta(days=1)
    assert programme_active(TODAY, TODAY) and not programme_active(TODAY, tomorrow)
    assert programme_active(None, tomorrow)
    ending_today = prog(period=Period(date(2021, 1, 1), TODAY))
    assert exclusions(ending_today, need(), TODAY) == []
    assert codes(exclusions(ending_today, need(), tomorrow)) == ["period_over"]


def test_programme_ending_before_the_need_starts_is_excluded() -> None:
    p = prog(period=Period(date(2021, 1, 1), date(2027, 12, 31)))
    assert codes(exclusions(p, need(start_date=date(2028, 3, 1)), TODAY)) == ["period_ends_before_start"]
    assert exclusions(p, need(start_date=date(2027, 8, 1)), TODAY) == []


def test_budget_outside_the_grant_range_warns() -> None:
    p = prog(grant=GrantRange(10_000, 400_000))
    assert codes(warnings(p, need(budget_eur=5_000), has_call_in_time=None)) == ["budget_below"]
    assert codes(warnings(p, need(budget_eur=500_000), has_call_in_time=None)) == ["budget_above"]
    assert warnings(p, need(budget_eur=60_000), has_call_in_time=None) == []


def test_cofinancing_capacity_below_the_share_left_to_pay_warns() -> None:
    p = prog(cofinancing_max_rate=0.6)
    found = warnings(p, need(cofinancing_capacity=0.2), has_call_in_time=None)
    assert codes(found) == ["cofinancing"] and found[0].penalised
    assert warnings(p, need(cofinancing_capacity=0.4), has_call_in_time=None) == []


def test_partners_required_but_none_planned_warns() -> None:
    p = prog(partnership=Partnership(required=True, min_partners=3, min_countries=3))
    none = warnings(p, need(partners=Partners(has_partners=False)), has_call_in_time=None)
    few = warnings(p, need(country="SE", partners=Partners(True, ("DE",))), has_call_in_time=None)
    enough = warnings(p, need(country="SE", partners=Partners(True, ("DE", "PL"))), has_call_in_time=None)
    unknown = warnings(p, need(), has_call_in_time=None)
    assert codes(none) == ["partners_none"] and none[0].penalised
    assert codes(few) == ["partners_few"]
    assert enough == []
    assert codes(unknown) == ["partners_required"] and not unknown[0].penalised


def test_a_rule_that_counts_partners_only_says_nothing_of_countries() -> None:
    p = prog(partnership=Partnership(required=True, min_partners=3))
    unknown = warnings(p, need(), has_call_in_time=None)
    none = warnings(p, need(partners=Partners(has_partners=False)), has_call_in_time=None)
    assert codes(unknown) == ["partner_count_required"] and unknown[0].params["partners"] == "3"
    assert render_finding(unknown[0], "en") == "Needs at least 3 partners"
    assert codes(none) == ["partner_count_none"] and none[0].penalised
    # partners of the need's own country are enough
    assert warnings(p, need(country="SE", partners=Partners(True, ("SE",))), has_call_in_time=None) == []


def test_no_call_in_the_time_frame_warns() -> None:
    assert codes(warnings(prog(), need(), has_call_in_time=False)) == ["no_call_in_time"]
    assert warnings(prog(), need(), has_call_in_time=True) == []
    assert warnings(prog(), need(), has_call_in_time=None) == []


def test_a_need_starting_after_the_period_but_while_its_projects_run_is_eligible_with_a_warning() -> None:
    # the last calls of 2027 fund projects that run into 2028-2029 (CPR art. 63: spending until 2029)
    p = prog(period=Period(date(2021, 1, 1), date(2027, 12, 31), projects_until=date(2029, 12, 31)))
    late = need(start_date=date(2028, 3, 1))
    assert exclusions(p, late, TODAY) == []
    found = warnings(p, late, has_call_in_time=None)
    assert codes(found) == ["period_last_calls"] and not found[0].penalised
    assert warnings(p, need(start_date=date(2027, 8, 1)), has_call_in_time=None) == []
    assert codes(exclusions(p, need(start_date=date(2030, 2, 1)), TODAY)) == ["projects_end_before_start"]
    # the calls still close with the period: after its end the programme is over
    assert codes(exclusions(p, late, date(2028, 1, 2))) == ["period_over"]
