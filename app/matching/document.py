"""Parse contract documents (plain JSON-like dicts) into the engine's records.

``catalogue_from_document`` reads a ``fundmatch-catalogue/1`` document and
``need_from_body`` a need body. Both expect input that the API has already
validated; they are lenient about absent optional fields and never look
anything up outside the document.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from app.matching.model import (
    Call,
    Catalogue,
    CountryGroup,
    Funder,
    GrantRange,
    Need,
    Partners,
    Partnership,
    Period,
    Pillar,
    Programme,
    StrategyGoal,
    Text,
    Theme,
)


def _text(value: Any) -> Text:
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items() if isinstance(v, str) and v.strip()}
    if isinstance(value, str) and value.strip():
        return {"en": value}
    return {}


def _codes(value: Any) -> tuple[str, ...]:
    if not isinstance(value, Iterable) or isinstance(value, str | bytes | Mapping):
        return ()
    return tuple(str(v) for v in value if v is not None)


def _upper_codes(value: Any) -> tuple[str, ...]:
    return tuple(code.upper() for code in _codes(value))


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        return date.fromisoformat(value[:10])
    return None


def _datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str) and value:
        text = value[:-1] + "+00:00" if value.endswith("Z") else value
        return datetime.fromisoformat(text)
    return None


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _theme(raw: Mapping[str, Any]) -> Theme:
    keywords = {
        str(lang): tuple(str(k) for k in words if isinstance(k, str))
        for lang, words in _mapping(raw.get("keywords")).items()
        if isinstance(words, list)
    }
    return Theme(code=str(raw["code"]), name=_text(raw.get("name")), keywords=keywords)


def _programme(raw: Mapping[str, Any]) -> Programme:
    period = _mapping(raw.get("period"))
    grant = _mapping(raw.get("grant_eur"))
    partnership = _mapping(raw.get("partnership"))
    return Programme(
        code=str(raw["code"]),
        name=_text(raw.get("name")),
        description=_text(raw.get("description")),
        funder=str(raw.get("funder") or ""),
        kind=str(raw.get("kind") or "other"),
        period=Period(
            start=_date(period.get("start")),
            end=_date(period.get("end")),
            projects_until=_date(period.get("projects_until")),
        ),
        themes=_codes(raw.get("themes")),
        pillars=_codes(raw.get("pillars")),
        strategy_goals=_codes(raw.get("strategy_goals")),
        eligible_applicants=_codes(raw.get("eligible_applicants")),
        eligible_countries=_upper_codes(raw.get("eligible_countries")),
        eligible_regions=_upper_codes(raw.get("eligible_regions")),
        grant=GrantRange(min_eur=_int(grant.get("min")), max_eur=_int(grant.get("max"))),
        cofinancing_max_rate=_float(raw.get("cofinancing_max_rate")),
        partnership=Partnership(
            required=bool(partnership.get("required", False)),
            min_partners=_int(partnership.get("min_partners")),
            min_countries=_int(partnership.get("min_countries")),
        ),
        partner_countries=_codes(raw.get("partner_countries")),
        keywords=_codes(raw.get("keywords")),
        url=raw.get("url") if isinstance(raw.get("url"), str) else None,
    )


def _call(raw: Mapping[str, Any]) -> Call:
    return Call(
        code=str(raw["code"]),
        programme=str(raw["programme"]),
        title=_text(raw.get("title")),
        description=_text(raw.get("description")),
        opens_at=_datetime(raw.get("opens_at")),
        deadline_at=_datetime(raw.get("deadline_at")),
        budget_eur=_int(raw.get("budget_eur")),
        url=raw.get("url") if isinstance(raw.get("url"), str) else None,
    )


def _records(doc: Mapping[str, Any], section: str) -> list[Mapping[str, Any]]:
    value = doc.get(section)
    return [r for r in value if isinstance(r, Mapping)] if isinstance(value, list) else []


def catalogue_from_document(doc: Mapping[str, Any], version: str) -> Catalogue:
    """Read a ``fundmatch-catalogue/1`` document; ``version`` names this state of it."""
    return Catalogue(
        version=version,
        pillars=tuple(
            Pillar(str(r["code"]), _text(r.get("name")), _text(r.get("description"))) for r in _records(doc, "pillars")
        ),
        themes=tuple(_theme(r) for r in _records(doc, "themes")),
        strategy_goals=tuple(
            StrategyGoal(
                code=str(r["code"]),
                name=_text(r.get("name")),
                framework=str(r.get("framework") or ""),
                kind=str(r.get("kind") or ""),
                description=_text(r.get("description")),
                themes=_codes(r.get("themes")),
            )
            for r in _records(doc, "strategy_goals")
        ),
        funders=tuple(
            Funder(
                code=str(r["code"]),
                name=_text(r.get("name")),
                kind=str(r.get("kind") or ""),
                country=r.get("country") if isinstance(r.get("country"), str) else None,
                url=r.get("url") if isinstance(r.get("url"), str) else None,
            )
            for r in _records(doc, "funders")
        ),
        country_groups=tuple(
            CountryGroup(str(r["code"]), _text(r.get("name")), _upper_codes(r.get("countries")))
            for r in _records(doc, "country_groups")
        ),
        programmes=tuple(_programme(r) for r in _records(doc, "programmes")),
        calls=tuple(_call(r) for r in _records(doc, "calls")),
    )


def need_from_body(body: Mapping[str, Any]) -> Need:
    """Read a need body; absent optional fields stay ``None`` or empty."""
    partners = _mapping(body.get("partners"))
    has_partners = partners.get("has_partners")
    language = body.get("language")
    country = body.get("country")
    region = body.get("region")
    return Need(
        title=str(body.get("title") or ""),
        description=str(body.get("description") or ""),
        language=language.lower() if isinstance(language, str) and language else None,
        pillars=_codes(body.get("pillars")),
        themes=_codes(body.get("themes")),
        applicant_type=body.get("applicant_type") if isinstance(body.get("applicant_type"), str) else None,
        country=country.upper() if isinstance(country, str) and country else None,
        region=region.upper() if isinstance(region, str) and region else None,
        budget_eur=_int(body.get("budget_eur")),
        cofinancing_capacity=_float(body.get("cofinancing_capacity")),
        start_date=_date(body.get("start_date")),
        end_date=_date(body.get("end_date")),
        partners=Partners(
            has_partners=has_partners if isinstance(has_partners, bool) else None,
            countries=_upper_codes(partners.get("countries")),
        ),
    )
