"""A new catalogue version's snapshot, loaded and indexed in a child process.

Building the match index of a large catalogue is seconds of Python, and reading the catalogue
another second or two; on a thread of the server they share its GIL with every request, which then
waits its turn (at 10,000 programmes, p99 rose fourfold during a rebuild). A child process has a
GIL of its own and runs at a lower priority. It hands the snapshot back as a pickle in a temporary
file, which the server reads a frame at a time: each read is a point where a request may take the
GIL, so no single step holds it for long.
"""

from __future__ import annotations

import gc
import io
import multiprocessing
import os
import pickle
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.db import make_engine
from app.matching import build_index, catalogue_from_document, load_lexicon
from app.services.snapshot import CatalogueSnapshot, consistent_reads, read_catalogue


def _build_in_child(database_url: str, lexicon_dir: Path, folder: str | None) -> str:
    """Read the catalogue, build its index and write both to a temporary file; returns its path."""
    os.nice(10)  # the server's requests come first; the new version may take a little longer
    engine = make_engine(database_url)
    try:
        version, document = read_catalogue(consistent_reads(engine))
    finally:
        engine.dispose()
    index = build_index(catalogue_from_document(document, version), load_lexicon(lexicon_dir))
    with tempfile.NamedTemporaryFile("wb", prefix="fundmatch-snapshot-", dir=folder, delete=False) as file:
        try:
            pickle.dump((version, document, index), file, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            Path(file.name).unlink()
            raise
    return file.name


class _FrameByFrame(io.RawIOBase):
    """A file whose reads are Python calls: the unpickler reads a frame (64 KiB) at a time, and
    between two frames the interpreter may hand the GIL to a request."""

    def __init__(self, file: io.BufferedReader) -> None:
        super().__init__()
        self._file = file

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._file.readinto(buffer)

    def read(self, size: int | None = -1) -> bytes:
        return self._file.read(size)

    def readline(self, size: int | None = -1) -> bytes:
        return self._file.readline(size)


@contextmanager
def _no_collections() -> Iterator[None]:
    """No garbage collection while millions of objects arrive: each collection of the young
    generation would walk them all (tenths of a second with the GIL held). They are frozen right
    after (as `snapshot._settle` does), so no later collection walks them either; what other
    threads left as cyclic garbage meanwhile is frozen too, a small cost once per version."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def read_snapshot(path: Path) -> CatalogueSnapshot:
    # the file is our own child's, made private (0600) by `NamedTemporaryFile`: no foreign pickle
    with path.open("rb") as file, _no_collections():
        version, document, index = pickle.load(_FrameByFrame(file))  # noqa: S301
        return CatalogueSnapshot.with_index(version, document, index)


@dataclass(frozen=True)
class ChildBuilder:
    """Builds the database's current catalogue version in a fresh child process (spawned: the
    server has threads, and a forked child would inherit their locks)."""

    database_url: str
    lexicon_dir: Path
    folder: str | None = None  # for the temporary file; None: the system's

    def __call__(self) -> CatalogueSnapshot:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            path = Path(pool.submit(_build_in_child, self.database_url, self.lexicon_dir, self.folder).result())
        try:
            return read_snapshot(path)
        finally:
            path.unlink()
