"""A catalogue import from a JSON body: in this process, or in a child process for large documents.

Parsing and validating tens of megabytes are long C calls (`json.loads`, pydantic-core, the content
hash) that hold the GIL for up to a second each; in the server's own process they would stall its
event loop, and so every other request, however many threads the import runs on. A child process
has a GIL of its own. It writes through its own engine in one transaction, exactly as
`import_catalogue` does in-process, and sends back the result or the problem.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.db import make_engine, unit_of_work
from app.errors import AppError
from app.jsonbody import parse_json
from app.request_context import current_request_id
from app.services.audit import Actor
from app.services.catalogue import ImportMode, ImportResult, import_catalogue


@dataclass(frozen=True)
class _Failure:
    """An AppError, carried across the process boundary as plain data."""

    kind: type[AppError]
    detail: str
    errors: list[dict[str, Any]] | None


def _import_in_child(
    database_url: str, raw: bytes, mode: ImportMode, actor: Actor, request_id: str | None
) -> ImportResult | _Failure:
    os.nice(10)  # the server's requests come first; an import may take a little longer
    engine = make_engine(database_url)
    try:
        with unit_of_work(engine) as session:
            return import_catalogue(session, parse_json(raw), mode, actor, request_id=request_id)
    except AppError as exc:
        return _Failure(type(exc), exc.detail, exc.errors)
    finally:
        engine.dispose()


def import_bytes_in_child(database_url: str, raw: bytes, mode: ImportMode, actor: Actor) -> ImportResult:
    """Import a JSON document in a fresh child process; raises the child's AppError here."""
    # spawn, not fork: the server has threads, and a forked child would inherit their locks
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        outcome = pool.submit(_import_in_child, database_url, raw, mode, actor, current_request_id.get()).result()
    if isinstance(outcome, _Failure):
        raise outcome.kind(outcome.detail, errors=outcome.errors)
    return outcome


def import_json_body(
    session: Session, raw: bytes, mode: ImportMode, actor: Actor, *, database_url: str, child_over_bytes: int
) -> ImportResult:
    """Import a JSON body: in the caller's unit of work, or in a child process when it is larger
    than `child_over_bytes`."""
    if len(raw) > child_over_bytes:
        return import_bytes_in_child(database_url, raw, mode, actor)
    return import_catalogue(session, parse_json(raw), mode, actor)
