"""hearing thresholds confirmed by the district, the agency's payment account

`hearing_threshold.source_number` (the 文号 of the provincial or ministerial rule),
`confirmed_by` and `confirmed_at`: a district's 较大数额 (处罚法 第六十三条) is its own
once its administrator confirms it, citing that rule; until then the engine applies no
more than the lowest standard it knows. Rows from before this revision were seeded
with one province's figures and are left unconfirmed: each district's administrator
confirms them.

`agency.payment_account` ({name, bank, number}): the account an agency's decisions name
for paying fines (处罚法 第六十七条); empty until the administrator sets it.

Revision ID: 20261207_0220
Revises: 20261207_0210
Create Date: 2026-12-07 21:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "20261207_0220"
down_revision = "20261207_0210"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hearing_threshold", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source_number", sa.String(length=100), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("confirmed_by", sa.String(length=120), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("hearing_threshold", schema=None) as batch_op:
        batch_op.alter_column("source_number", server_default=None)
        batch_op.alter_column("confirmed_by", server_default=None)
    op.execute(
        "UPDATE hearing_threshold SET source_number = '上海市人民政府令第77号' "
        "WHERE source LIKE '%沪府令77号%'"
    )
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payment_account", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_column("payment_account")
    with op.batch_alter_table("hearing_threshold", schema=None) as batch_op:
        batch_op.drop_column("confirmed_at")
        batch_op.drop_column("confirmed_by")
        batch_op.drop_column("source_number")
