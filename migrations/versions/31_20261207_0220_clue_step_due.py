"""clue step due: the acceptance deadline a step gave the agency it offered or
transferred the clue to

Each agency a clue is transferred to has its own acceptance period from the transfer,
while the first deadline — the promise made to the complainant — stays on the record
and on the complainant's progress page. Existing steps keep no deadline (the clue's
current `accept_due` is unchanged).

Revision ID: 20261207_0220
Revises: 20261207_0210
Create Date: 2026-12-07 22:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "20261207_0220"
down_revision = "20261207_0210"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clue_step", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clue_step", schema=None) as batch_op:
        batch_op.drop_column("due")
