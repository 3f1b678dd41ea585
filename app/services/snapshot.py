"""Each worker's in-memory copy of the catalogue, kept in step with the database's version.

Workers share nothing but the database. A worker asks for the version at most every
`check_seconds`; when it differs, it reloads the catalogue and (lazily) rebuilds the match index,
so a catalogue import on one worker reaches every worker without a restart.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlmodel import Session

from app.services.catalogue import current_version, export_catalogue

T = TypeVar("T")


@dataclass
class CatalogueSnapshot:
    """The catalogue at one version, with lookups by code; read-only once built."""

    version: str
    document: dict[str, Any]
    by_code: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    _index: Any = None
    _index_lock: threading.Lock = field(default_factory=threading.Lock)
    _extras: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for section, records in self.document.items():
            if isinstance(records, list):
                self.by_code[section] = {record["code"]: record for record in records}

    def section(self, name: str) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = self.document.get(name, [])
        return records

    def index(self, build: Callable[[dict[str, Any], str], Any]) -> Any:
        """The match index for this version, built once by `build(document, version)`."""
        if self._index is None:
            with self._index_lock:
                if self._index is None:
                    self._index = build(self.document, self.version)
                    _settle()
        return self._index

    def companion(self, name: str, make: Callable[[], T]) -> T:
        """A per-version companion object (e.g. an answer cache), made on first use."""
        with self._index_lock:
            if name not in self._extras:
                self._extras[name] = make()
            value: T = self._extras[name]
            return value


def _settle() -> None:
    """Move what exists now (the catalogue, its index: millions of long-lived objects) out of the
    garbage collector's view; otherwise every full collection walks them all and stalls requests
    for a tenth of a second at 10,000 programmes. Frozen objects are still freed by reference
    counting when a version is replaced; only reference cycles among them would linger."""
    gc.collect()
    gc.freeze()


class SnapshotCache:
    def __init__(self, engine: Engine, check_seconds: float) -> None:
        self._engine = engine
        self._check_seconds = check_seconds
        self._snapshot: CatalogueSnapshot | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def fresh(self) -> CatalogueSnapshot | None:
        """The snapshot while it needs no version check yet, else None (no I/O)."""
        snapshot = self._snapshot
        if snapshot is not None and time.monotonic() - self._checked_at < self._check_seconds:
            return snapshot
        return None

    def get(self) -> CatalogueSnapshot:
        """The current snapshot, after a version check on a short-lived session when one is due."""
        now = time.monotonic()
        snapshot = self._snapshot
        if snapshot is not None and now - self._checked_at < self._check_seconds:
            return snapshot
        with self._lock, Session(self._engine) as session:
            snapshot = self._refresh(session)
            self._checked_at = time.monotonic()
            return snapshot

    def _refresh(self, session: Session) -> CatalogueSnapshot:
        version = current_version(session)
        if self._snapshot is None or self._snapshot.version != version:
            document = export_catalogue(session)
            version = current_version(session)
            self._snapshot = CatalogueSnapshot(version=version, document=document)
            _settle()
        return self._snapshot

    def invalidate(self) -> None:
        self._checked_at = 0.0
