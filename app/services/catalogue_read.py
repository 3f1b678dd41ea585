"""Catalogue reads with filters, over the worker's snapshot (the catalogue is small and read-mostly)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.errors import NotFound
from app.matching.calls import call_status
from app.matching.eligibility import covers, programme_active
from app.services.snapshot import CatalogueSnapshot


def get_record(snapshot: CatalogueSnapshot, section: str, code: str, what: str) -> dict[str, Any]:
    record = snapshot.by_code.get(section, {}).get(code)
    if record is None:
        raise NotFound(f"No {what} with code '{code}'.")
    return record


@dataclass(frozen=True)
class ProgrammeFilter:
    funder: str | None = None
    kind: str | None = None
    theme: str | None = None
    pillar: str | None = None
    strategy_goal: str | None = None
    applicant_type: str | None = None
    country: str | None = None
    region: str | None = None
    q: str | None = None
    active_on: date | None = None

    def accepts(self, prog: dict[str, Any]) -> bool:
        checks = (
            self.funder is None or prog["funder"] == self.funder,
            self.kind is None or prog.get("kind") == self.kind,
            self.theme is None or self.theme in (prog.get("themes") or ()),
            self.pillar is None or self.pillar in (prog.get("pillars") or ()),
            self.strategy_goal is None or self.strategy_goal in (prog.get("strategy_goals") or ()),
            _open_list(prog.get("eligible_applicants"), self.applicant_type),
            _open_list(prog.get("eligible_countries"), self.country and self.country.upper()),
            self.region is None
            or not prog.get("eligible_regions")
            or any(covers(area, self.region) for area in prog["eligible_regions"]),
            self.q is None or _mentions(prog, self.q),
            self.active_on is None or _active(prog, self.active_on),
        )
        return all(checks)


def _open_list(allowed: list[str] | None, value: str | None) -> bool:
    """An empty or absent list means no restriction."""
    return value is None or not allowed or value in allowed


def _active(prog: dict[str, Any], day: date) -> bool:
    period = prog.get("period") or {}
    start, end = period.get("start"), period.get("end")
    started = start is None or date.fromisoformat(start) <= day
    return started and programme_active(date.fromisoformat(end) if end else None, day)


def _texts(record: dict[str, Any]) -> list[str]:
    texts: list[str] = [record["code"]]
    for key in ("name", "title", "description"):
        texts.extend((record.get(key) or {}).values())
    texts.extend(record.get("keywords") or [])
    return texts


def _mentions(record: dict[str, Any], q: str) -> bool:
    needle = q.casefold().strip()
    return any(needle in text.casefold() for text in _texts(record))


def list_programmes(snapshot: CatalogueSnapshot, flt: ProgrammeFilter) -> list[dict[str, Any]]:
    return [prog for prog in snapshot.section("programmes") if flt.accepts(prog)]


@dataclass(frozen=True)
class CallFilter:
    programme: str | None = None
    status: str | None = None
    deadline_from: datetime | None = None
    deadline_to: datetime | None = None
    q: str | None = None

    def accepts(self, call: dict[str, Any], now: datetime) -> bool:
        deadline = _parse(call.get("deadline_at"))
        checks = (
            self.programme is None or call["programme"] == self.programme,
            self.status is None or status_of(call, now) == self.status,
            self.deadline_from is None or (deadline is not None and deadline >= self.deadline_from),
            self.deadline_to is None or (deadline is not None and deadline <= self.deadline_to),
            self.q is None or _mentions(call, self.q),
        )
        return all(checks)


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def status_of(call: dict[str, Any], now: datetime) -> str:
    return call_status(_parse(call.get("opens_at")), _parse(call.get("deadline_at")), now)


def list_calls(snapshot: CatalogueSnapshot, flt: CallFilter, now: datetime) -> list[dict[str, Any]]:
    return [call for call in snapshot.section("calls") if flt.accepts(call, now)]


def list_simple(snapshot: CatalogueSnapshot, section: str, **equal: str | None) -> list[dict[str, Any]]:
    """Records of a section whose fields equal the given values (None: any); list fields must contain it."""
    out = []
    for record in snapshot.section(section):
        ok = True
        for key, wanted in equal.items():
            if wanted is None:
                continue
            value = record.get(key)
            ok = ok and (wanted in value if isinstance(value, list) else value == wanted)
        if ok:
            out.append(record)
    return out
