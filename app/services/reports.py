"""The funding report: what an organisation applied for, submitted and was granted in a period.

Counted by the date each status took effect (the history), not by when it was recorded:
`applications` were created in the period (their first status took effect in it), `submitted` and
`requested_eur` reached `submitted` in it, `granted`/`granted_eur` and `rejected` were decided in
it. An application counts in every group it belongs to (a need with two pillars is in both), and
once in the totals. Only the principal's organisation's applications are read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.errors import InvalidInput
from app.i18n import render
from app.models import Application, ApplicationStatusChange, Need
from app.principal import Principal
from app.services.snapshot import CatalogueSnapshot

GroupBy = Literal["pillar", "programme", "funder", "strategy_goal", "status"]

STATUS_LABELS: dict[str, dict[str, str]] = {
    "interested": {"en": "Interested", "sv": "Intresserad"},
    "preparing": {"en": "Preparing", "sv": "Förbereds"},
    "submitted": {"en": "Submitted", "sv": "Inskickad"},
    "granted": {"en": "Granted", "sv": "Beviljad"},
    "rejected": {"en": "Rejected", "sv": "Avslagen"},
    "withdrawn": {"en": "Withdrawn", "sv": "Återtagen"},
    "dismissed": {"en": "Not for us", "sv": "Inte aktuell"},
}
NO_GROUP: dict[str, dict[str, str]] = {
    "pillar": {"en": "No pillar", "sv": "Ingen pelare"},
    "programme": {"en": "No programme", "sv": "Inget program"},
    "funder": {"en": "Funder not in the catalogue", "sv": "Finansiär saknas i katalogen"},
    "strategy_goal": {"en": "No strategy goal", "sv": "Inget strategiskt mål"},
    "status": {"en": "No status", "sv": "Ingen status"},
}
SECTIONS = {"pillar": "pillars", "programme": "programmes", "funder": "funders", "strategy_goal": "strategy_goals"}


@dataclass
class Counts:
    applications: int = 0
    submitted: int = 0
    granted: int = 0
    rejected: int = 0
    requested_eur: int = 0
    granted_eur: int = 0

    def add(self, other: Counts) -> None:
        self.applications += other.applications
        self.submitted += other.submitted
        self.granted += other.granted
        self.rejected += other.rejected
        self.requested_eur += other.requested_eur
        self.granted_eur += other.granted_eur

    def public(self) -> dict[str, Any]:
        decided = self.granted + self.rejected
        rate = round(self.granted / decided, 4) if decided else None
        return {**self.__dict__, "success_rate": rate}

    @property
    def empty(self) -> bool:
        return not (self.applications or self.submitted or self.granted or self.rejected)


def _period(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    start = start or date(today.year, 1, 1)
    end = end or date(start.year, 12, 31)
    if end < start:
        raise InvalidInput(
            f"to ({end.isoformat()}) is before from ({start.isoformat()}).",
            errors=[{"loc": ["query", "to"], "msg": "before from", "type": "value_error"}],
        )
    return start, end


def _counts(row: Sequence[Any], history: Sequence[tuple[str, date]], start: date, end: date) -> Counts:
    """What one application adds in [start, end]; `history` is (status, date) oldest first."""
    _, _, _, requested, granted = row
    counts = Counts()
    if history and start <= history[0][1] <= end:
        counts.applications = 1
    for status, when in history:
        if not start <= when <= end:
            continue
        if status == "submitted":
            counts.submitted = 1
            counts.requested_eur = requested or 0
        elif status == "granted":
            counts.granted = 1
            counts.granted_eur = granted or 0
        elif status == "rejected":
            counts.rejected = 1
    return counts


def funding_report(
    session: Session,
    principal: Principal,
    snapshot: CatalogueSnapshot,
    *,
    start: date | None,
    end: date | None,
    group_by: GroupBy,
    language: str | None,
    today: date,
) -> dict[str, Any]:
    """The report over [start, end] (default: this calendar year), grouped by `group_by`. Grouped
    by `status`, an application is in the group of its status at the end of the period."""
    start, end = _period(start, end, today)
    org = principal.organisation_id
    rows = session.execute(
        sa_select(
            col(Application.id),
            col(Application.need_id),
            col(Application.programme_code),
            col(Application.amount_requested_eur),
            col(Application.amount_granted_eur),
        ).where(col(Application.organisation_id) == org)
    ).all()
    changes = session.execute(
        sa_select(
            col(ApplicationStatusChange.application_id),
            col(ApplicationStatusChange.status),
            col(ApplicationStatusChange.effective_date),
        )
        .join(Application, col(Application.id) == col(ApplicationStatusChange.application_id))
        .where(col(Application.organisation_id) == org, col(ApplicationStatusChange.effective_date) <= end)
        .order_by(col(ApplicationStatusChange.application_id), col(ApplicationStatusChange.id))
    ).all()
    history: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for application_id, status, when in changes:
        history[application_id].append((status, when))
    pillars: dict[int, list[str]] = {}
    if group_by == "pillar":
        needs = session.exec(select(Need.id, Need.pillars).where(Need.organisation_id == org)).all()
        pillars = {need_id: list(codes or []) for need_id, codes in needs if need_id is not None}
    programmes = snapshot.by_code.get("programmes", {})

    def keys(row: Sequence[Any]) -> list[str | None]:
        application_id, need_id, programme_code = row[0], row[1], row[2]
        programme = programmes.get(programme_code, {})
        found: list[str | None]
        if group_by == "pillar":
            found = list(pillars.get(need_id, []))
        elif group_by == "programme":
            found = [programme_code]
        elif group_by == "funder":
            found = [programme.get("funder")]
        elif group_by == "strategy_goal":
            found = list(programme.get("strategy_goals") or [])
        else:
            found = [history[application_id][-1][0]]
        return list(dict.fromkeys(found)) or [None]

    groups: dict[str | None, Counts] = defaultdict(Counts)
    totals = Counts()
    for row in rows:
        counts = _counts(row, history.get(row[0], []), start, end)
        if counts.empty:
            continue
        totals.add(counts)
        for key in keys(row):
            groups[key].add(counts)
    ordered = sorted(groups.items(), key=lambda item: (item[0] is None, item[0] or ""))
    return {
        "from": start,
        "to": end,
        "group_by": group_by,
        "groups": [
            {"key": key, "label": _label(snapshot, group_by, key, language), **counts.public()}
            for key, counts in ordered
        ],
        "totals": totals.public(),
    }


def _label(snapshot: CatalogueSnapshot, group_by: str, key: str | None, language: str | None) -> str:
    if key is None:
        return render(NO_GROUP[group_by], language)
    if group_by == "status":
        return render(STATUS_LABELS.get(key), language) or key
    record = snapshot.by_code.get(SECTIONS[group_by], {}).get(key)
    return render(record.get("name"), language) if record else key
