"""region realm and suspension reason

Revision ID: 20261122_0004
Revises: 20261122_0003
Create Date: 2026-11-22 16:05:26.895678
"""

import sqlalchemy as sa
from alembic import op

from yimen.platform.kernel.db.rls import grant_to_app_role

revision = "20261122_0004"
down_revision = "20261122_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tenant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum("district", "region", name="tenantkind", native_enum=False, length=32),
                server_default="district",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("suspended_reason", sa.String(length=500), server_default="", nullable=False)
        )

    grant_to_app_role(op)


def downgrade() -> None:
    with op.batch_alter_table("tenant", schema=None) as batch_op:
        batch_op.drop_column("suspended_reason")
        batch_op.drop_column("kind")
