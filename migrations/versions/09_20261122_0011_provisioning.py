"""identity provisioning jobs

Revision ID: 20261122_0011
Revises: 20261122_0010
Create Date: 2026-11-22 17:04:05.135354
"""

import sqlalchemy as sa
from alembic import op

from yimen.platform.kernel.db.rls import enable_tenant_rls, grant_to_app_role

revision = "20261122_0011"
down_revision = "20261122_0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "provisioning_task",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("operation", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_provisioning_task_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provisioning_task")),
    )
    with op.batch_alter_table("provisioning_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_provisioning_task_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_provisioning_task_tenant_id"), ["tenant_id"], unique=False
        )

    enable_tenant_rls(op, "provisioning_task")
    grant_to_app_role(op)


def downgrade() -> None:
    with op.batch_alter_table("provisioning_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provisioning_task_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_provisioning_task_status"))

    op.drop_table("provisioning_task")
