"""The `fundmatch` command line. Every command calls a service; none writes SQL of its own.

Settings come from the context object when a caller passes one (tests: `runner.invoke(cli, args,
obj=settings)`), else from the environment; each use case runs in a unit of work of its own.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import httpx
import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress as RichProgress
from sqlalchemy import Engine

from app import migrations
from app.catalogue.bundled import CatalogueFileError, read_document
from app.catalogue.ftportal import PortalError, Progress
from app.catalogue.validate import validate_path
from app.db import make_engine, unit_of_work
from app.errors import AppError
from app.services import audit
from app.services import backup as backup_service
from app.services import calls as calls_service
from app.services import catalogue as catalogue_service
from app.services import keys as key_service
from app.services.startup import prepare
from app.settings import Settings, get_settings

cli = typer.Typer(help="fundmatch: funding suggestions for local development needs.", no_args_is_help=True)
catalogue_cli = typer.Typer(help="Load, check and export the catalogue.", no_args_is_help=True)
key_cli = typer.Typer(help="API keys.", no_args_is_help=True)
cli.add_typer(catalogue_cli, name="catalogue")
calls_cli = typer.Typer(help="Live calls from outside sources.", no_args_is_help=True)
cli.add_typer(key_cli, name="api-key")
cli.add_typer(calls_cli, name="calls")


def _settings(ctx: typer.Context) -> Settings:
    obj = ctx.find_root().obj
    if isinstance(obj, Settings):
        return obj
    try:
        return get_settings()
    except ValidationError as exc:
        for err in exc.errors(include_url=False, include_input=False):
            name = "FUNDMATCH_" + "_".join(str(p) for p in err["loc"]).upper()
            typer.echo(f"{name}: {err['msg']}", err=True)
        raise typer.Exit(2) from exc


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


@cli.command()
def migrate(ctx: typer.Context) -> None:
    """Upgrade the database schema to the newest migration."""
    migrations.upgrade(_settings(ctx).database_url)
    typer.echo("database is at head")


@cli.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Migrate, bootstrap, load the bundled catalogue into an empty database, then serve the API."""
    settings = _settings(ctx)
    if workers > 1:
        # a worker can void only its own key cache: with several, a revocation must reach them all
        # at once, so every request asks the database unless the operator chose a trust period
        os.environ.setdefault("FUNDMATCH_AUTH_CACHE_SECONDS", "0")
    migrations.upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        prepare(engine, settings)
    finally:
        engine.dispose()
    uvicorn.run(
        "app.main:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
        proxy_headers=True,
    )


