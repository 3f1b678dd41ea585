"""Call status, listing order and the closing-soon flag."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from app.matching import Lexicon, MatchIndex, build_index, catalogue_from_document, need_from_body
from app.matching.calls import call_status, has_call_in_time, listed_calls
from app.matching.model import Call, Need
from tests.matching.conftest import tiny_document

CET = timezone(timedelta(hours=1))
NOW = datetime(2026, 11, 26, tzinfo=UTC)


def call(code: str, opens: str | None = None, deadline: str | None = None) -> Call:
    return Call(
        code=code,
        programme="p",
        title={"en": code},
        opens_at=datetime.fromisoformat(opens) if opens else None,
        deadline_at=datetime.fromisoformat(deadline) if deadline else None,
    )


def status(c: Call, now: datetime) -> str:
    return call_status(c.opens_at, c.deadline_at, now)


def test_status_follows_the_dates() -> None:
    assert status(call("a", "2026-12-01T00:00:00+01:00", "2027-02-01T12:00:00+01:00"), NOW) == "forthcoming"
    assert status(call("b", "2026-10-01T00:00:00+01:00", "2026-11-26T12:00:00+01:00"), NOW) == "open"
    assert status(call("c", None, "2026-11-25T12:00:00+01:00"), NOW) == "closed"
    assert status(call("d"), NOW) == "open"


def test_status_changes_at_the_moment_of_opening_and_of_the_deadline() -> None:
    c = call("e", "2026-11-26T09:00:00+01:00", "2026-11-26T12:00:00+01:00")
    at = datetime(2026, 11, 26, tzinfo=CET)
    assert status(c, at.replace(hour=8, minute=59)) == "forthcoming"
    assert status(c, at.replace(hour=9)) == "open"
    assert status(c, at.replace(hour=12)) == "open"
    assert status(c, at.replace(hour=12, minute=1)) == "closed"
    # the same moments in another time zone
    assert status(c, datetime(2026, 11, 26, 11, 1, tzinfo=UTC)) == "closed"
    assert status(c, datetime(2026, 11, 26, 10, 59, tzinfo=UTC)) == "open"


def test_records_without_time_zone_are_taken_as_utc() -> None:
    c = Call(code="n", programme="p", title={"en": "n"}, deadline_at=datetime(2026, 11, 26, 12))
    assert status(c, datetime(2026, 11, 26, 12, tzinfo=UTC)) == "open"
    assert status(c, datetime(2026, 11, 26, 12, 1, tzinfo=UTC)) == "closed"


def test_listed_calls_skip_closed_and_put_the_nearest_deadline_first() -> None:
    calls = [
        call("no-deadline"),
        call("later", None, "2027-05-01T12:00:00+02:00"),
        call("closed", None, "2026-01-01T12:00:00+01:00"),
        call("sooner-b", None, "2027-01-10T12:00:00+01:00"),
        call("sooner-a", None, "2027-01-10T12:00:00+01:00"),
    ]
    listed = listed_calls(calls, NOW, 30)
    assert [c.call.code for c in listed] == ["sooner-a", "sooner-b", "later", "no-deadline"]


def test_open_call_closing_within_30_days_is_flagged() -> None:
    listed = listed_calls(
        [call("in-30", None, "2026-12-26T12:00:00+01:00"), call("in-31", None, "2026-12-27T12:00:00+01:00")],
        NOW,
        30,
    )
    assert [(c.call.code, c.closing_soon) for c in listed] == [("in-30", True), ("in-31", False)]


def test_forthcoming_call_is_never_closing_soon() -> None:
    listed = listed_calls([call("f", "2026-12-01T00:00:00+01:00", "2026-12-05T12:00:00+01:00")], NOW, 30)
    assert listed[0].status == "forthcoming" and not listed[0].closing_soon


def test_time_frame_needs_a_deadline_before_the_need_ends() -> None:
    listed = listed_calls([call("late", None, "2028-03-01T12:00:00+01:00")], NOW, 30)
    assert not has_call_in_time(listed, Need("t", "d", end_date=date(2027, 12, 31)))
    assert has_call_in_time(listed, Need("t", "d"))


@pytest.fixture(scope="module")
def noon_index(tiny_lexicon: Lexicon) -> MatchIndex:
    """The tiny catalogue with one more youth-mobility call, whose deadline is 2026-11-26 at 12:00 CET."""
    doc = tiny_document()
    doc["calls"].append(
        {
            "code": "ym-noon",
            "programme": "youth-mobility",
            "title": {"en": "Youth exchanges, closing at noon"},
            "deadline_at": "2026-11-26T12:00:00+01:00",
        }
    )
    return build_index(catalogue_from_document(doc, "noon"), tiny_lexicon)


def test_the_engine_lists_a_call_until_the_minute_of_its_deadline(noon_index: MatchIndex) -> None:
    need = need_from_body({"title": "Ungdomsutbyte", "description": "Unga möts i ett annat land.", "language": "sv"})
    deadline = datetime(2026, 11, 26, 12, tzinfo=CET)
    noon = next(c for c in noon_index.catalogue.calls if c.code == "ym-noon")
    # the same index, asked at moments of the same day on either side of the deadline, and back again
    for minutes, expected in ((-1, "open"), (1, "closed"), (-1, "open"), (0, "open"), (1, "closed")):
        now = deadline + timedelta(minutes=minutes)
        assert call_status(noon.opens_at, noon.deadline_at, now) == expected
        item = next(i for i in noon_index.match(need, now=now).items if i.programme.code == "youth-mobility")
        listed = {c.code: c.status for c in item.calls}
        assert listed.get("ym-noon", "closed") == expected, now
        assert listed.get("ym-2027-round-1") == "open"


def test_the_engine_wants_a_moment_with_a_time_zone(tiny_index: MatchIndex) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        tiny_index.match(need_from_body({"title": "t", "description": "d"}), now=datetime(2026, 11, 26))
