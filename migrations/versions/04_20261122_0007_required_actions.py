"""required actions of officers at the built-in identity provider

Identity provisioning's jobs table came in 20261122_0011; this adds what a new officer
must do at the next sign-in (UPDATE_PASSWORD). It branches from 20261122_0004, as the
numbers reserved for the Tenants issue do; `yimen db upgrade` migrates all heads.

Revision ID: 20261122_0007
Revises: 20261122_0004
Create Date: 2026-11-22 17:54:47.482206
"""

import sqlalchemy as sa
from alembic import op

from yimen.platform.kernel.db.rls import enable_tenant_rls, grant_to_app_role

revision = "20261122_0007"
down_revision = "20261122_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_required_action",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("officer_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officer.id"],
            name=op.f("fk_identity_required_action_officer_id_officer"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_identity_required_action_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_required_action")),
        sa.UniqueConstraint(
            "tenant_id",
            "officer_id",
            "action",
            name=op.f("uq_identity_required_action_tenant_id_officer_id_action"),
        ),
    )
    with op.batch_alter_table("identity_required_action", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identity_required_action_officer_id"), ["officer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_identity_required_action_tenant_id"), ["tenant_id"], unique=False
        )

    enable_tenant_rls(op, "identity_required_action")
    grant_to_app_role(op)


def downgrade() -> None:
    with op.batch_alter_table("identity_required_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_required_action_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_identity_required_action_officer_id"))

    op.drop_table("identity_required_action")
