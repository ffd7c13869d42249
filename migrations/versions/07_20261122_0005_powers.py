"""powers: structured legal basis, party type, tiers, criminal-transfer figures, validity

The catalog's first revision (20261122_0009) stored the penalty article only. This one
adds the provisions violated (`basis`), whose fine range a row gives (`party_type`),
the figures of the criminal-transfer thresholds, the entry's validity dates, and where
the entry came from (the starter catalog, which `yimen powers seed` keeps current, or an
operator's import, which it leaves alone). Existing rows read as starter entries of the
2026 edition; `yimen powers seed` fills in their new fields.

It branches from the catalog's revision (it touches nothing else); `yimen db upgrade`
migrates every head. The number 0005 was reserved for the power list.

Revision ID: 20261122_0005
Revises: 20261122_0009
Create Date: 2026-11-22 18:05:06.868267
"""

import sqlalchemy as sa
from alembic import op

from yimen.platform.kernel.db.rls import grant_to_app_role

revision = "20261122_0005"
down_revision = "20261122_0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enforcement_matter", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("basis", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(
            sa.Column("party_type", sa.String(length=20), nullable=False, server_default="any")
        )
        batch_op.add_column(
            sa.Column("threshold_values", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
        batch_op.add_column(sa.Column("effective_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("effective_to", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("origin", sa.String(length=10), nullable=False, server_default="starter")
        )
    op.execute("UPDATE enforcement_matter SET effective_from = '2026-01-01'")
    with op.batch_alter_table("enforcement_matter", schema=None) as batch_op:
        batch_op.alter_column("effective_from", existing_type=sa.Date(), nullable=False)
    grant_to_app_role(op)


def downgrade() -> None:
    with op.batch_alter_table("enforcement_matter", schema=None) as batch_op:
        batch_op.drop_column("origin")
        batch_op.drop_column("effective_to")
        batch_op.drop_column("effective_from")
        batch_op.drop_column("threshold_values")
        batch_op.drop_column("party_type")
        batch_op.drop_column("basis")
