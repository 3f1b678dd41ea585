"""Catalogue endpoints: read by any valid token; import (admin) and export."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from app.etags import etag_matches
from app.i18n import render
from app.matching.eligibility import programme_active
from app.models.catalogue_api import (
    CallPublic,
    CatalogueInfo,
    CountryGroupPublic,
    FunderPublic,
    ImportSummary,
    PillarPublic,
    ProgrammePublic,
    StrategyGoalPublic,
    ThemePublic,
)
from app.models.iso import IsoMoment
from app.pagination import Page, page_of
from app.routers.auth import AdminPrincipal, AnyPrincipal
from app.routers.deps import LanguageDep, NowDep, PageDep, SessionDep, SnapshotDep, app_state
from app.routers.problems import problem_responses
from app.services import catalogue_read as reads
from app.services.audit import actor_of
from app.services.catalogue_child import import_json_body

router = APIRouter(prefix="/api/v1", tags=["catalogue"], responses=problem_responses(401, 422))
ONE = problem_responses(401, 404)


def _code(what: str, example: str) -> Any:
    return Path(description=f"The {what}'s code, e.g. `{example}`.")


PillarCode = Annotated[str, _code("pillar", "development")]
ThemeCode = Annotated[str, _code("theme", "youth")]
GoalCode = Annotated[str, _code("strategy goal", "eu2020-education")]
FunderCode = Annotated[str, _code("funder", "european-commission")]
GroupCode = Annotated[str, _code("country group", "nordic")]
ProgrammeCode = Annotated[str, _code("programme", "erasmus-plus-youth")]
CallCode = Annotated[str, _code("call", "cerv-2026-citizens-town-nt")]
ThemeFilter = Annotated[str | None, Query(description="Only records with this theme's code, e.g. `youth`.")]


def _labelled(record: dict[str, Any], lang: str | None, key: str = "name") -> dict[str, Any]:
    return {**record, "label": render(record.get(key), lang)}


def _lang_header(response: Response, lang: str | None) -> None:
    response.headers["Content-Language"] = lang or "en"


@router.get("/catalogue", response_model=CatalogueInfo)
def catalogue_info(_: AnyPrincipal, snapshot: SnapshotDep) -> dict[str, Any]:
    """The catalogue's current version and how many records each section holds."""
    counts = {section: len(records) for section, records in snapshot.document.items() if isinstance(records, list)}
    return {"catalogue_version": snapshot.version, "counts": counts}


@router.get(
    "/catalogue/export",
    responses={
        200: {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/CatalogueDocument"}}}},
        304: {"description": "Not modified: the catalogue version in `If-None-Match` is current."},
    },
)
async def export_catalogue(
    _: AnyPrincipal,
    snapshot: SnapshotDep,
    if_none_match: Annotated[str | None, Header(description="An ETag from an earlier export.")] = None,
) -> Response:
    """The whole catalogue as a `fundmatch-catalogue/1` document, each section ordered by code.

    The `ETag` is the catalogue version: send it back in `If-None-Match` to get a 304 while the
    catalogue has not changed.
    """
    headers = {"ETag": snapshot.etag, "Cache-Control": "no-cache"}
    if if_none_match is not None and etag_matches(if_none_match, snapshot.etag):
        return Response(status_code=304, headers=headers)
    body = await run_in_threadpool(snapshot.export_bytes)
    return Response(body, media_type="application/json", headers=headers)


@router.post(
    "/catalogue/import",
    response_model=ImportSummary,
    responses=problem_responses(400, 403, 413),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CatalogueDocument"}}},
        }
    },
)
async def import_catalogue(
    request: Request,
    principal: AdminPrincipal,
    session: SessionDep,
    mode: Annotated[
        Literal["merge", "replace"], Query(description="merge upserts; replace also removes what is absent.")
    ] = "merge",
) -> dict[str, Any]:
    """Import a catalogue document in one transaction: all of it lands or none of it.

    Records are keyed by `code`; importing the same document twice changes nothing. The body may be
    up to 50 MiB. A 422 names each bad record by `loc`, e.g. `["programmes", 12, "funder"]`.
    """
    raw = await request.body()
    state = app_state(request)
    result = await run_in_threadpool(
        partial(
            import_json_body,
            session,
            raw,
            mode,
            actor_of(principal),
            database_url=state.settings.database_url,
            child_over_bytes=state.settings.import_child_bytes,
        )
    )
    state.snapshots.invalidate()
    return {
        "catalogue_version": result.version,
        "changed": result.changed,
        "mode": mode,
        "created": result.created,
        "updated": result.updated,
        "removed": result.removed,
    }


