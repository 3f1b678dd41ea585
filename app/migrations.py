"""Run Alembic from code: `fundmatch migrate`, `serve` and the tests use this."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

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
