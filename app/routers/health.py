"""Liveness and readiness."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from app.routers.deps import app_state
from app.routers.problems import problem_response, problem_responses

router = APIRouter(tags=["health"])
log = logging.getLogger("fundmatch.health")


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """200 while the process lives. Answered on the event loop: it needs no thread, so a busy
    thread pool does not make a live process look dead."""
    return {"status": "ok"}


@router.get("/readyz", responses=problem_responses(503))
def readyz(request: Request) -> Any:
    """200 when the database answers, 503 otherwise."""
    try:
        with app_state(request).engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any driver error means "not ready"; the reason is logged, not shown
        log.warning("readiness check failed", exc_info=True)
        return problem_response(503, "The database does not answer.")
    return JSONResponse({"status": "ready"})
