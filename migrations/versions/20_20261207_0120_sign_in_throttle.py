"""failed sign-ins at the built-in provider, per user name and per client address

Counters every process shares: a growing wait after a few failures and, per user name,
a lockout that only an administrator lifts.

Revision ID: 20261207_0120
Revises: 20261122_0110
Create Date: 2026-12-07 15:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from yimen.platform.kernel.db.rls import enable_tenant_rls, grant_to_app_role

revision = "20261207_0120"
down_revision = "20261122_0110"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idp_sign_in_throttle",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_idp_sign_in_throttle_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idp_sign_in_throttle")),
        sa.UniqueConstraint(
            "tenant_id", "kind", "key", name=op.f("uq_idp_sign_in_throttle_tenant_id_kind_key")
        ),
    )
    with op.batch_alter_table("idp_sign_in_throttle", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idp_sign_in_throttle_tenant_id"), ["tenant_id"], unique=False
        )

    enable_tenant_rls(op, "idp_sign_in_throttle")
    grant_to_app_role(op)


def downgrade() -> None:
    with op.batch_alter_table("idp_sign_in_throttle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idp_sign_in_throttle_tenant_id"))
    op.drop_table("idp_sign_in_throttle")
