"""Applications and their history of status changes.

Reviewed by hand: one application per need and programme (unique); programme and call are
catalogue codes, not foreign keys, so that a catalogue import that drops a programme keeps the
organisation's records. A need with applications cannot be deleted (no cascade on need_id); the
history goes with its application.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 17:20:20.942710
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from app.models.base import AwareDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("programme_code", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("call_code", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status_date", sa.Date(), nullable=False),
        sa.Column("amount_requested_eur", sa.BigInteger(), nullable=True),
        sa.Column("amount_granted_eur", sa.BigInteger(), nullable=True),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("internal_deadline", sa.Date(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", AwareDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", AwareDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["need_id"], ["need.id"], name=op.f("fk_application_need_id_need")),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_application_organisation_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application")),
        sa.UniqueConstraint("need_id", "programme_code", name="uq_application_need_id_programme_code"),
    )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index("ix_application_organisation_id_status", ["organisation_id", "status"], unique=False)

    op.create_table(
        "application_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("at", AwareDateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_application_status_change_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_status_change")),
    )
    with op.batch_alter_table("application_status_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_status_change_application_id"), ["application_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("application_status_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_status_change_application_id"))
    op.drop_table("application_status_change")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index("ix_application_organisation_id_status")
    op.drop_table("application")
