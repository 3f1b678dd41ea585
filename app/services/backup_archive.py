"""The backup archive, format `fundmatch-backup/1`: a gzip'ed tar that `tar tzf` can list.

- `manifest.json` first: the format, when and from which schema revision (Alembic) it was taken,
  and per table its columns with their kinds, its row count and the SHA-256 of its data file.
- `tables/NN-<table>.jsonl`, one per table in dependency order (parents before children): one JSON
  array per row, values in the manifest's column order.

Values are JSON with explicit kinds, so that any database can read them back: `datetime` is ISO
8601 with its offset, `date` ISO 8601, `json` the document itself, `bytes` base64, `decimal` a
string; numbers, strings and booleans as they are. Columns are named, so a later schema can map
them; the revision says which migrations must run over the rows to reach the current schema.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import tarfile
import zlib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, LargeBinary, Numeric
from sqlalchemy.types import TypeDecorator, TypeEngine

FORMAT = "fundmatch-backup/1"
MANIFEST = "manifest.json"

Kind = Literal["text", "integer", "float", "decimal", "boolean", "date", "datetime", "json", "bytes"]


class BackupError(Exception):
    """An archive that cannot be written or read, or a database that cannot take it."""


class ColumnSpec(BaseModel):
    name: str
    kind: Kind


class TableSpec(BaseModel):
    name: str
    file: str
    columns: list[ColumnSpec]
    rows: int
    sha256: str


class Manifest(BaseModel):
    format: str
    created_at: datetime
    revision: str
    source: str
    fundmatch_version: str
    tables: list[TableSpec]
    excluded: list[str]

    @property
    def total_rows(self) -> int:
        return sum(t.rows for t in self.tables)


def kind_of(type_: TypeEngine[Any]) -> Kind:
    """The archive kind of a column type (a TypeDecorator counts as the type it stores)."""
    while isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    for cls, kind in _KINDS:
        if isinstance(type_, cls):
            return kind
    return "text"


_KINDS: tuple[tuple[type[TypeEngine[Any]], Kind], ...] = (
    (JSON, "json"),
    (DateTime, "datetime"),
    (Date, "date"),
    (Boolean, "boolean"),
    (Integer, "integer"),
    (Float, "float"),  # before Numeric: Float is a Numeric
    (Numeric, "decimal"),
    (LargeBinary, "bytes"),
)


def encode(value: Any, kind: Kind) -> Any:
    if value is None:
        return None
    if kind == "datetime" or kind == "date":
        return value.isoformat()
    if kind == "bytes":
        return base64.b64encode(value).decode("ascii")
    if kind == "decimal":
        return str(value)
    return value


def decode(value: Any, kind: Kind) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        moment = datetime.fromisoformat(value)
        # the house stores UTC everywhere; a value without an offset can only be UTC
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "bytes":
        return base64.b64decode(value)
    if kind == "decimal":
        return Decimal(value)
    return value


class TableWriter:
    """The data file of one table, spooled to a temporary file while the snapshot is read."""

    def __init__(self, index: int, name: str, columns: list[ColumnSpec], spool: IO[bytes]) -> None:
        self.spec = TableSpec(name=name, file=f"tables/{index:02d}-{name}.jsonl", columns=columns, rows=0, sha256="")
        self._spool = spool
        self._hash = hashlib.sha256()
        self._kinds = [c.kind for c in columns]

    def write(self, row: tuple[Any, ...] | list[Any]) -> None:
        values = [encode(v, k) for v, k in zip(row, self._kinds, strict=True)]
        line = (json.dumps(values, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        self._spool.write(line)
        self._hash.update(line)
        self.spec.rows += 1

    def finish(self) -> TableSpec:
        self.spec.sha256 = self._hash.hexdigest()
        return self.spec


def write_archive(path: Path, manifest: Manifest, spools: list[IO[bytes]]) -> None:
    """Write the archive to `path.part` (owner-readable only: it holds key hashes and needs), then
    move it into place, so that a half-written archive never carries the final name."""
    partial = path.with_name(path.name + ".part")
    partial.unlink(missing_ok=True)
    partial.touch(mode=0o600)
    try:
        with gzip.open(partial, "wb", compresslevel=6) as gz, tarfile.open(fileobj=gz, mode="w") as tar:
            _add(tar, MANIFEST, io.BytesIO(manifest.model_dump_json(indent=2).encode("utf-8")))
            for spec, spool in zip(manifest.tables, spools, strict=True):
                spool.seek(0)
                _add(tar, spec.file, spool)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def _add(tar: tarfile.TarFile, name: str, data: IO[bytes]) -> None:
    info = tarfile.TarInfo(name)
    data.seek(0, io.SEEK_END)
    info.size = data.tell()
    data.seek(0)
    info.mode = 0o600
    tar.addfile(info, data)


class ArchiveReader:
    """Reads an archive written by `write_archive`; `check()` reads it whole once and proves every
    table's count and checksum before anything is written to a database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.manifest = self._read_manifest()

    def _open(self) -> tarfile.TarFile:
        try:
            return tarfile.open(self.path, mode="r:gz")
        except FileNotFoundError as exc:
            raise BackupError(f"{self.path}: no such file") from exc
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"{self.path} is not a fundmatch backup (not a gzip'ed tar archive: {exc})") from exc

    def _read_manifest(self) -> Manifest:
        with self._open() as tar:
            try:
                member = tar.next()
                if member is None or member.name != MANIFEST:
                    raise BackupError(f"{self.path} is not a fundmatch backup (no {MANIFEST} at its start)")
                stream = tar.extractfile(member)
                raw = json.loads(stream.read() if stream else b"")
            except (tarfile.TarError, OSError, EOFError, ValueError, zlib.error) as exc:
                raise BackupError(f"{self.path}: the manifest cannot be read ({exc})") from exc
        found = raw.get("format") if isinstance(raw, dict) else None
        if found != FORMAT:
            if isinstance(found, str) and found.startswith("fundmatch-backup/"):
                raise BackupError(
                    f"{self.path} is in format {found}, which this fundmatch cannot read (it reads {FORMAT}): "
                    "restore it with the fundmatch version that wrote it, or a newer one"
                )
            raise BackupError(f"{self.path} is not a fundmatch backup (format {found!r}, expected {FORMAT})")
        try:
            return Manifest.model_validate(raw)
        except ValidationError as exc:
            raise BackupError(f"{self.path}: the manifest is damaged ({exc.error_count()} problem(s))") from exc

    def check(self) -> None:
        for _table in self._tables(decode_rows=False):
            pass

    def rows(self) -> Iterator[tuple[TableSpec, Iterator[dict[str, Any]]]]:
        """Each table with an iterator of its rows as {column: value}; every table was `check`ed first."""
        yield from self._tables(decode_rows=True)

    def _tables(self, decode_rows: bool) -> Iterator[tuple[TableSpec, Iterator[dict[str, Any]]]]:
        expected = {spec.file: spec for spec in self.manifest.tables}
        seen: list[str] = []
        with self._open() as tar:
            try:
                for member in tar:
                    if member.name == MANIFEST:
                        continue
                    spec = expected.get(member.name)
                    stream = tar.extractfile(member) if spec is not None else None
                    if spec is None or stream is None:
                        raise BackupError(f"{self.path}: unexpected member {member.name}")
                    seen.append(member.name)
                    if decode_rows:
                        yield spec, _decoded(spec, stream)
                    else:
                        _verify(self.path, spec, stream)
                        yield spec, iter(())
            except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
                raise BackupError(f"{self.path} is damaged ({exc})") from exc
        missing = [f for f in expected if f not in seen]
        if missing:
            raise BackupError(f"{self.path} is incomplete: {', '.join(missing)} missing")


def _verify(path: Path, spec: TableSpec, stream: IO[bytes]) -> None:
    digest = hashlib.sha256()
    rows = 0
    for line in stream:
        digest.update(line)
        rows += 1
    if rows != spec.rows or digest.hexdigest() != spec.sha256:
        raise BackupError(
            f"{path} is damaged: table {spec.name} has {rows} rows and checksum {digest.hexdigest()[:12]}…, "
            f"the manifest says {spec.rows} rows and {spec.sha256[:12]}…"
        )


def _decoded(spec: TableSpec, stream: IO[bytes]) -> Iterator[dict[str, Any]]:
    names = [c.name for c in spec.columns]
    kinds = [c.kind for c in spec.columns]
    for line in stream:
        values = json.loads(line)
        yield {n: decode(v, k) for n, v, k in zip(names, values, kinds, strict=True)}
