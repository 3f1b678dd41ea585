"""Calls: status at a moment, the ones worth listing, and the time-frame check.

A call is ``forthcoming`` while now is before it opens, ``closed`` once now is
past its deadline and ``open`` otherwise (a call without deadline stays open):
``call_status`` is the one home of this rule, for the engine and the catalogue
API alike. Listed calls are the open and forthcoming ones, nearest deadline
first (no deadline last), ties by code; an open call is ``closing_soon`` when
its deadline's day is at most ``closing_soon_days`` days after today.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from app.matching.model import Call, Need


@dataclass(frozen=True, slots=True)
class ListedCall:
    call: Call
    status: str
    closing_soon: bool


def aware(moment: datetime) -> datetime:
    """``moment`` itself, or taken as UTC when it has no time zone (the engine accepts such records)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def call_status(opens_at: datetime | None, deadline_at: datetime | None, now: datetime) -> str:
    """``forthcoming`` before opening, ``closed`` after the deadline, else ``open`` (no deadline: open)."""
    if opens_at is not None and now < aware(opens_at):
        return "forthcoming"
    if deadline_at is not None and now > aware(deadline_at):
        return "closed"
    return "open"


def sort_key(call: Call) -> tuple[int, float, str]:
    """Nearest deadline first, no deadline last, then code."""
    if call.deadline_at is None:
        return (1, 0.0, call.code)
    moment = call.deadline_at
    return (0, moment.timestamp(), call.code)


def listed_calls(calls: Iterable[Call], now: datetime, closing_soon_days: int) -> tuple[ListedCall, ...]:
    return listed_in_order(sorted(calls, key=sort_key), now, closing_soon_days)


def listed_in_order(calls: Iterable[Call], now: datetime, closing_soon_days: int) -> tuple[ListedCall, ...]:
    """``listed_calls`` of calls already in ``sort_key`` order (the index sorts each programme's once)."""
    today = now.date()
    out = []
    for call in calls:
        status = call_status(call.opens_at, call.deadline_at, now)
        if status == "closed":
            continue
        soon = (
            status == "open"
            and call.deadline_at is not None
            and (call.deadline_at.date() - today).days <= closing_soon_days
        )
        out.append(ListedCall(call, status, soon))
    return tuple(out)


def has_call_in_time(listed: Iterable[ListedCall], need: Need) -> bool:
    """Whether a listed call can be applied to before the need's time frame ends."""
    limit = need.end_date or need.start_date
    for item in listed:
        deadline = item.call.deadline_at
        if limit is None or deadline is None or deadline.date() <= limit:
            return True
    return False
