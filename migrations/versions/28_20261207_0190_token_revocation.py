"""token revocation (RFC 7009): the grant a refresh token belongs to, and the access
tokens revoked before they expire

`idp_refresh_token.grant_id` ties the refresh tokens of one grant (a sign-in at one
client and every rotation since); the access tokens issued with them carry it as `sid`.
`idp_revoked_token` lists what the API must refuse until it expires: one access token
by its `jti`, or every access token of a revoked grant by its `sid`. Tokens issued
before this revision have no grant: revoking one revokes that refresh token alone.

Revision ID: 20261207_0190
Revises: 20261207_0180
Create Date: 2026-12-07 21:00:00
"""

import sqlalchemy as sa
from alembic import op

from yimen.platform.kernel.db.rls import enable_tenant_rls, grant_to_app_role

revision = "20261207_0190"
down_revision = "20261207_0180"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("idp_refresh_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("grant_id", sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f("ix_idp_refresh_token_grant_id"), ["grant_id"])
    op.create_table(
        "idp_revoked_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("claim", sa.String(length=3), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_idp_revoked_token_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_idp_revoked_token")),
        sa.UniqueConstraint(
            "tenant_id", "claim", "value", name=op.f("uq_idp_revoked_token_tenant_id_claim_value")
        ),
    )
    with op.batch_alter_table("idp_revoked_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idp_revoked_token_expires_at"), ["expires_at"])
        batch_op.create_index(batch_op.f("ix_idp_revoked_token_tenant_id"), ["tenant_id"])
    enable_tenant_rls(op, "idp_revoked_token")
    grant_to_app_role(op)


def downgrade() -> None:
    op.drop_table("idp_revoked_token")
    with op.batch_alter_table("idp_refresh_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idp_refresh_token_grant_id"))
        batch_op.drop_column("grant_id")
