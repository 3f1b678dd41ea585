"""Initial schema: catalogue, catalogue version, organisations, API keys, needs.

Reviewed by hand: JSON columns keep NULL for absent fields; the version row is seeded.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 15:48:45.056316
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

from app.models.base import AwareDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalogue_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("updated_at", AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_state")),
    )
    op.create_table(
        "funder",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("name", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("description", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_funder")),
    )
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("created_at", AwareDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", AwareDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("code", name=op.f("uq_organisation_code")),
    )
    op.create_table(
        "pillar",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("name", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("description", sa.JSON(none_as_null=True), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_pillar")),
    )
    op.create_table(
        "strategy_goal",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("framework", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("name", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("description", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("themes", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_strategy_goal")),
    )
    op.create_table(
        "theme",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("name", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("description", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("keywords", sa.JSON(none_as_null=True), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_theme")),
    )
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("token_prefix", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("scopes", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("created_at", AwareDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", AwareDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", AwareDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_api_key_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_key_token_hash")),
    )
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_key_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "need",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
        sa.Column("pillars", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("themes", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("applicant_type", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
        sa.Column("region", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("budget_eur", sa.Integer(), nullable=True),
        sa.Column("cofinancing_capacity", sa.Float(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("partners", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", AwareDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_need_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need")),
    )
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_need_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_need_status"), ["status"], unique=False)

    op.create_table(
        "programme",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("name", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("description", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("funder", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column("period", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("themes", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("pillars", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("strategy_goals", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("eligible_applicants", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("eligible_countries", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("eligible_regions", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("grant_eur", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("cofinancing_max_rate", sa.Float(), nullable=True),
        sa.Column("partnership", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("keywords", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("sources", sa.JSON(none_as_null=True), nullable=True),
        sa.ForeignKeyConstraint(["funder"], ["funder.code"], name=op.f("fk_programme_funder_funder")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_programme")),
    )
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_programme_funder"), ["funder"], unique=False)

    op.create_table(
        "call",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("programme", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("title", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("description", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("opens_at", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("deadline_at", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("budget_eur", sa.Integer(), nullable=True),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("sources", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.ForeignKeyConstraint(["programme"], ["programme.code"], name=op.f("fk_call_programme_programme")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_call")),
    )
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_programme"), ["programme"], unique=False)
    op.bulk_insert(
        sa.table(
            "catalogue_state",
            sa.column("id", sa.Integer()),
            sa.column("revision", sa.Integer()),
            sa.column("content_hash", sa.String()),
            sa.column("updated_at", AwareDateTime()),
        ),
        [{"id": 1, "revision": 0, "content_hash": "", "updated_at": datetime.now(UTC)}],
    )


def downgrade() -> None:
    with op.batch_alter_table("call", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_programme"))

    op.drop_table("call")
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_programme_funder"))

    op.drop_table("programme")
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_need_status"))
        batch_op.drop_index(batch_op.f("ix_need_organisation_id"))

    op.drop_table("need")
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_key_organisation_id"))

    op.drop_table("api_key")
    op.drop_table("theme")
    op.drop_table("strategy_goal")
    op.drop_table("pillar")
    op.drop_table("organisation")
    op.drop_table("funder")
    op.drop_table("catalogue_state")
