"""clues and their routing steps

Revision ID: 20261122_0013
Revises: 20261122_0012
Create Date: 2026-11-22 17:27:19.527087
"""

import sqlalchemy as sa
from alembic import op

from yimen.platform.kernel.db.rls import enable_tenant_rls, grant_to_app_role

revision = "20261122_0013"
down_revision = "20261122_0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clue",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("receipt_code", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("matter_code", sa.String(length=20), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("complainant_name", sa.String(length=50), nullable=False),
        sa.Column("complainant_phone", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=True),
        sa.Column("transfers", sa.Integer(), nullable=False),
        sa.Column("designated", sa.Boolean(), nullable=False),
        sa.Column("joint_agency_ids", sa.JSON(), nullable=False),
        sa.Column("accept_due", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_clue_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_clue_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clue")),
        sa.UniqueConstraint(
            "tenant_id", "receipt_code", name=op.f("uq_clue_tenant_id_receipt_code")
        ),
    )
    with op.batch_alter_table("clue", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clue_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_clue_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_clue_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "clue_step",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clue_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_clue_step_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(["clue_id"], ["clue.id"], name=op.f("fk_clue_step_clue_id_clue")),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_clue_step_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clue_step")),
    )
    with op.batch_alter_table("clue_step", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clue_step_clue_id"), ["clue_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_clue_step_tenant_id"), ["tenant_id"], unique=False)

    enable_tenant_rls(op, "clue")
    enable_tenant_rls(op, "clue_step")
    grant_to_app_role(op)


def downgrade() -> None:
    with op.batch_alter_table("clue_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clue_step_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_clue_step_clue_id"))

    op.drop_table("clue_step")
    with op.batch_alter_table("clue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clue_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_clue_status"))
        batch_op.drop_index(batch_op.f("ix_clue_agency_id"))

    op.drop_table("clue")
