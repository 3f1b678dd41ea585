"""Backups and restores of everything the service holds: the use cases of `fundmatch backup` and
`fundmatch restore`.

A backup reads every table of the model metadata (so new tables are included without a change
here) in dependency order, inside one read transaction: PostgreSQL REPEATABLE READ READ ONLY, SQLite
one read transaction in WAL mode. Writers carry on meanwhile; the archive shows a single moment.
Left out: `lease` (named locks of running processes, meaningless in another database).

A restore proves the whole archive first (format, counts, checksums), refuses a database that holds
data, brings the empty database to the archive's schema revision, inserts every table in one
transaction, moves PostgreSQL's id sequences past the restored ids, then migrates to the newest
revision, so that an archive of an older fundmatch is carried forward by the migrations themselves.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import IO, Any

from sqlalchemy import JSON, Connection, DateTime, Engine, MetaData, Table, func, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app import __version__, migrations
from app.models import metadata
from app.models.base import AwareDateTime
from app.services import audit
from app.services.backup_archive import (
    ArchiveReader,
    BackupError,
    ColumnSpec,
    Manifest,
    TableWriter,
    kind_of,
    write_archive,
)

__all__ = ["EXCLUDED", "BackupError", "Outcome", "Progress", "create_backup", "restore_backup"]

EXCLUDED = ("lease",)
# Rows a fresh migration writes (the catalogue's version counter): the archive's rows replace them.
SEEDED = ("catalogue_state",)
BATCH = 1000

# Called as rows go by: (table, rows done so far, rows in all), and once when a table is complete.
Progress = Callable[[str, int, int], None]


def _quiet(_table: str, _done: int, _total: int) -> None:
    return None


@dataclass(frozen=True)
class Outcome:
    manifest: Manifest
    seconds: float


def create_backup(engine: Engine, path: Path, progress: Progress = _quiet) -> Outcome:
    """Write an archive of the database to `path` (replacing a file of that name)."""
    started = time.monotonic()
    tables = [t for t in metadata.sorted_tables if t.name not in EXCLUDED]
    with ExitStack() as spools_open:
        spools: list[IO[bytes]] = []
        specs = []
        with _connected(), _snapshot(engine) as conn:
            revision = _revision_of(conn)
            counts = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables}
            total, done = sum(counts.values()), 0
            for index, table in enumerate(tables, start=1):
                spool = spools_open.enter_context(tempfile.TemporaryFile())
                columns = [ColumnSpec(name=c.name, kind=kind_of(c.type)) for c in table.columns]
                writer = TableWriter(index, table.name, columns, spool)
                query = select(table).order_by(*table.primary_key.columns)
                for row in conn.execution_options(yield_per=BATCH).execute(query):
                    writer.write(tuple(row))
                    done += 1
                    if done % BATCH == 0:
                        progress(table.name, done, total)
                spec = writer.finish()
                if spec.rows != counts[table.name]:  # cannot happen inside one snapshot: a guard, not a path
                    raise BackupError(f"table {table.name} changed while it was read: the snapshot is not consistent")
                specs.append(spec)
                spools.append(spool)
                progress(table.name, done, total)
        manifest = Manifest(
            format="fundmatch-backup/1",
            created_at=datetime.now(UTC),
            revision=revision,
            source=engine.dialect.name,
            fundmatch_version=__version__,
            tables=specs,
            excluded=list(EXCLUDED),
        )
        write_archive(path, manifest, spools)
    return Outcome(manifest, time.monotonic() - started)


@contextmanager
def _connected() -> Iterator[None]:
    try:
        yield
    except SQLAlchemyError as exc:
        raise BackupError(f"cannot read the database: {_reason(exc)}") from exc


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One read transaction that sees a single moment and never blocks a writer."""
    if engine.dialect.name == "postgresql":
        options: dict[str, Any] = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        with engine.connect().execution_options(**options) as conn, conn.begin():
            yield conn
        return
    with engine.connect() as conn:
        # pysqlite opens no transaction for reads, so each SELECT would see its own moment: BEGIN
        # makes them one read transaction; in WAL mode it lets writers commit meanwhile.
        conn.exec_driver_sql("BEGIN")
        try:
            yield conn
        finally:
            conn.rollback()


def _revision_of(conn: Connection) -> str:
    revision = migrations.current(conn)
    head = migrations.head()
    if revision is None:
        raise BackupError("the database has no fundmatch schema: nothing to back up")
    if revision != head:
        raise BackupError(f"the database is at schema revision {revision}, not {head}: run `fundmatch migrate` first")
    return revision