@router.get("/pillars", response_model=Page[PillarPublic])
def list_pillars(_: AnyPrincipal, snapshot: SnapshotDep, page: PageDep, lang: LanguageDep, response: Response) -> Any:
    """The municipality's strategy pillars."""
    _lang_header(response, lang)
    return page_of([_labelled(r, lang) for r in snapshot.section("pillars")], page)


@router.get("/pillars/{code}", response_model=PillarPublic, responses=ONE)
def get_pillar(code: PillarCode, _: AnyPrincipal, snapshot: SnapshotDep, lang: LanguageDep, response: Response) -> Any:
    _lang_header(response, lang)
    return _labelled(reads.get_record(snapshot, "pillars", code, "pillar"), lang)


@router.get("/themes", response_model=Page[ThemePublic])
def list_themes(_: AnyPrincipal, snapshot: SnapshotDep, page: PageDep, lang: LanguageDep, response: Response) -> Any:
    """Themes with their Swedish and English keywords."""
    _lang_header(response, lang)
    return page_of([_labelled(r, lang) for r in snapshot.section("themes")], page)


@router.get("/themes/{code}", response_model=ThemePublic, responses=ONE)
def get_theme(code: ThemeCode, _: AnyPrincipal, snapshot: SnapshotDep, lang: LanguageDep, response: Response) -> Any:
    _lang_header(response, lang)
    return _labelled(reads.get_record(snapshot, "themes", code, "theme"), lang)


@router.get("/strategy-goals", response_model=Page[StrategyGoalPublic])
def list_strategy_goals(
    _: AnyPrincipal,
    snapshot: SnapshotDep,
    page: PageDep,
    lang: LanguageDep,
    response: Response,
    framework: Annotated[str | None, Query(description="Only goals of this framework, e.g. `agenda-2030`.")] = None,
    kind: Annotated[str | None, Query(description="Only goals of this kind, e.g. `sdg`, `headline_target`.")] = None,
    theme: ThemeFilter = None,
) -> Any:
    """Strategy goals (Europa 2020 targets and flagships, Agenda 2030, …), filtered by framework, kind or theme."""
    _lang_header(response, lang)
    goals = reads.list_simple(snapshot, "strategy_goals", framework=framework, kind=kind, themes=theme)
    return page_of([_labelled(r, lang) for r in goals], page)


@router.get("/strategy-goals/{code}", response_model=StrategyGoalPublic, responses=ONE)
def get_strategy_goal(
    code: GoalCode, _: AnyPrincipal, snapshot: SnapshotDep, lang: LanguageDep, response: Response
) -> Any:
    _lang_header(response, lang)
    return _labelled(reads.get_record(snapshot, "strategy_goals", code, "strategy goal"), lang)


@router.get("/funders", response_model=Page[FunderPublic])
def list_funders(
    _: AnyPrincipal,
    snapshot: SnapshotDep,
    page: PageDep,
    lang: LanguageDep,
    response: Response,
    kind: Annotated[
        str | None, Query(description="Only funders of this kind, e.g. `national_agency`, `foundation`.")
    ] = None,
    country: Annotated[
        str | None, Query(description="Only funders of this country, ISO 3166-1 alpha-2 (`SE`); any case.")
    ] = None,
) -> Any:
    """Funders: the Commission and its agencies, managing authorities, Swedish agencies, foundations."""
    _lang_header(response, lang)
    funders = reads.list_simple(snapshot, "funders", kind=kind, country=country and country.upper())
    return page_of([_labelled(r, lang) for r in funders], page)


@router.get("/funders/{code}", response_model=FunderPublic, responses=ONE)
def get_funder(code: FunderCode, _: AnyPrincipal, snapshot: SnapshotDep, lang: LanguageDep, response: Response) -> Any:
    _lang_header(response, lang)
    return _labelled(reads.get_record(snapshot, "funders", code, "funder"), lang)


@router.get("/country-groups", response_model=Page[CountryGroupPublic])
def list_country_groups(
    _: AnyPrincipal,
    snapshot: SnapshotDep,
    page: PageDep,
    lang: LanguageDep,
    response: Response,
    country: Annotated[
        str | None, Query(pattern=r"^[A-Za-z]{2}$", description="Only groups with this country.")
    ] = None,
) -> Any:
    """Named sets of countries (the EU, the Nordic countries, …) that programmes' `partner_countries` refer to."""
    _lang_header(response, lang)
    groups = reads.list_simple(snapshot, "country_groups", countries=country and country.upper())
    return page_of([_labelled(r, lang) for r in groups], page)


@router.get("/country-groups/{code}", response_model=CountryGroupPublic, responses=ONE)
def get_country_group(
    code: GroupCode, _: AnyPrincipal, snapshot: SnapshotDep, lang: LanguageDep, response: Response
) -> Any:
    _lang_header(response, lang)
    return _labelled(reads.get_record(snapshot, "country_groups", code, "country group"), lang)


