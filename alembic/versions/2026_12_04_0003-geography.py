"""Geography: country groups, and where a programme's partners may come from.

Reviewed by hand: `partner_countries` is NULL when the document leaves it out, like the other
optional JSON columns, so that export gives back what was imported.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "country_group",
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("name", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("description", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("countries", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("sources", sa.JSON(none_as_null=True), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_country_group")),
    )
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.add_column(sa.Column("partner_countries", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_column("partner_countries")
    op.drop_table("country_group")
