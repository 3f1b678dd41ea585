"""Each worker's in-memory copy of the catalogue, kept in step with the database's version.

Workers share nothing but the database. A worker asks for the version at most every
`check_seconds`; when it differs, it reloads the catalogue, and everything derived from one version
(the match index, recent answers, the rendered export) lives and dies with its `CatalogueSnapshot`.
"""

from __future__ import annotations

import bisect
import gc
import json
import logging
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from app.matching import MatchIndex
from app.models import Programme
from app.services.catalogue import current_version, export_catalogue

log = logging.getLogger("fundmatch.snapshot")
ANSWERS_KEPT = 1024  # per worker and catalogue version


@dataclass
class CachedAnswer:
    """An answer of the engine as JSON-ready data, and its bytes for an unstored need (the same need
    asked again renders the same, so they are made once)."""

    answer: dict[str, Any]
    unstored_bytes: bytes | None = None


class AnswerCache:
    """Recent answers of one catalogue version, by the key of what shaped them (LRU)."""

    def __init__(self, size: int = ANSWERS_KEPT) -> None:
        self._size = size
        self._answers: OrderedDict[str, CachedAnswer] = OrderedDict()
        self._lock = threading.Lock()  # its own: a lookup never waits for an index build

    def get(self, key: str) -> CachedAnswer | None:
        with self._lock:
            entry = self._answers.get(key)
            if entry is not None:
                self._answers.move_to_end(key)
            return entry

    def put(self, key: str, entry: CachedAnswer) -> None:
        with self._lock:
            self._answers[key] = entry
            while len(self._answers) > self._size:
                self._answers.popitem(last=False)


@dataclass
class CatalogueSnapshot:
    """The catalogue at one version, with lookups by code and what is derived from it."""

    version: str
    document: dict[str, Any]
    by_code: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    answers: AnswerCache = field(default_factory=AnswerCache)
    _index: MatchIndex | None = None
    _index_lock: threading.Lock = field(default_factory=threading.Lock)
    _export: bytes | None = None
    _export_lock: threading.Lock = field(default_factory=threading.Lock)
    _call_moments: list[datetime] | None = None

    def __post_init__(self) -> None:
        for section, records in self.document.items():
            if isinstance(records, list):
                self.by_code[section] = {record["code"]: record for record in records}

    def section(self, name: str) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = self.document.get(name, [])
        return records

    @property
    def etag(self) -> str:
        return f'"{self.version}"'

    @classmethod
    def with_index(cls, version: str, document: dict[str, Any], index: MatchIndex) -> CatalogueSnapshot:
        """A snapshot whose index was built elsewhere (in a child process)."""
        snapshot = cls(version=version, document=document)
        snapshot._index = index
        return snapshot

    @property
    def has_index(self) -> bool:
        return self._index is not None

    def index(self, build: Callable[[dict[str, Any], str], MatchIndex]) -> MatchIndex:
        """The match index for this version, built once by `build(document, version)`."""
        if self._index is None:
            with self._index_lock:
                if self._index is None:
                    self._index = build(self.document, self.version)
                    _settle()
        return self._index

    def export_bytes(self) -> bytes:
        """The catalogue as a `fundmatch-catalogue/1` JSON document, rendered once per version."""
        if self._export is None:
            with self._export_lock:
                if self._export is None:
                    self._export = render_document(self.document)
        return self._export

    def call_epoch(self, now: datetime) -> int:
        """How many calls' opening or deadline moments have passed at `now`: call statuses (and so
        answers) change only when this does."""
        if self._call_moments is None:
            moments = [
                datetime.fromisoformat(call[key])
                for call in self.section("calls")
                for key in ("opens_at", "deadline_at")
                if call.get(key)
            ]
            self._call_moments = sorted(moments)
        return bisect.bisect_right(self._call_moments, now)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def render_document(document: dict[str, Any]) -> bytes:
    """`document` as compact JSON, the same bytes as one `json.dumps`, but record by record: one
    call over tens of megabytes would hold the GIL (and so every request of the worker) for a second."""
    parts = []
    for key, value in document.items():
        body = "[" + ",".join(_dumps(record) for record in value) + "]" if isinstance(value, list) else _dumps(value)
        parts.append(f"{_dumps(key)}:{body}")
    return ("{" + ",".join(parts) + "}").encode("utf-8")


