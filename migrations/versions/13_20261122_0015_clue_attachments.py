"""photos and videos attached to clues (kept in the blob store, rows here)

Revision ID: 20261122_0015
Revises: 20261122_0014
Create Date: 2026-11-22 22:15:00
"""

import sqlalchemy as sa
from alembic import op

from yimen.platform.kernel.db.rls import enable_tenant_rls, grant_to_app_role

revision = "20261122_0015"
down_revision = "20261122_0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clue_attachment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("clue_id", sa.Uuid(), nullable=False),
        sa.Column("blob_key", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clue_id"], ["clue.id"], name=op.f("fk_clue_attachment_clue_id_clue")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_clue_attachment_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clue_attachment")),
    )
    with op.batch_alter_table("clue_attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clue_attachment_clue_id"), ["clue_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_clue_attachment_tenant_id"), ["tenant_id"], unique=False
        )

    enable_tenant_rls(op, "clue_attachment")
    grant_to_app_role(op)


def downgrade() -> None:
    with op.batch_alter_table("clue_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clue_attachment_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_clue_attachment_clue_id"))

    op.drop_table("clue_attachment")
