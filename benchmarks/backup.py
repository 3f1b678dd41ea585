"""Backup and restore of a full database: a 10,000-programme synthetic catalogue, 1,000 needs and
10,000 applications with their status history, plus an audit record per need and application.

Prints the time of `backup` (the archive of a SQLite database), `restore` of that archive into a
new SQLite file and, with --postgresql, `restore` into a new PostgreSQL database and `backup` of
that one. Goal: each under 60 s. The rows are written at the model level into a temporary SQLite
database; PostgreSQL databases are created on the given server and dropped afterwards. Usage:
    python benchmarks/backup.py [--programmes 10000] [--needs 1000] [--applications 10000]
                                [--postgresql postgresql+psycopg://postgres@127.0.0.1:55432/postgres]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app.db import make_engine, unit_of_work  # noqa: E402
from app.migrations import upgrade  # noqa: E402
from app.models import Application, ApplicationStatusChange, Need, metadata  # noqa: E402
from app.services import audit  # noqa: E402
from app.services.backup import EXCLUDED, create_backup, restore_backup  # noqa: E402
from app.services.catalogue import import_catalogue  # noqa: E402
from benchmarks import synthetic  # noqa: E402
from tests.records import add_key, add_organisation  # noqa: E402

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
STATUSES = ("interested", "preparing", "submitted", "granted", "rejected")


def fill(url: str, programmes: int, needs: int, applications: int) -> None:
    engine = make_engine(url)
    document = synthetic.catalogue(programmes)
    with unit_of_work(engine) as session:
        import_catalogue(session, document, "merge", audit.CLI)
        session.commit()
    codes = [p["code"] for p in document["programmes"]]
    rng = random.Random(5)
    with unit_of_work(engine) as session:
        org = add_organisation(session, "borlange")
        add_key(session, org, ["write"])
        assert org.id is not None
        rows = [
            Need(organisation_id=org.id, created_by="bench", themes=[], **{"pillars": [], **body})
            for body in synthetic.needs(needs)
        ]
        session.add_all(rows)
        session.flush()
        made: list[Application] = []
        per_need = max(1, applications // needs)
        for i in range(applications):
            need = rows[i // per_need % len(rows)]
            assert need.id is not None
            status = rng.choice(STATUSES)
            made.append(
                Application(
                    organisation_id=org.id,
                    need_id=need.id,
                    programme_code=codes[(i * 7 + i // per_need) % len(codes)],
                    status=status,
                    status_date=date(2026, 6, 1) + timedelta(days=rng.randrange(300)),
                    amount_requested_eur=rng.randrange(10_000, 500_000),
                    owner="Anna Lind",
                    notes="Kontakt med vänorten; budget klar.",
                    created_by="bench",
                )
            )
        session.add_all(made)
        session.flush()
        for application in made:
            assert application.id is not None
            session.add(
                ApplicationStatusChange(
                    application_id=application.id,
                    status=application.status,
                    effective_date=application.status_date,
                    at=NOW,
                    changed_by="bench",
                )
            )
            audit.record(session, audit.CLI, "application.create", f"application/{application.id}", org.id)
        for need in rows:
            audit.record(session, audit.CLI, "need.create", f"need/{need.id}", org.id)
        session.commit()
    engine.dispose()


def counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in metadata.sorted_tables
            if t.name not in EXCLUDED
        }
    engine.dispose()
    return found


@contextmanager
def postgresql_database(server: str) -> Iterator[str]:
    name = f"fm_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def timed_backup(url: str, archive: Path) -> float:
    engine = make_engine(url)
    try:
        return create_backup(engine, archive).seconds
    finally:
        engine.dispose()


def timed_restore(url: str, archive: Path, expected: dict[str, int]) -> float:
    engine = make_engine(url)
    try:
        seconds = restore_backup(engine, url, archive).seconds
    finally:
        engine.dispose()
    found = counts(url)
    found["audit_event"] -= 1  # the restore's own record
    assert found == expected, (found, expected)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--programmes", type=int, default=10_000)
    parser.add_argument("--needs", type=int, default=1_000)
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--postgresql", help="A PostgreSQL server URL (…/postgres) to restore into and back up from.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source = f"sqlite:///{folder}/source.db"
        upgrade(source)
        started = time.perf_counter()
        fill(source, args.programmes, args.needs, args.applications)
        expected = counts(source)
        print(f"wrote {sum(expected.values()):,} rows in {time.perf_counter() - started:.1f} s: {expected}")
        archive = Path(folder) / "sqlite.tar.gz"
        results = [("backup, SQLite", timed_backup(source, archive))]
        sizes = archive.stat().st_size / 1e6, Path(folder, "source.db").stat().st_size / 1e6
        print(f"archive: {sizes[0]:.1f} MB (the SQLite file: {sizes[1]:.1f} MB)")
        results.append(
            ("restore into a new SQLite file", timed_restore(f"sqlite:///{folder}/copy.db", archive, expected))
        )
        if args.postgresql:
            with postgresql_database(args.postgresql) as target:
                results.append(("restore SQLite's archive into PostgreSQL", timed_restore(target, archive, expected)))
                expected_pg = counts(target)
                pg_archive = Path(folder) / "postgresql.tar.gz"
                results.append(("backup, PostgreSQL", timed_backup(target, pg_archive)))
                with postgresql_database(args.postgresql) as second:
                    results.append(
                        ("restore into a new PostgreSQL database", timed_restore(second, pg_archive, expected_pg))
                    )
        width = max(len(name) for name, _ in results)
        print(f"{'step':<{width}}  seconds  (goal: < 60 s)")
        for name, seconds in results:
            print(f"{name:<{width}}  {seconds:7.2f}")


if __name__ == "__main__":
    main()
