"""Catalogue writes (import, replace) and the export that reads it all back.

An import is one transaction: it validates the whole document, writes every section, and bumps the
catalogue version only when the content changed, so re-importing the same document changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import ValidationError
from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel, select

from app.catalogue.checks import KnownCodes, check_document
from app.catalogue.document import FORMAT, SECTIONS, CatalogueDocument, record_json
from app.errors import InvalidInput, validation_errors
from app.jobs.queue import enqueue
from app.models import CatalogueCall, CatalogueState, CountryGroup, Funder, Pillar, Programme, StrategyGoal, Theme
from app.models.base import utcnow
from app.services import audit

ImportMode = Literal["merge", "replace"]
ALERTS_JOB = "alerts.catalogue"  # the alert pass of a new version (services/alerts.py)
# The catalogue's writers (API, CLI, child processes, refreshes) have no app clock: a job due
# since the epoch runs at the next tick of any worker, whatever its clock says.
AT_ONCE = datetime(1970, 1, 1, tzinfo=UTC)

TABLES: dict[str, type[SQLModel]] = {
    "pillars": Pillar,
    "themes": Theme,
    "strategy_goals": StrategyGoal,
    "funders": Funder,
    "country_groups": CountryGroup,
    "programmes": Programme,
    "calls": CatalogueCall,
}


@dataclass
class ImportResult:
    version: str
    changed: bool
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)


def parse_document(raw: Any) -> CatalogueDocument:
    """Validate a document; every bad field or record is named by its `loc`."""
    try:
        doc = CatalogueDocument.model_validate(raw)
    except ValidationError as exc:
        errors = validation_errors(exc.errors(include_url=False, include_input=False))
        raise InvalidInput(f"The catalogue document has {len(errors)} problem(s).", errors=errors) from exc
    return doc


def import_catalogue(
    session: Session, raw: Any, mode: ImportMode, actor: audit.Actor, *, request_id: str | None = None
) -> ImportResult:
    """Import a document as one transaction: all of it lands or none of it."""
    result = apply_document(session, raw, mode)
    audit.record(session, actor, "catalogue.import", f"catalogue/{result.version}", None, request_id=request_id)
    session.commit()
    return result


def apply_document(session: Session, raw: Any, mode: ImportMode = "merge") -> ImportResult:
    """Write a document into the caller's transaction (not committed), bumping the version if the
    content changed."""
    doc = parse_document(raw)
    state = _lock_state(session)
    known = KnownCodes() if mode == "replace" else _stored_codes(session)
    problems = check_document(doc, known)
    if problems:
        raise InvalidInput(f"The catalogue document has {len(problems)} problem(s).", errors=problems)

    result = ImportResult(version=state.version, changed=False)
    for section in SECTIONS:
        created, updated = _upsert(session, TABLES[section], getattr(doc, section))
        result.created[section], result.updated[section] = created, updated
    session.flush()
    if mode == "replace":
        for section in reversed(SECTIONS):
            keep = {record.code for record in getattr(doc, section)}
            result.removed[section] = _remove_absent(session, TABLES[section], keep)
        session.flush()

    new_hash = content_hash(export_catalogue(session))
    if new_hash != state.content_hash:
        state.revision += 1
        state.content_hash = new_hash
        state.updated_at = utcnow()
        session.add(state)
        result.changed = True
        session.flush()
        enqueue(session, ALERTS_JOB, {"version": state.version}, key=f"{ALERTS_JOB}:{state.version}", run_at=AT_ONCE)
    result.version = state.version
    return result


def export_catalogue(session: Session) -> dict[str, Any]:
    """The whole catalogue as a `fundmatch-catalogue/1` document, each section ordered by code.

    Read as plain rows, not ORM objects: at 100,000 programmes the objects and their identity map
    cost more than the document, and the heap they leave behind stays with the worker. Repeated
    strings (keys, codes, language tags) are shared, since every worker keeps the document.
    """
    doc: dict[str, Any] = {"format": FORMAT}
    for section in SECTIONS:
        table = TABLES[section].__table__  # type: ignore[attr-defined]
        result = session.execute(sa_select(table).order_by(table.c.code)).mappings()
        doc[section] = [_shared({k: v for k, v in row.items() if v is not None}) for row in result]
    return doc


_SHARED_UP_TO = 40  # characters: codes, tags, dates, short names; not descriptions


def _shared(value: Any) -> Any:
    """`value` with its dict keys and short strings interned (one object per distinct string)."""
    if isinstance(value, str):
        return sys.intern(value) if len(value) <= _SHARED_UP_TO else value
    if isinstance(value, dict):
        return {sys.intern(k): _shared(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shared(v) for v in value]
    return value


def content_hash(doc: dict[str, Any]) -> str:
    canonical = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def get_state(session: Session) -> CatalogueState:
    state = session.get(CatalogueState, 1)
    if state is None:
        state = CatalogueState(id=1)
        session.add(state)
        session.flush()
    return state


def current_version(session: Session) -> str:
    state = session.get(CatalogueState, 1)
    return state.version if state else CatalogueState().version


def _lock_state(session: Session) -> CatalogueState:
    """The version row, locked for the transaction so that concurrent imports queue up."""
    state = session.exec(select(CatalogueState).where(CatalogueState.id == 1).with_for_update()).first()
    return state if state is not None else get_state(session)


def _stored_codes(session: Session) -> KnownCodes:
    codes: dict[str, frozenset[str]] = {}
    for section in ("pillars", "themes", "strategy_goals", "funders", "country_groups", "programmes"):
        model = TABLES[section]
        codes[section] = frozenset(session.exec(select(model.code)).all())  # type: ignore[attr-defined]
    return KnownCodes(**codes)


def _upsert(session: Session, model: type[SQLModel], records: list[Any]) -> tuple[int, int]:
    existing = {row.code: row for row in session.exec(select(model)).all()}  # type: ignore[attr-defined]
    columns = [name for name in model.model_fields if name != "code"]
    created = updated = 0
    for record in records:
        values = record_json(record)
        row = existing.get(record.code)
        if row is None:
            session.add(model(**values))
            created += 1
            continue
        changed = False
        for column in columns:
            new = values.get(column)
            if getattr(row, column) != new:
                setattr(row, column, new)
                changed = True
        if changed:
            session.add(row)
            updated += 1
    return created, updated


def _remove_absent(session: Session, model: type[SQLModel], keep: set[str]) -> int:
    removed = 0
    for row in session.exec(select(model)).all():
        if row.code not in keep:  # type: ignore[attr-defined]
            session.delete(row)
            removed += 1
    return removed