def restore_backup(engine: Engine, database_url: str, path: Path, progress: Progress = _quiet) -> Outcome:
    """Load an archive into an empty database; refuse (changing nothing) a damaged or unknown
    archive, one newer than this code, and a database that holds data."""
    started = time.monotonic()
    reader = ArchiveReader(path)
    manifest = reader.manifest
    head = migrations.head()
    if not migrations.is_known(manifest.revision):
        raise BackupError(
            f"{path} was written at schema revision {manifest.revision}, newer than this fundmatch knows "
            f"(its newest is {head}): restore it with the fundmatch version that wrote it, or a newer one"
        )
    reader.check()
    try:
        with engine.connect() as conn:
            _refuse_data(conn)
            now_at = migrations.current(conn)
    except SQLAlchemyError as exc:
        raise BackupError(f"cannot read the database: {_reason(exc)}") from exc
    migrations.move_to(database_url, manifest.revision, now_at)
    try:
        with engine.begin() as conn:
            _load(conn, reader, progress)
            if manifest.revision == head:
                _record(conn)
    except SQLAlchemyError as exc:  # the commit, or the sequences: the inserts name their table
        raise BackupError(f"the restore failed and wrote no rows: {_reason(exc)}") from exc
    if manifest.revision != head:
        migrations.upgrade(database_url)
        with engine.begin() as conn:
            _record(conn)
    return Outcome(manifest, time.monotonic() - started)


def _refuse_data(conn: Connection) -> None:
    for name in inspect(conn).get_table_names():
        if name == "alembic_version" or name in SEEDED:
            continue
        table = Table(name, MetaData())
        if conn.execute(select(text("1")).select_from(table).limit(1)).first() is not None:
            raise BackupError(
                f"the database holds data (table {name} has rows): restore only into an empty database "
                "(a new SQLite file, or a new PostgreSQL database)"
            )


def _load(conn: Connection, reader: ArchiveReader, progress: Progress) -> None:
    tables = _tables_at_current_revision(conn)
    for name in SEEDED:
        if name in tables:
            conn.execute(tables[name].delete())
    _refuse_data(conn)  # again inside the transaction, for a writer that came in meanwhile
    total, done = reader.manifest.total_rows, 0
    for spec, rows in reader.rows():
        table = tables.get(spec.name)
        if table is None:
            raise BackupError(
                f"table {spec.name} of the archive is not in the schema at revision {reader.manifest.revision}"
            )
        unknown = [c.name for c in spec.columns if c.name not in table.c]
        if unknown:
            raise BackupError(f"columns {', '.join(unknown)} of table {spec.name} are not in the schema")
        while batch := list(islice(rows, BATCH)):
            if conn.dialect.name == "postgresql":
                _refuse_nul(spec.name, table, batch)
            try:
                conn.execute(table.insert(), batch)
            except SQLAlchemyError as exc:
                raise BackupError(f"the restore failed in table {spec.name} and wrote no rows: {_reason(exc)}") from exc
            done += len(batch)
            progress(spec.name, done, total)
        progress(spec.name, done, total)
    _continue_sequences(conn, tables)


def _refuse_nul(name: str, table: Table, batch: list[dict[str, Any]]) -> None:
    """PostgreSQL text cannot hold NUL, which a SQLite database written before the API refused it
    may; name the record rather than fail somewhere in a batch of a thousand."""
    keys = [c.name for c in table.primary_key.columns]
    for row in batch:
        for column, value in row.items():
            if isinstance(value, str) and "\x00" in value:
                where = ", ".join(f"{k}={row.get(k)!r}" for k in keys)
                raise BackupError(
                    f"table {name}, record {where}: column {column} holds a NUL character, which PostgreSQL "
                    "cannot store; remove it in the source database and take the backup again. No rows were written"
                )


def _tables_at_current_revision(conn: Connection) -> dict[str, Table]:
    """The database's own tables (the archive's revision may be older than the models), with the
    house's column types where they matter: UTC datetimes and JSON whose None is SQL NULL."""
    reflected = MetaData()
    reflected.reflect(conn)
    for table in reflected.tables.values():
        for column in table.columns:
            if isinstance(column.type, JSON):
                column.type = JSON(none_as_null=True)
            elif isinstance(column.type, DateTime):
                column.type = AwareDateTime()
    return dict(reflected.tables)


def _continue_sequences(conn: Connection, tables: dict[str, Table]) -> None:
    """PostgreSQL: make new ids follow the restored ones (SQLite takes the largest id + 1 itself)."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables.values():
        keys = list(table.primary_key.columns)
        if len(keys) != 1:
            continue
        sequence = conn.execute(
            text("SELECT pg_get_serial_sequence(:table, :column)"), {"table": table.name, "column": keys[0].name}
        ).scalar()
        if sequence is None:
            continue
        largest = select(func.max(keys[0])).scalar_subquery()
        conn.execute(select(func.setval(sequence, func.coalesce(largest, 0) + 1, False)))


def _record(conn: Connection) -> None:
    """The audit log's own record of the restore, after the restored records."""
    session = Session(bind=conn)
    audit.record(session, audit.CLI, "backup.restore", "backup", None)
    session.flush()
    session.close()


def _reason(exc: SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None)
    return str(original if original is not None else exc).strip().splitlines()[0]
