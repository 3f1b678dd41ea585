"""The application factory. Nothing happens at import time; the lifespan owns the engine."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import anyio
import anyio.to_thread
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline

from app import __version__
from app.catalogue.document import CatalogueDocument
from app.db import make_engine
from app.jobs.context import JobContext
from app.jobs.kinds import KINDS
from app.jobs.schedule import periodic_jobs
from app.jobs.worker import Worker
from app.logging_setup import configure_logging
from app.matching import load_lexicon
from app.middleware import BodyLimitMiddleware, NulCharacterMiddleware, RequestIdMiddleware
from app.routers import (
    applications,
    audit,
    calendar_feeds,
    catalogue,
    health,
    match,
    needs,
    organisations,
    refreshes,
    reports,
    webhooks,
)
from app.routers.problems import Problem, install_error_handlers
from app.services.auth import KeyUsage, PrincipalCache
from app.services.calls import portal_client
from app.services.rate_limit import RateLimiter
from app.services.snapshot import SnapshotCache
from app.services.snapshot_child import ChildBuilder
from app.services.startup import prepare, start_warm_up
from app.services.suggestions import index_for
from app.settings import Settings, get_settings
from app.state import AppState, system_clock

IMPORT_PATH = "/api/v1/catalogue/import"

DESCRIPTION = """
fundmatch matches a municipality's development needs with funding: EU programmes, Interreg,
Swedish agencies, Sida and foundations, and the strategy goals they serve (Europa 2020, Agenda 2030).
Authenticate with `Authorization: Bearer <token>`. Errors are `application/problem+json` (RFC 9457).
"""


def create_app(settings: Settings | None = None, *, clock: Callable[[], datetime] | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        lexicon = load_lexicon(settings.lexicon_dir)
        state = AppState(
            settings=settings,
            engine=engine,
            snapshots=SnapshotCache(
                engine,
                settings.catalogue_check_seconds,
                prepare=lambda snapshot: index_for(snapshot, lexicon),
                build_elsewhere=ChildBuilder(settings.database_url, settings.lexicon_dir),
                elsewhere_over_programmes=settings.rebuild_child_programmes,
            ),
            lexicon=lexicon,
            principals=PrincipalCache(settings.auth_cache_seconds),
            key_usage=KeyUsage(engine),
            rate_limiter=RateLimiter(settings.rate_limit),
            engine_limiter=anyio.CapacityLimiter(1),
            clock=clock or system_clock,
        )
        app.state.fm = state
        await anyio.to_thread.run_sync(prepare, engine, settings)
        warm_up = start_warm_up(state.snapshots, state.lexicon) if settings.warm_index else None
        http = portal_client(settings)
        if settings.jobs_enabled:
            context = JobContext(
                engine,
                settings,
                state.now,
                http,
                catalogue_changed=state.snapshots.invalidate,
                snapshots=state.snapshots,
                lexicon=state.lexicon,
                requests_busy=lambda: state.engine_limiter.borrowed_tokens > 0,
            )
            state.jobs = Worker(
                context,
                KINDS,
                periodic_jobs(settings),
                interval_seconds=settings.jobs_interval_seconds,
                lease_seconds=settings.job_lease_seconds,
            )
            state.jobs.start()
        try:
            yield
        finally:
            if state.jobs is not None:
                state.jobs.stop()
            http.close()
            if warm_up is not None:
                warm_up.join(timeout=5)
            state.key_usage.close()
            engine.dispose()

    # The docs' scripts and styles are served from the installed package, not a CDN: municipal
    # networks often block CDNs, and integrators read the docs offline.
    app = FastAPIOffline(
        title="fundmatch",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
    )
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(catalogue.router)
    app.include_router(refreshes.router)
    app.include_router(organisations.router)
    app.include_router(needs.router)
    app.include_router(match.router)
    app.include_router(audit.router)
    app.include_router(applications.router)
    app.include_router(reports.router)
    app.include_router(webhooks.router)
    app.include_router(calendar_feeds.router)

    def limit_for(path: str) -> int:
        return settings.max_import_body_bytes if path == IMPORT_PATH else settings.max_body_bytes

    app.add_middleware(NulCharacterMiddleware)
    app.add_middleware(BodyLimitMiddleware, limit_for=limit_for)
    app.add_middleware(RequestIdMiddleware)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _operation_id(route: APIRoute) -> str:
    """A short, stable operation id for generated clients: the route function's name (`create_need`)."""
    return route.name


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated schema plus the Problem component that every error response refers to."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (Problem, CatalogueDocument):
        model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(model_schema.pop("$defs", {}))
        components[model.__name__] = model_schema
    _declare_no_nul(schema)
    app.openapi_schema = schema
    return schema


NO_NUL = "^[^\\u0000]*$"


def _declare_no_nul(node: Any) -> None:
    """Say in the schema what the NUL middleware enforces: no free text holds U+0000 (strings
    with a pattern, format or fixed values exclude it already)."""
    if isinstance(node, dict):
        if node.get("type") == "string" and not {"pattern", "format", "enum", "const"} & node.keys():
            node["pattern"] = NO_NUL
        for value in node.values():
            _declare_no_nul(value)
    elif isinstance(node, list):
        for value in node:
            _declare_no_nul(value)


def app_from_env() -> FastAPI:
    """Factory for uvicorn (`--factory`), so that each worker builds its app from the environment."""
    return create_app()
