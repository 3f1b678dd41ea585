"""`fundmatch backup` and `fundmatch restore` through the command line, on real databases of both
kinds: round trips that keep every record and every token, refusals that change nothing, and a
backup taken while another thread writes.

The PostgreSQL legs make databases of their own on the server of FUNDMATCH_TEST_DATABASE_URL, so
they run in both runs of the suite whenever that variable is set.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from app.cli import cli
from app.db import make_engine
from app.main import create_app
from app.migrations import head, upgrade
from app.models import metadata
from app.services.backup import EXCLUDED, create_backup
from app.services.backup_archive import ArchiveReader
from app.settings import Settings
from tests.conftest import ADMIN_TOKEN, PG_URL, Clock
from tests.factories import create_key, create_organisation, first_key_id, import_catalogue, need_body

runner = CliRunner()
needs_pg = pytest.mark.skipif(not PG_URL, reason="FUNDMATCH_TEST_DATABASE_URL is unset")
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def new_database(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Make a new, empty (unmigrated) database of a kind, `sqlite` or `postgresql`; its URL."""
    made: list[str] = []

    def server(statement: str) -> None:
        admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(statement))
        admin.dispose()

    def make(kind: str) -> str:
        name = f"fm_backup_{uuid.uuid4().hex[:12]}"
        if kind == "sqlite":
            return f"sqlite:///{tmp_path / (name + '.db')}"
        server(f'CREATE DATABASE "{name}"')
        made.append(name)
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    yield make
    for name in made:
        server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def on(settings: Settings, url: str) -> Settings:
    return settings.model_copy(update={"database_url": url})


def populate(settings: Settings, clock: Clock) -> dict[str, Any]:
    """Every kind of record the API writes, through the API: returns tokens and ids to check later."""
    with TestClient(create_app(settings, clock=clock)) as client:
        import_catalogue(client, ADMIN)
        create_organisation(client, ADMIN, "borlange")
        create_organisation(client, ADMIN, "falun", region="SE312")
        revoked = create_key(client, ADMIN, "falun", ["read"], name="gammal")
        assert (
            client.delete(f"/api/v1/api-keys/{first_key_id(client, ADMIN, 'falun')}", headers=ADMIN).status_code == 204
        )
        own = create_key(client, ADMIN, "borlange", ["write"])
        need = client.post("/api/v1/needs", json=need_body(), headers=own).json()
        client.post("/api/v1/needs", json=need_body(title="Laddstolpar i Ornäs", partners=None), headers=own)
        gone = client.post("/api/v1/needs", json=need_body(title="Tas bort"), headers=own).json()
        assert client.delete(f"/api/v1/needs/{gone['id']}", headers=own).status_code == 204
        app = client.post(
            f"/api/v1/needs/{need['id']}/applications",
            json={"programme": "erasmus-plus", "amount_requested_eur": 60000, "internal_deadline": "2027-02-01"},
            headers=own,
        )
        assert app.status_code == 201, app.text
        clock.advance(days=3)
        moved = client.patch(f"/api/v1/applications/{app.json()['id']}", json={"status": "preparing"}, headers=own)
        assert moved.status_code == 200, moved.text
    return {"own": own, "revoked": revoked, "need": need["id"], "deleted_need": gone["id"]}


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every backed-up table's rows, ordered by primary key, as Python values."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
                for t in metadata.sorted_tables
                if t.name not in EXCLUDED
            }
    finally:
        engine.dispose()


