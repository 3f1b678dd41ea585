"""Eligibility rules, one function per rule, each on one programme and one need.

Hard rules (``exclusions``) take a programme out of the answer: the applicant
type is not eligible, the country or NUTS region lies outside the programme's
area, or the programme period is over (or its funded projects must end before
the need starts: ``period.projects_until``, else ``period.end``).

Soft rules (``warnings``) keep it but warn, and the penalised ones lower the
score: the budget is outside the grant range, the co-financing capacity is
below what the maximum rate leaves to pay, partners are required but none are
planned (from other countries, or a number of partners where the rule counts
only partners), no open or forthcoming call falls in the need's time frame. A need
without a region, for a programme that lists regions, gets a warning. A need
that starts after the period's end but while its projects may still run gets a
warning, not scored (``period_last_calls``): the last calls can fund it.

One finding is a reason instead (``budget_fit``, not scored): the budget lies
within a grant range whose both ends are known.

An empty list on the programme means "no restriction"; an absent value on the
need means "unknown", which never excludes.
"""

from __future__ import annotations

from datetime import date

from app.matching.findings import Finding
from app.matching.model import Need, Programme


def covers(area: str, region: str) -> bool:
    """A NUTS code covers every code under it: ``SE31`` covers ``SE312``, ``SE`` all of Sweden."""
    return region.upper().startswith(area.upper())


# kinds of applicant that the catalogue names with two codes
_KIND = {"ngo": "association", "sme": "company"}


def applicant_kind(applicant: str) -> str:
    """Associations and NGOs are one kind of applicant, companies and SMEs another."""
    return _KIND.get(applicant, applicant)


def main_applicant(programme: Programme) -> str | None:
    """The kind of applicant the programme is mainly made for: its first eligible applicant type."""
    return applicant_kind(programme.eligible_applicants[0]) if programme.eligible_applicants else None


def applicant_exclusion(programme: Programme, need: Need) -> Finding | None:
    allowed = programme.eligible_applicants
    if not allowed or need.applicant_type is None or need.applicant_type in allowed:
        return None
    return Finding("applicant_not_eligible", {"applicant": need.applicant_type, "allowed": ", ".join(allowed)})


def country_exclusion(programme: Programme, need: Need) -> Finding | None:
    allowed = programme.eligible_countries
    if not allowed or need.country is None or need.country in allowed:
        return None
    return Finding("country_not_eligible", {"country": need.country})


def region_finding(programme: Programme, need: Need) -> Finding | None:
    """An exclusion (``penalised`` is False and code ``region_outside``) or a warning."""
    areas = programme.eligible_regions
    if not areas:
        return None
    regions = ", ".join(areas)
    if need.region is None:
        if need.country is not None and not any(covers(need.country, a) or covers(a, need.country) for a in areas):
            return Finding("region_outside", {"region": need.country, "regions": regions})
        if need.country is not None and need.country in areas:
            return None
        return Finding("region_unknown", {"regions": regions}, penalised=True)
    if any(covers(area, need.region) for area in areas):
        return None
    if any(covers(need.region, area) for area in areas):
        return Finding("region_partly", {"region": need.region, "regions": regions}, penalised=True)
    return Finding("region_outside", {"region": need.region, "regions": regions})


def programme_active(end: date | None, day: date) -> bool:
    """Whether a programme whose period ends on ``end`` (``None``: open-ended) is active on ``day``:
    its period has not ended, the end day included. The one home of "active", for the engine and the API;
    ``features.EligibilityMasks`` applies the same rule to all programmes at once."""
    return end is None or day <= end


def period_exclusion(programme: Programme, need: Need, today: date) -> Finding | None:
    end = programme.period.end
    if end is None:
        return None
    if not programme_active(end, today):
        return Finding("period_over", {"end": end.isoformat()})
    last = programme.period.last_start
    if need.start_date is None or last is None or last >= need.start_date:
        return None
    code = "projects_end_before_start" if programme.period.projects_until else "period_ends_before_start"
    return Finding(code, {"end": last.isoformat(), "start": need.start_date.isoformat()})


