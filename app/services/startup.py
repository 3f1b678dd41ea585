"""What a fresh process does before it serves: bootstrap the admin key, load the default catalogue."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine
from sqlmodel import select

from app.catalogue.bundled import read_document
from app.db import unit_of_work
from app.matching import Lexicon
from app.models import Programme
from app.services import audit
from app.services.catalogue import import_catalogue
from app.services.keys import bootstrap_admin, ensure_admin_organisation
from app.services.snapshot import SnapshotCache
from app.services.suggestions import index_for
from app.settings import Settings

log = logging.getLogger("fundmatch.startup")


def prepare(engine: Engine, settings: Settings) -> None:
    """Idempotent: safe in every worker and on every start. Each step is a use case of its own."""
    token = settings.bootstrap_admin_token.get_secret_value() if settings.bootstrap_admin_token else ""
    if token:
        with unit_of_work(engine) as session:
            ensure_admin_organisation(session)
        with unit_of_work(engine) as session:
            if bootstrap_admin(session, token):
                log.info("created the bootstrap admin key")
    if settings.load_default_catalogue:
        with unit_of_work(engine) as session:
            if session.exec(select(Programme.code).limit(1)).first() is None:
                result = import_catalogue(session, read_document(settings.catalogue_dir), "merge", audit.STARTUP)
                log.info("loaded the bundled catalogue", extra={"catalogue_version": result.version})


def start_warm_up(snapshots: SnapshotCache, lexicon: Lexicon) -> threading.Thread:
    """Build the current catalogue's match index in a background thread, so that the first match
    after a start does not wait for it (seconds at 10,000 programmes)."""

    def warm() -> None:
        try:
            index_for(snapshots.get(), lexicon)
        except Exception:  # a failed warm-up only means the first match builds the index
            log.warning("index warm-up failed", exc_info=True)
        else:
            log.info("match index ready")

    thread = threading.Thread(target=warm, name="index-warm-up", daemon=True)
    thread.start()
    return thread
