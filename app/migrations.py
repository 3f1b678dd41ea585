"""Run Alembic from code: `fundmatch migrate`, `serve` and the tests use this."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection

from app.settings import PROJECT_ROOT


def _home() -> Path:
    """Where alembic.ini lives: the source checkout, or the working directory of an installed copy."""
    return PROJECT_ROOT if (PROJECT_ROOT / "alembic.ini").is_file() else Path.cwd()


def alembic_config(database_url: str) -> Config:
    home = _home()
    config = Config(str(home / "alembic.ini"))
    config.set_main_option("script_location", str(home / "alembic"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def head() -> str:
    """The newest revision this code knows."""
    revision = _scripts().get_current_head()
    assert revision is not None
    return revision


def is_known(revision: str) -> bool:
    try:
        return _scripts().get_revision(revision) is not None
    except CommandError:
        return False


def current(connection: Connection) -> str | None:
    """The revision a database is at; None for a database that was never migrated."""
    return MigrationContext.configure(connection).get_current_revision()


def move_to(database_url: str, revision: str, now_at: str | None) -> None:
    """Bring a database from `now_at` to `revision`, up or down (down only ever on an empty one)."""
    if now_at == revision:
        return
    below_now = now_at is not None and any(
        script.revision == revision for script in _scripts().iterate_revisions(now_at, "base")
    )
    if below_now:
        downgrade(database_url, revision)
    else:
        upgrade(database_url, revision)