def period_warning(programme: Programme, need: Need) -> Finding | None:
    """The need starts after the period's end, but the last calls fund projects that run until then."""
    period, start = programme.period, need.start_date
    if start is None or period.end is None or period.projects_until is None:
        return None
    if period.end < start <= period.projects_until:
        return Finding("period_last_calls", {"end": period.end.isoformat(), "until": period.projects_until.isoformat()})
    return None


def exclusions(programme: Programme, need: Need, today: date) -> list[Finding]:
    """Every hard rule the need breaks for this programme (empty: eligible)."""
    found = [
        applicant_exclusion(programme, need),
        country_exclusion(programme, need),
        period_exclusion(programme, need, today),
    ]
    region = region_finding(programme, need)
    if region is not None and region.code == "region_outside":
        found.append(region)
    return [f for f in found if f is not None]


def budget_warning(programme: Programme, need: Need) -> Finding | None:
    budget, grant = need.budget_eur, programme.grant
    if budget is None:
        return None
    if grant.min_eur is not None and budget < grant.min_eur:
        return Finding("budget_below", {"budget": _eur(budget), "min": _eur(grant.min_eur)}, penalised=True)
    if grant.max_eur is not None and budget > grant.max_eur:
        return Finding("budget_above", {"budget": _eur(budget), "max": _eur(grant.max_eur)}, penalised=True)
    return None


def budget_fit(programme: Programme, need: Need) -> Finding | None:
    budget, grant = need.budget_eur, programme.grant
    if budget is None or grant.min_eur is None or grant.max_eur is None:
        return None
    if not grant.min_eur <= budget <= grant.max_eur:
        return None
    return Finding("budget_fits", {"budget": _eur(budget), "min": _eur(grant.min_eur), "max": _eur(grant.max_eur)})


def cofinancing_warning(programme: Programme, need: Need) -> Finding | None:
    rate, capacity = programme.cofinancing_max_rate, need.cofinancing_capacity
    if rate is None or capacity is None or capacity + 1e-9 >= 1.0 - rate:
        return None
    return Finding(
        "cofinancing",
        {"rate": _pct(rate), "own": _pct(1.0 - rate), "capacity": _pct(capacity)},
        penalised=True,
    )


def partners_warning(programme: Programme, need: Need) -> Finding | None:
    rule = programme.partnership
    if not rule.required:
        return None
    # a rule that counts partners only (Vinnova's consortia) says nothing of other countries
    by_count = rule.min_countries is None and rule.min_partners is not None
    countries = rule.min_countries or 2
    params = {"countries": str(countries), "partners": str(rule.min_partners or countries)}
    has = need.partners.has_partners
    if has is None and need.partners.countries:
        has = True
    if has is None:
        return Finding("partner_count_required" if by_count else "partners_required", params)
    if not has:
        return Finding("partner_count_none" if by_count else "partners_none", params, penalised=True)
    if by_count:
        return None
    if need.partners.countries:
        together = set(need.partners.countries) | ({need.country} if need.country else set())
        if len(together) < countries:
            return Finding("partners_few", {**params, "have": str(len(together))}, penalised=True)
    return None


def warnings(programme: Programme, need: Need, *, has_call_in_time: bool | None) -> list[Finding]:
    """The soft findings; ``has_call_in_time`` is None when the catalogue lists no calls."""
    found = [
        region_finding(programme, need),
        budget_warning(programme, need),
        cofinancing_warning(programme, need),
        partners_warning(programme, need),
        period_warning(programme, need),
    ]
    if has_call_in_time is False:
        found.append(Finding("no_call_in_time", penalised=True))
    return [f for f in found if f is not None and f.code != "region_outside"]


def _eur(amount: int) -> str:
    return f"{amount:,}".replace(",", " ")


def _pct(rate: float) -> str:
    return f"{round(rate * 100):d}"
