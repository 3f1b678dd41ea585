"""Call status, listing order and the closing-soon flag."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from app.matching.calls import call_status, has_call_in_time, listed_calls
from app.matching.model import Call, Need

CET = timezone(timedelta(hours=1))


def call(code: str, opens: str | None = None, deadline: str | None = None) -> Call:
    return Call(
        code=code,
        programme="p",
        title={"en": code},
        opens_at=datetime.fromisoformat(opens) if opens else None,
        deadline_at=datetime.fromisoformat(deadline) if deadline else None,
    )


def test_status_follows_the_dates() -> None:
    today = date(2026, 11, 26)
    assert call_status(call("a", "2026-12-01T00:00:00+01:00", "2027-02-01T12:00:00+01:00"), today) == "forthcoming"
    assert call_status(call("b", "2026-10-01T00:00:00+01:00", "2026-11-26T12:00:00+01:00"), today) == "open"
    assert call_status(call("c", None, "2026-11-25T12:00:00+01:00"), today) == "closed"
    assert call_status(call("d"), today) == "open"


def test_listed_calls_skip_closed_and_put_the_nearest_deadline_first() -> None:
    calls = [
        call("no-deadline"),
        call("later", None, "2027-05-01T12:00:00+02:00"),
        call("closed", None, "2026-01-01T12:00:00+01:00"),
        call("sooner-b", None, "2027-01-10T12:00:00+01:00"),
        call("sooner-a", None, "2027-01-10T12:00:00+01:00"),
    ]
    listed = listed_calls(calls, date(2026, 11, 26), 30)
    assert [c.call.code for c in listed] == ["sooner-a", "sooner-b", "later", "no-deadline"]


def test_open_call_closing_within_30_days_is_flagged() -> None:
    today = date(2026, 11, 26)
    listed = listed_calls(
        [call("in-30", None, "2026-12-26T12:00:00+01:00"), call("in-31", None, "2026-12-27T12:00:00+01:00")],
        today,
        30,
    )
    assert [(c.call.code, c.closing_soon) for c in listed] == [("in-30", True), ("in-31", False)]


def test_forthcoming_call_is_never_closing_soon() -> None:
    listed = listed_calls([call("f", "2026-12-01T00:00:00+01:00", "2026-12-05T12:00:00+01:00")], date(2026, 11, 26), 30)
    assert listed[0].status == "forthcoming" and not listed[0].closing_soon


def test_time_frame_needs_a_deadline_before_the_need_ends() -> None:
    listed = listed_calls([call("late", None, "2028-03-01T12:00:00+01:00")], date(2026, 11, 26), 30)
    assert not has_call_in_time(listed, Need("t", "d", end_date=date(2027, 12, 31)))
    assert has_call_in_time(listed, Need("t", "d"))