def _programme_out(record: dict[str, Any], lang: str | None, now: datetime) -> dict[str, Any]:
    period = record.get("period") or {}
    end = period.get("end")
    return {**_labelled(record, lang), "active": programme_active(date.fromisoformat(end) if end else None, now.date())}


@router.get("/programmes", response_model=Page[ProgrammePublic])
def list_programmes(
    _: AnyPrincipal,
    snapshot: SnapshotDep,
    page: PageDep,
    lang: LanguageDep,
    response: Response,
    now: NowDep,
    funder: Annotated[str | None, Query(description="Only programmes of this funder's code, e.g. `eacea`.")] = None,
    kind: Annotated[
        str | None, Query(description="Only programmes of this kind: `eu_direct`, `eu_shared`, `interreg`, …")
    ] = None,
    theme: ThemeFilter = None,
    pillar: Annotated[str | None, Query(description="Only programmes serving this pillar's code.")] = None,
    strategy_goal: Annotated[
        str | None, Query(description="Only programmes serving this strategy goal's code.")
    ] = None,
    applicant_type: Annotated[
        str | None, Query(description="Only programmes this applicant type may apply to, e.g. `municipality`.")
    ] = None,
    country: Annotated[
        str | None,
        Query(
            pattern=r"^[A-Za-z]{2}$", description="Only programmes open to applicants of this country (`SE`; any case)."
        ),
    ] = None,
    region: Annotated[
        str | None,
        Query(
            pattern=r"^[A-Za-z]{2}[0-9A-Za-z]{0,3}$",
            description="Only programmes open to applicants of this region, a NUTS code (`SE312`).",
        ),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1, max_length=200, description="Free text in codes, names, descriptions and keywords (any case)."
        ),
    ] = None,
) -> Any:
    """Programmes, ordered by code. Eligibility filters treat an empty list as "no restriction"."""
    _lang_header(response, lang)
    flt = reads.ProgrammeFilter(
        funder=funder,
        kind=kind,
        theme=theme,
        pillar=pillar,
        strategy_goal=strategy_goal,
        applicant_type=applicant_type,
        country=country,
        region=region,
        q=q,
    )
    return page_of([_programme_out(r, lang, now) for r in reads.list_programmes(snapshot, flt)], page)


@router.get("/programmes/{code}", response_model=ProgrammePublic, responses=ONE)
def get_programme(
    code: ProgrammeCode, _: AnyPrincipal, snapshot: SnapshotDep, lang: LanguageDep, response: Response, now: NowDep
) -> Any:
    _lang_header(response, lang)
    return _programme_out(reads.get_record(snapshot, "programmes", code, "programme"), lang, now)


def _call_out(record: dict[str, Any], lang: str | None, now: datetime) -> dict[str, Any]:
    return {**_labelled(record, lang, "title"), "status": reads.status_of(record, now)}


@router.get("/calls", response_model=Page[CallPublic])
def list_calls(
    _: AnyPrincipal,
    snapshot: SnapshotDep,
    page: PageDep,
    lang: LanguageDep,
    response: Response,
    now: NowDep,
    programme: Annotated[str | None, Query(description="Only calls of this programme's code.")] = None,
    status: Annotated[
        Literal["forthcoming", "open", "closed"] | None, Query(description="Only calls with this status today.")
    ] = None,
    deadline_from: Annotated[
        IsoMoment | None,
        Query(
            description="Only calls whose deadline is at or after this date or moment (ISO 8601); a date or a "
            "time without offset is taken as UTC."
        ),
    ] = None,
    deadline_to: Annotated[
        IsoMoment | None,
        Query(
            description="Only calls whose deadline is at or before this date or moment (ISO 8601); a date or a "
            "time without offset is taken as UTC."
        ),
    ] = None,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="Free text in codes, titles and descriptions (any case)."),
    ] = None,
) -> Any:
    """Calls, ordered by code; status is derived from the dates (no deadline: open)."""
    _lang_header(response, lang)
    flt = reads.CallFilter(
        programme=programme,
        status=status,
        deadline_from=_moment(deadline_from),
        deadline_to=_moment(deadline_to),
        q=q,
    )
    return page_of([_call_out(r, lang, now) for r in reads.list_calls(snapshot, flt, now)], page)


def _moment(value: date | datetime | None) -> datetime | None:
    """A query date or datetime as a moment; dates (midnight) and naive datetimes are taken as UTC."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@router.get("/calls/{code}", response_model=CallPublic, responses=ONE)
def get_call(
    code: CallCode, _: AnyPrincipal, snapshot: SnapshotDep, lang: LanguageDep, response: Response, now: NowDep
) -> Any:
    _lang_header(response, lang)
    return _call_out(reads.get_record(snapshot, "calls", code, "call"), lang, now)