def backup(settings: Settings, archive: Path) -> None:
    result = runner.invoke(cli, ["backup", str(archive)], obj=settings)
    assert result.exit_code == 0, result.output
    assert f"backup written to {archive}" in result.stdout


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("sqlite", "sqlite"),
        pytest.param("sqlite", "postgresql", marks=needs_pg),
        pytest.param("postgresql", "sqlite", marks=needs_pg),
    ],
)
def test_a_round_trip_keeps_every_record_and_old_tokens_work(
    source: str, target: str, new_database: Callable[[str], str], settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    source_url, target_url = new_database(source), new_database(target)
    upgrade(source_url)
    world = populate(on(settings, source_url), clock)
    archive = tmp_path / "fundmatch.tar.gz"
    backup(on(settings, source_url), archive)

    result = runner.invoke(cli, ["restore", str(archive)], obj=on(settings, target_url))
    assert result.exit_code == 0, result.output
    assert "restored" in result.stdout

    before, after = dump(source_url), dump(target_url)
    for table in ("organisation", "api_key", "need", "application", "application_status_change", "programme"):
        assert before[table], f"the test wrote no {table} rows"
    restore_record = after["audit_event"].pop()
    assert restore_record[4:7] == (None, "backup.restore", "backup")  # actor_key_id, action, resource
    for table in before:
        assert after[table] == before[table], table

    with TestClient(create_app(on(settings, target_url), clock=clock)) as client:
        listed = client.get("/api/v1/needs", headers=world["own"])
        assert listed.status_code == 200
        assert world["need"] in [n["id"] for n in listed.json()["items"]]
        assert client.get("/api/v1/needs", headers=world["revoked"]).status_code == 401
        # new ids follow the restored ones (PostgreSQL: its sequence was moved past them)
        created = client.post("/api/v1/needs", json=need_body(), headers=world["own"])
        assert created.status_code == 201, created.text
        assert created.json()["id"] > max(row[0] for row in before["need"])
        events = client.get("/api/v1/audit-events", params={"action": "backup.restore"}, headers=ADMIN).json()
        assert [e["actor"] for e in events["items"]] == ["cli"]


def test_restore_refuses_a_database_that_holds_data(settings: Settings, clock: Clock, tmp_path: Path) -> None:
    populate(settings, clock)
    archive = tmp_path / "b.tar.gz"
    backup(settings, archive)
    before = dump(settings.database_url)
    result = runner.invoke(cli, ["restore", str(archive)], obj=settings)
    assert result.exit_code == 1
    assert "holds data" in result.output and "empty database" in result.output
    assert dump(settings.database_url) == before


def test_backup_refuses_to_replace_a_file_unless_forced(settings: Settings, tmp_path: Path) -> None:
    archive = tmp_path / "b.tar.gz"
    archive.write_text("keep me")
    result = runner.invoke(cli, ["backup", str(archive)], obj=settings)
    assert result.exit_code == 1 and "exists" in result.output
    assert archive.read_text() == "keep me"
    assert runner.invoke(cli, ["backup", str(archive), "--force"], obj=settings).exit_code == 0
    assert ArchiveReader(archive).manifest.revision == head()
    assert archive.stat().st_mode & 0o077 == 0


def rewrite(archive: Path, out: Path, change: Callable[[dict[str, Any], dict[str, bytes]], None]) -> None:
    """Copy an archive with its manifest and members changed by `change(manifest, files)`."""
    with tarfile.open(archive, "r:gz") as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]
    manifest = json.loads(files.pop("manifest.json"))
    change(manifest, files)
    with gzip.open(out, "wb") as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        for name, data in [("manifest.json", json.dumps(manifest).encode()), *files.items()]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def _edit_a_row(manifest: dict[str, Any], files: dict[str, bytes]) -> None:
    name = next(n for n in files if n.endswith("-organisation.jsonl"))
    files[name] = files[name].replace(b"Borlange kommun", b"Borl\xc3\xa4nge kommun")


def _newer_format(manifest: dict[str, Any], files: dict[str, bytes]) -> None:
    manifest["format"] = "fundmatch-backup/2"


def _newer_schema(manifest: dict[str, Any], files: dict[str, bytes]) -> None:
    manifest["revision"] = "9999"


def _drop_a_table(manifest: dict[str, Any], files: dict[str, bytes]) -> None:
    del files[next(n for n in files if n.endswith("-need.jsonl"))]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_edit_a_row, "is damaged: table organisation"),
        (_newer_format, "format fundmatch-backup/2, which this fundmatch cannot read"),
        (_newer_schema, "schema revision 9999, newer than this fundmatch knows"),
        (_drop_a_table, "is incomplete"),
    ],
)
def test_a_damaged_or_newer_archive_is_refused_and_changes_nothing(
    damage: Callable[[dict[str, Any], dict[str, bytes]], None],
    message: str,
    settings: Settings,
    clock: Clock,
    new_database: Callable[[str], str],
    tmp_path: Path,
) -> None:
    populate(settings, clock)
    good, bad = tmp_path / "good.tar.gz", tmp_path / "bad.tar.gz"
    backup(settings, good)
    rewrite(good, bad, damage)
    target = new_database("sqlite")
    result = runner.invoke(cli, ["restore", str(bad)], obj=on(settings, target))
    assert result.exit_code == 1
    assert message in result.output
    engine = make_engine(target)
    assert inspect(engine).get_table_names() == []  # not even migrated
    engine.dispose()


