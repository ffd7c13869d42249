"""workflow library and overrides

Revision ID: 20261122_0010
Revises: 20261122_0009
Create Date: 2026-11-22 17:01:43.612866
"""

import sqlalchemy as sa
from alembic import op

from yimen.platform.kernel.db.rls import enable_tenant_rls, grant_to_app_role

revision = "20261122_0010"
down_revision = "20261122_0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workflow_definition",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("published_by", sa.String(length=120), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_definition")),
        sa.UniqueConstraint("kind", "version", name=op.f("uq_workflow_definition_kind_version")),
    )
    op.create_table(
        "workflow_override",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("delta", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("published_by", sa.String(length=120), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_workflow_override_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_workflow_override_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_override")),
        sa.UniqueConstraint(
            "tenant_id",
            "kind",
            "agency_id",
            "version",
            name=op.f("uq_workflow_override_tenant_id_kind_agency_id_version"),
        ),
    )
    with op.batch_alter_table("workflow_override", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workflow_override_agency_id"), ["agency_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_override_tenant_id"), ["tenant_id"], unique=False
        )

    enable_tenant_rls(op, "workflow_override")
    grant_to_app_role(op)


def downgrade() -> None:
    with op.batch_alter_table("workflow_override", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_override_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_workflow_override_agency_id"))

    op.drop_table("workflow_override")
    op.drop_table("workflow_definition")