def _settle() -> None:
    """Move what exists now (the catalogue, its index: millions of long-lived objects) out of the
    garbage collector's view; otherwise every full collection walks them all and stalls requests
    for a tenth of a second at 10,000 programmes. Frozen objects are still freed by reference
    counting when a version is replaced; only reference cycles among them would linger.

    Only the young generations are collected first: a full collection holds the GIL for as long
    (0.1 s at 10,000 programmes) and would stall every request of the worker during a rebuild;
    what a build leaves behind is young."""
    gc.collect(1)
    gc.freeze()


@contextmanager
def _sharing_the_gil(interval: float = 0.0005) -> Iterator[None]:
    """While a background thread builds (seconds of pure Python), hand the GIL over more often, so
    that a request's ranking waits a fraction of a millisecond for it instead of up to 5 ms at
    every switch. Process-wide; restored afterwards."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, interval))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def consistent_reads(engine: Engine) -> Engine:
    """`engine` for reading the version and the document from one snapshot of the database (on
    PostgreSQL under READ COMMITTED each statement sees the latest commit, so a refresh landing
    mid-read could mix two versions)."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="REPEATABLE READ")
    return engine


def read_catalogue(read_engine: Engine) -> tuple[str, dict[str, Any]]:
    """The catalogue's version and its document, which agree (read with `consistent_reads`)."""
    with Session(read_engine) as session:
        version = current_version(session)
        while True:  # the document and its version must agree: read again if an import landed between
            document = export_catalogue(session)
            session.rollback()  # end the read transaction, so the next read sees what landed since
            after = current_version(session)
            if after == version:
                return version, document
            version = after


def programme_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Programme)).one()


class SnapshotCache:
    """The worker's current snapshot. A new catalogue version is loaded and its index built in a
    background thread while the old snapshot keeps answering; it is published once it is ready.
    Only a worker with no usable snapshot yet (the first after start, or one whose index nobody
    has asked for) loads in the caller's thread."""

    def __init__(
        self,
        engine: Engine,
        check_seconds: float,
        prepare: Callable[[CatalogueSnapshot], object] | None = None,
        *,
        build_elsewhere: Callable[[], CatalogueSnapshot] | None = None,
        elsewhere_over_programmes: int = 0,
    ) -> None:
        self._engine = engine
        self._read_engine = consistent_reads(engine)
        self._check_seconds = check_seconds
        self._prepare = prepare
        # A large catalogue's rebuild (seconds of Python holding the GIL) goes to another process
        self._build_elsewhere = build_elsewhere
        self._elsewhere_over = elsewhere_over_programmes
        self._snapshot: CatalogueSnapshot | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self._building: threading.Thread | None = None

    def fresh(self) -> CatalogueSnapshot | None:
        """The snapshot while it needs no version check yet, else None (no I/O)."""
        snapshot = self._snapshot
        if snapshot is not None and time.monotonic() - self._checked_at < self._check_seconds:
            return snapshot
        return None

    def get(self) -> CatalogueSnapshot:
        """The current snapshot, after a version check on a short-lived session when one is due."""
        snapshot = self.fresh()
        if snapshot is not None:
            return snapshot
        with self._lock:
            current = self._snapshot
            with Session(self._engine) as session:
                version = current_version(session)
            self._checked_at = time.monotonic()
            if current is not None and current.version == version:
                return current
            if current is None or not current.has_index or self._prepare is None:
                self._snapshot = self._load()
                return self._snapshot
            if self._building is None or not self._building.is_alive():
                self._building = threading.Thread(target=self._rebuild, name="catalogue-rebuild", daemon=True)
                self._building.start()
            return current

    def _rebuild(self) -> None:
        try:
            if self._build_elsewhere is not None and programme_count(self._engine) > self._elsewhere_over:
                snapshot = self._build_elsewhere()
            else:
                with _sharing_the_gil():
                    snapshot = self._load()
                    if self._prepare is not None:
                        self._prepare(snapshot)
        except Exception:  # the old snapshot keeps answering; the next check tries again
            log.exception("catalogue rebuild failed")
            return
        with self._lock:
            self._snapshot = snapshot
            self._checked_at = 0.0  # the version may have moved on while this one was built
        log.info("catalogue snapshot ready", extra={"catalogue_version": snapshot.version})

    def _load(self) -> CatalogueSnapshot:
        version, document = read_catalogue(self._read_engine)
        snapshot = CatalogueSnapshot(version=version, document=document)
        _settle()
        return snapshot

    def wait_for_rebuild(self, timeout: float | None = None) -> None:
        """Block until a background rebuild in progress has published its snapshot (tests, tools)."""
        building = self._building
        if building is not None:
            building.join(timeout)

    def invalidate(self) -> None:
        self._checked_at = 0.0