@catalogue_cli.command("load")
def catalogue_load(
    ctx: typer.Context,
    path: Annotated[
        Path | None, typer.Argument(help="A catalogue file or folder; default: the bundled catalogue.")
    ] = None,
    mode: Annotated[str, typer.Option(help="merge (upsert) or replace (also remove what is absent).")] = "merge",
) -> None:
    """Import a catalogue document in one transaction."""
    if mode not in ("merge", "replace"):
        raise _fail("--mode must be merge or replace", 2)
    settings = _settings(ctx)
    try:
        document = read_document(path or settings.catalogue_dir)
    except CatalogueFileError as exc:
        raise _fail(str(exc)) from exc
    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(engine) as session:
            result = catalogue_service.import_catalogue(session, document, mode, audit.CLI)  # type: ignore[arg-type]
    except AppError as exc:
        typer.echo(exc.detail, err=True)
        for err in exc.errors or []:
            typer.echo(f"  {'.'.join(str(p) for p in err['loc'])}: {err['msg']}", err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    counts = ", ".join(f"{s} +{result.created[s]} ~{result.updated[s]}" for s in result.created)
    typer.echo(f"catalogue version {result.version} ({'changed' if result.changed else 'unchanged'}): {counts}")


@catalogue_cli.command("validate")
def catalogue_validate(
    ctx: typer.Context,
    path: Annotated[
        Path | None, typer.Argument(help="A catalogue file or folder; default: the bundled catalogue.")
    ] = None,
) -> None:
    """Check a catalogue: format, references, duplicate codes, both languages, https links. Exit 1 on any problem."""
    target = path or _settings(ctx).catalogue_dir
    problems = validate_path(target)
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {target}", err=True)
        raise typer.Exit(1)
    typer.echo(f"{target}: no problems")


@catalogue_cli.command("export")
def catalogue_export(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write; default stdout.")] = None,
) -> None:
    """Write the stored catalogue as a fundmatch-catalogue/1 document."""
    engine = make_engine(_settings(ctx).database_url)
    try:
        with unit_of_work(engine) as session:
            document = catalogue_service.export_catalogue(session)
    finally:
        engine.dispose()
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


@key_cli.command("create")
def api_key_create(
    ctx: typer.Context,
    org: Annotated[str, typer.Option("--org", help="Organisation code.")],
    scope: Annotated[list[str], typer.Option("--scope", help="admin, write or read; repeatable.")],
    name: Annotated[str, typer.Option(help="A name that says who uses the key.")] = "cli",
) -> None:
    """Create an API key and print its token (only the token, on stdout)."""
    engine = make_engine(_settings(ctx).database_url)
    try:
        if org == key_service.ADMIN_ORGANISATION:
            with unit_of_work(engine) as session:
                key_service.ensure_admin_organisation(session)
        with unit_of_work(engine) as session:
            _, token = key_service.create_key(session, org, name, scope, audit.CLI)
    except AppError as exc:
        raise _fail(exc.detail) from exc
    finally:
        engine.dispose()
    typer.echo(token)


@calls_cli.command("import-ftportal")
def calls_import_ftportal(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Fetch and map, but write nothing.")] = False,
    max_pages: Annotated[int | None, typer.Option(min=1, max=1000, help="Pages of 100 topics at most.")] = None,
) -> None:
    """Refresh live calls from the EU Funding & Tenders Portal now (FUNDMATCH_FTPORTAL_URL).

    The refresh is recorded in the refresh log like a scheduled one; it writes nothing unless every
    page arrived, and exits 1 if it failed or another refresh is running."""
    settings = _settings(ctx)
    if max_pages is not None:
        settings = settings.model_copy(update={"ftportal_max_pages": max_pages})
    access = calls_service.portal_access(settings)
    engine = make_engine(settings.database_url)
    try:
        with calls_service.portal_client(settings) as client, _progress_bar() as progress:
            if dry_run:
                _dry_run(engine, client, access, progress)
                return
            with unit_of_work(engine) as session:
                refresh = calls_service.start_refresh(
                    session, datetime.now(UTC), "cli", access.lease_seconds, audit.CLI
                )
                session.commit()
            assert refresh.id is not None
            refresh = calls_service.run_refresh(
                engine, refresh.id, client, access, lambda: datetime.now(UTC), progress=progress
            )
    except AppError as exc:
        raise _fail(f"import-ftportal: {exc.detail}") from exc
    finally:
        engine.dispose()
    if refresh.status != "succeeded":
        raise _fail(f"refresh {refresh.id} failed: {refresh.error}")
    typer.echo(
        f"refresh {refresh.id} succeeded: fetched {refresh.fetched} rows; calls +{refresh.created} new, "
        f"~{refresh.updated} updated, {refresh.closed} closed; catalogue version {refresh.catalogue_version}"
    )


def _dry_run(engine: Engine, client: httpx.Client, access: calls_service.PortalAccess, progress: Progress) -> None:
    try:
        report = calls_service.fetch_and_map(engine, client, access, datetime.now(UTC), progress)
    except PortalError as exc:
        raise _fail(f"import-ftportal: {exc}") from exc
    skipped = ", ".join(f"{reason}: {n}" for reason, n in sorted(report.skipped.items())) or "none"
    for call in report.calls:
        typer.echo(f"  {call['code']} -> {call['programme']} (deadline {call['deadline_at']})")
    typer.echo(
        f"fetched {report.fetched} rows, {len(report.calls)} calls mapped to catalogue programmes; skipped: {skipped}"
    )


@cli.command()
def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The archive to write (e.g. fundmatch-2026-12-04.tar.gz).")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file of that name.")] = False,
) -> None:
    """Write a consistent archive of everything the service holds, while `serve` keeps running.

    The archive (format fundmatch-backup/1, a gzip'ed tar) holds every table as it was at one
    moment: organisations, keys (as hashes), needs, applications, the catalogue, the audit log and
    the rest. It is readable by its owner only."""
    if file.exists() and not force:
        raise _fail(f"{file} exists: choose another name, or pass --force to replace it")
    engine = make_engine(_settings(ctx).database_url)
    try:
        with _rows_bar("backup") as progress:
            outcome = backup_service.create_backup(engine, file, progress)
    except backup_service.BackupError as exc:
        raise _fail(f"backup: {exc}") from exc
    finally:
        engine.dispose()
    manifest = outcome.manifest
    size = file.stat().st_size / 1_000_000
    typer.echo(
        f"backup written to {file}: {manifest.total_rows:,} rows in {len(manifest.tables)} tables, "
        f"schema revision {manifest.revision}, {size:.1f} MB, in {outcome.seconds:.1f} s"
    )


@cli.command()
def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="An archive written by `fundmatch backup`.")],
) -> None:
    """Load a backup into an empty database (SQLite or PostgreSQL, whichever wrote it).

    The archive is checked whole before anything is written; a database that holds data is
    refused. The database is then migrated to the newest schema. Exit 1 on any refusal."""
    settings = _settings(ctx)
    engine = make_engine(settings.database_url)
    try:
        with _rows_bar("restore") as progress:
            outcome = backup_service.restore_backup(engine, settings.database_url, file, progress)
    except backup_service.BackupError as exc:
        raise _fail(f"restore: {exc}") from exc
    finally:
        engine.dispose()
    manifest = outcome.manifest
    typer.echo(
        f"restored {manifest.total_rows:,} rows in {len(manifest.tables)} tables from {file} "
        f"(written {manifest.created_at:%Y-%m-%d %H:%M} UTC at schema revision {manifest.revision}) "
        f"in {outcome.seconds:.1f} s; the database is at the newest schema"
    )


@contextmanager
def _rows_bar(label: str) -> Iterator[backup_service.Progress]:
    """A progress bar of rows when stdout is a terminal; nothing otherwise (pipes, cron, tests)."""
    if not sys.stdout.isatty():
        yield lambda _table, _done, _total: None
        return
    with RichProgress(transient=True) as bar:
        task = bar.add_task(label, total=None)

        def advance(table: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"{label} {table}")

        yield advance


@contextmanager
def _progress_bar() -> Iterator[Progress]:
    """A progress bar of pages on a terminal (stderr); nothing otherwise."""
    if not sys.stderr.isatty():
        yield lambda _done, _expected: None
        return
    with RichProgress(transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task("portal pages", total=None)

        def advance(done: int, expected: int | None) -> None:
            bar.update(task, completed=done, total=expected)

        yield advance


def main() -> None:
    cli()
