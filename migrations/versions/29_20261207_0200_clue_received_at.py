"""clue received_at: when the hotline took the call, or the 12345 platform the work order

A hotline clue names its hotline in `source` (`hotline` for 12319, `hotline_12345` for
12345) and the call's id or the work order's number in `source_ref`: the existing unique
key (tenant_id, source, source_ref) makes an order typed by an operator and the same
order pushed later by the 12345 platform one clue.

Revision ID: 20261207_0200
Revises: 20261207_0190
Create Date: 2026-12-07 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "20261207_0200"
down_revision = "20261207_0190"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clue", schema=None) as batch_op:
        batch_op.add_column(sa.Column("received_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clue", schema=None) as batch_op:
        batch_op.drop_column("received_at")
