"""gateway delivery: the connectors a region offers, each district's subscriptions, and
one delivery row per integration event and connector

`gateway_connector` is region-wide reference data (the platform operator's list);
`gateway_subscription` and `gateway_delivery` belong to a district, under row-level
security like every district table. A delivery's key is `event_id:connector`.

Revision ID: 20261208_0240
Revises: 20261207_0230
Create Date: 2026-12-08 00:00:00
"""

import sqlalchemy as sa
from alembic import op

from yimen.platform.kernel.db.rls import enable_tenant_rls, grant_to_app_role

revision = "20261208_0240"
down_revision = "20261208_0250"
branch_labels = None
depends_on = None


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenant.id"], name=op.f(f"fk_{table}_tenant_id_tenant"), ondelete="RESTRICT"
    )


def upgrade() -> None:
    op.create_table(
        "gateway_connector",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("label_zh", sa.String(length=100), nullable=False),
        sa.Column("label_en", sa.String(length=100), nullable=False),
        sa.Column("default_endpoint", sa.String(length=300), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("rate_limit", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_gateway_connector")),
    )
    op.create_table(
        "gateway_subscription",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("connector", sa.String(length=40), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("agency_codes", sa.JSON(), nullable=False),
        sa.Column("endpoint", sa.String(length=300), nullable=False),
        sa.Column("credentials", sa.Text(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connector"],
            ["gateway_connector.name"],
            name=op.f("fk_gateway_subscription_connector_gateway_connector"),
            ondelete="RESTRICT",
        ),
        _tenant_fk("gateway_subscription"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_gateway_subscription")),
        sa.UniqueConstraint(
            "tenant_id", "connector", name=op.f("uq_gateway_subscription_tenant_id_connector")
        ),
    )
    with op.batch_alter_table("gateway_subscription", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gateway_subscription_tenant_id"), ["tenant_id"])
    op.create_table(
        "gateway_delivery",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("connector", sa.String(length=40), nullable=False),
        sa.Column("aggregate_key", sa.String(length=80), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("in_doubt", sa.Boolean(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.Column("upstream_ref", sa.String(length=120), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        _tenant_fk("gateway_delivery"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_gateway_delivery")),
        sa.UniqueConstraint("tenant_id", "key", name=op.f("uq_gateway_delivery_tenant_id_key")),
    )
    with op.batch_alter_table("gateway_delivery", schema=None) as batch_op:
        batch_op.create_index(
            "ix_gateway_delivery_due", ["tenant_id", "status", "next_attempt_at"], unique=False
        )
        batch_op.create_index(
            "ix_gateway_delivery_order",
            ["tenant_id", "connector", "aggregate_key", "sequence"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_gateway_delivery_tenant_id"), ["tenant_id"])
    enable_tenant_rls(op, "gateway_subscription")
    enable_tenant_rls(op, "gateway_delivery")
    grant_to_app_role(op)


def downgrade() -> None:
    op.drop_table("gateway_delivery")
    op.drop_table("gateway_subscription")
    op.drop_table("gateway_connector")
