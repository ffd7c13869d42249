"""gateway reconciliation and backfill: a drift report per connector and day, a backfill's
progress per district and connector, and an index to read a day's sent rows

Revision ID: 20261208_0330
Revises: 20261208_0310
Create Date: 2026-12-08 00:55:00
"""

import sqlalchemy as sa
from alembic import op

from yimen.platform.kernel.db.rls import enable_tenant_rls, grant_to_app_role

revision = "20261208_0330"
down_revision = "20261208_0310"
branch_labels = None
depends_on = None


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenant.id"], name=op.f(f"fk_{table}_tenant_id_tenant"), ondelete="RESTRICT"
    )


def upgrade() -> None:
    op.create_table(
        "gateway_reconciliation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("connector", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sent_count", sa.Integer(), nullable=False),
        sa.Column("upstream_count", sa.Integer(), nullable=False),
        sa.Column("sent_hash", sa.String(length=64), nullable=False),
        sa.Column("upstream_hash", sa.String(length=64), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("differing", sa.JSON(), nullable=False),
        sa.Column("resent", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=300), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        _tenant_fk("gateway_reconciliation"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_gateway_reconciliation")),
        sa.UniqueConstraint(
            "tenant_id",
            "connector",
            "day",
            name=op.f("uq_gateway_reconciliation_tenant_id_connector_day"),
        ),
    )
    with op.batch_alter_table("gateway_reconciliation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gateway_reconciliation_tenant_id"), ["tenant_id"])
    op.create_table(
        "gateway_backfill",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("connector", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("cursor", sa.String(length=40), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("published", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        _tenant_fk("gateway_backfill"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_gateway_backfill")),
        sa.UniqueConstraint(
            "tenant_id", "connector", name=op.f("uq_gateway_backfill_tenant_id_connector")
        ),
    )
    with op.batch_alter_table("gateway_backfill", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gateway_backfill_tenant_id"), ["tenant_id"])
    with op.batch_alter_table("gateway_delivery", schema=None) as batch_op:
        batch_op.create_index("ix_gateway_delivery_sent", ["tenant_id", "sent_at"], unique=False)
    enable_tenant_rls(op, "gateway_reconciliation")
    enable_tenant_rls(op, "gateway_backfill")
    grant_to_app_role(op)


def downgrade() -> None:
    with op.batch_alter_table("gateway_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_gateway_delivery_sent")
    op.drop_table("gateway_backfill")
    op.drop_table("gateway_reconciliation")
