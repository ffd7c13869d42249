"""gateway inbox and pull cursors; a clue's 12345 level and deadline

`gateway_inbox`: every record an outside system sent or we pulled, once per (district,
connector, natural key) — a replay is a no-op — with when it was received and processed,
what it became (`result`, the clue's receipt code) and the last error. `gateway_cursor`:
where each district's pull of a source stands. Both are tenant-owned under RLS.

`clue.urgency` and `clue.reply_due`: a 12345 work order's level (normal/urgent) and the
moment the hotline wants the district's answer by.

Revision ID: 20261208_0250
Revises: 20261207_0230
Create Date: 2026-12-08 02:50:00
"""

import sqlalchemy as sa
from alembic import op

from yimen.platform.kernel.db.rls import enable_tenant_rls, grant_to_app_role

revision = "20261208_0250"
down_revision = "20261207_0230"
branch_labels = None
depends_on = None


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenant.id"], name=op.f(f"fk_{table}_tenant_id_tenant"), ondelete="RESTRICT"
    )


def upgrade() -> None:
    op.create_table(
        "gateway_inbox",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("connector", sa.String(length=40), nullable=False),
        sa.Column("natural_key", sa.String(length=120), nullable=False),
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result", sa.String(length=120), nullable=False),
        sa.Column("error", sa.String(length=300), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        _tenant_fk("gateway_inbox"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_gateway_inbox")),
        sa.UniqueConstraint(
            "tenant_id",
            "connector",
            "natural_key",
            name=op.f("uq_gateway_inbox_tenant_id_connector_natural_key"),
        ),
    )
    with op.batch_alter_table("gateway_inbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gateway_inbox_tenant_id"), ["tenant_id"])
        batch_op.create_index(batch_op.f("ix_gateway_inbox_processed_at"), ["processed_at"])
    enable_tenant_rls(op, "gateway_inbox")

    op.create_table(
        "gateway_cursor",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("connector", sa.String(length=40), nullable=False),
        sa.Column("stream", sa.String(length=60), nullable=False),
        sa.Column("cursor", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        _tenant_fk("gateway_cursor"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_gateway_cursor")),
        sa.UniqueConstraint(
            "tenant_id",
            "connector",
            "stream",
            name=op.f("uq_gateway_cursor_tenant_id_connector_stream"),
        ),
    )
    with op.batch_alter_table("gateway_cursor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gateway_cursor_tenant_id"), ["tenant_id"])
    enable_tenant_rls(op, "gateway_cursor")

    with op.batch_alter_table("clue", schema=None) as batch_op:
        batch_op.add_column(sa.Column("urgency", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("reply_due", sa.DateTime(timezone=True), nullable=True))
    grant_to_app_role(op)


def downgrade() -> None:
    with op.batch_alter_table("clue", schema=None) as batch_op:
        batch_op.drop_column("reply_due")
        batch_op.drop_column("urgency")
    op.drop_table("gateway_cursor")
    op.drop_table("gateway_inbox")
