"""inbound SOAP service: envelopes kept for audit; machine clients' sealed secrets

`gateway_envelope`: the raw request of every authenticated call on an inbound service
(the upper-level systems' SOAP clue service), with the connector, operation, client,
natural key and outcome; tenant-owned under RLS, read only by the district administrator.

`gateway_nonce`: the WS-Security nonces a district's inbound service accepted, kept for
as long as a token carrying one could be fresh, so that every process refuses a replay.

`idp_client.client_secret_sealed`: the secret of a machine client allowed on a SOAP
connector, sealed with a key derived from the deployment's secret key (never in the
database), since a WS-Security digest is checked against the password itself.

Revision ID: 20261208_0310
Revises: 20261208_0250
Create Date: 2026-12-08 03:10:00
"""

import sqlalchemy as sa
from alembic import op

from yimen.platform.kernel.db.rls import enable_tenant_rls, grant_to_app_role

revision = "20261208_0310"
down_revision = "20261208_0300"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gateway_envelope",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("connector", sa.String(length=40), nullable=False),
        sa.Column("operation", sa.String(length=60), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("natural_key", sa.String(length=120), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("envelope", sa.LargeBinary(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_gateway_envelope_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_gateway_envelope")),
    )
    with op.batch_alter_table("gateway_envelope", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gateway_envelope_tenant_id"), ["tenant_id"])
        batch_op.create_index(batch_op.f("ix_gateway_envelope_natural_key"), ["natural_key"])
        batch_op.create_index(batch_op.f("ix_gateway_envelope_received_at"), ["received_at"])
    enable_tenant_rls(op, "gateway_envelope")

    op.create_table(
        "gateway_nonce",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=100), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_gateway_nonce_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_gateway_nonce")),
        sa.UniqueConstraint(
            "tenant_id", "username", "nonce", name=op.f("uq_gateway_nonce_tenant_id_username_nonce")
        ),
    )
    with op.batch_alter_table("gateway_nonce", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gateway_nonce_tenant_id"), ["tenant_id"])
        batch_op.create_index(batch_op.f("ix_gateway_nonce_created"), ["created"])
    enable_tenant_rls(op, "gateway_nonce")

    with op.batch_alter_table("idp_client", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_secret_sealed", sa.Text(), nullable=True))
    grant_to_app_role(op)


def downgrade() -> None:
    with op.batch_alter_table("idp_client", schema=None) as batch_op:
        batch_op.drop_column("client_secret_sealed")
    op.drop_table("gateway_nonce")
    op.drop_table("gateway_envelope")
