"""Migrations on the test database (SQLite, or PostgreSQL in CI): upgrade, check, downgrade."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect

from app.migrations import alembic_config, downgrade, upgrade


def test_upgrade_check_downgrade(database_url: str) -> None:
    downgrade(database_url)
    engine = create_engine(database_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(database_url)
        command.check(alembic_config(database_url))  # models and migrations agree
        tables = set(inspect(engine).get_table_names())
        assert {
            "programme",
            "call",
            "catalogue_state",
            "organisation",
            "api_key",
            "need",
            "application",
            "application_status_change",
        } <= tables
        downgrade(database_url)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(database_url)
    finally:
        engine.dispose()