@pytest.mark.parametrize("content", [b"", b"not an archive", gzip.compress(b"not a tar either")])
def test_a_file_that_is_no_archive_is_refused(content: bytes, settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "x.tar.gz"
    path.write_bytes(content)
    before = dump(settings.database_url)
    result = runner.invoke(cli, ["restore", str(path)], obj=settings)
    assert result.exit_code == 1
    assert "is not a fundmatch backup" in result.output
    assert dump(settings.database_url) == before


@pytest.mark.parametrize("migrated_first", [False, True])
def test_an_archive_of_an_older_schema_is_carried_forward_by_the_migrations(
    migrated_first: bool, settings: Settings, clock: Clock, new_database: Callable[[str], str], tmp_path: Path
) -> None:
    """An archive written at revision 0004 (before the audit log) restores, then migrates to head;
    also into an empty database that `fundmatch migrate` already brought to head."""
    populate(settings, clock)
    current, older = tmp_path / "now.tar.gz", tmp_path / "older.tar.gz"
    backup(settings, current)

    schema_0004 = tmp_path / "schema-0004.db"
    upgrade(f"sqlite:///{schema_0004}", "0004")
    engine_0004 = create_engine(f"sqlite:///{schema_0004}")
    tables_0004 = set(inspect(engine_0004).get_table_names())
    engine_0004.dispose()

    def at_0004(manifest: dict[str, Any], files: dict[str, bytes]) -> None:
        """What a fundmatch at revision 0004 wrote: none of the later tables (the audit log, notices)."""
        manifest["revision"] = "0004"
        for table in [t for t in manifest["tables"] if t["name"] not in tables_0004]:
            manifest["tables"].remove(table)
            del files[table["file"]]

    rewrite(current, older, at_0004)
    target = new_database("sqlite")
    if migrated_first:
        upgrade(target)
    result = runner.invoke(cli, ["restore", str(older)], obj=on(settings, target))
    assert result.exit_code == 0, result.output
    before, after = dump(settings.database_url), dump(target)
    assert [row[5] for row in after.pop("audit_event")] == ["backup.restore"]
    later = set(before) - tables_0004
    assert all(not after[name] for name in later if name in after)
    assert {k: v for k, v in after.items() if k in tables_0004} == {k: v for k, v in before.items() if k in tables_0004}
    engine = make_engine(target)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head()
    engine.dispose()


def test_a_backup_taken_while_another_thread_writes_shows_one_moment(
    settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    """A need (and its audit record) committed after the snapshot began is in neither table of the
    archive, though the need table is read after the write."""
    world = populate(settings, clock)
    before = dump(settings.database_url)
    written: list[int] = []

    with TestClient(create_app(settings, clock=clock)) as client:

        def write() -> None:
            response = client.post("/api/v1/needs", json=need_body(title="Under säkerhetskopian"), headers=world["own"])
            assert response.status_code == 201, response.text
            written.append(response.json()["id"])

        def during(table: str, _done: int, _total: int) -> None:
            if table == "organisation" and not written:
                writer = threading.Thread(target=write)
                writer.start()
                writer.join(timeout=30)
                assert written, "the write did not finish while the backup's snapshot was open"

        engine = make_engine(settings.database_url)
        try:
            create_backup(engine, tmp_path / "b.tar.gz", during)
        finally:
            engine.dispose()

    assert written
    tables = {spec.name: list(rows) for spec, rows in ArchiveReader(tmp_path / "b.tar.gz").rows()}
    assert len(tables["need"]) == len(before["need"])
    assert len(tables["audit_event"]) == len(before["audit_event"])
    assert len(dump(settings.database_url)["need"]) == len(before["need"]) + 1


@needs_pg
def test_text_postgresql_cannot_hold_is_named_and_nothing_is_written(
    settings: Settings, clock: Clock, new_database: Callable[[str], str], tmp_path: Path
) -> None:
    """A NUL character that an older SQLite database holds (the API refuses them now)."""
    source, target = new_database("sqlite"), new_database("postgresql")
    upgrade(source)
    world = populate(on(settings, source), clock)
    engine = make_engine(source)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE need SET description = :text WHERE id = :id"), {"text": "före\x00efter", "id": world["need"]}
        )
    engine.dispose()
    archive = tmp_path / "nul.tar.gz"
    backup(on(settings, source), archive)
    result = runner.invoke(cli, ["restore", str(archive)], obj=on(settings, target))
    assert result.exit_code == 1
    assert f"table need, record id={world['need']}: column description holds a NUL character" in result.output
    # migrated, and holding only the row a fresh migration writes
    assert [table for table, rows in dump(target).items() if rows] == ["catalogue_state"]


def test_a_database_that_cannot_be_reached_is_a_clear_error(settings: Settings, tmp_path: Path) -> None:
    unreachable = on(settings, "postgresql+psycopg://nobody@127.0.0.1:1/none")
    result = runner.invoke(cli, ["backup", str(tmp_path / "b.tar.gz")], obj=unreachable)
    assert result.exit_code == 1 and "backup: cannot read the database" in result.output
    assert not (tmp_path / "b.tar.gz").exists()
    backup(settings, tmp_path / "a.tar.gz")
    result = runner.invoke(cli, ["restore", str(tmp_path / "a.tar.gz")], obj=unreachable)
    assert result.exit_code == 1 and "restore: cannot read the database" in result.output
