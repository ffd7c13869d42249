"""working-day calendar

Revision ID: 20261122_0008
Revises: 20261122_0004
Create Date: 2026-11-22 16:54:33.543425
"""

import sqlalchemy as sa
from alembic import op

from yimen.platform.kernel.db.rls import grant_to_app_role

revision = "20261122_0008"
down_revision = "20261122_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "weekday",
                "weekend",
                "holiday",
                "adjusted_workday",
                name="daykind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("is_working_day", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_day")),
    )
    with op.batch_alter_table("calendar_day", schema=None) as batch_op:
        batch_op.create_index("ix_calendar_day_year", ["year"], unique=False)

    op.create_table(
        "calendar_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("notice", sa.String(length=300), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("loaded_by", sa.String(length=120), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=120), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_year")),
    )
    grant_to_app_role(op)


def downgrade() -> None:
    op.drop_table("calendar_year")
    with op.batch_alter_table("calendar_day", schema=None) as batch_op:
        batch_op.drop_index("ix_calendar_day_year")

    op.drop_table("calendar_day")
