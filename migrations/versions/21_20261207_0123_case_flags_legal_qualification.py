"""case flags (a rule and its article, zh/en reason, raised and resolved; one open flag per
case and rule) and the legal reviewer's 法律职业资格 on the officer (行政处罚法 第五十八条第二款)

Revision ID: 20261207_0123
Revises: 20261207_0120
Create Date: 2026-12-07 14:40:00
"""

import sqlalchemy as sa
from alembic import op

from yimen.platform.kernel.db.rls import enable_tenant_rls, grant_to_app_role

revision = "20261207_0123"
down_revision = "20261207_0120"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_flag",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("rule", sa.String(length=60), nullable=False),
        sa.Column("article", sa.String(length=200), nullable=False),
        sa.Column("reason_zh", sa.String(length=500), nullable=False),
        sa.Column("reason_en", sa.String(length=500), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["enforcement_case.id"], name=op.f("fk_case_flag_case_id_enforcement_case")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_case_flag_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_flag")),
    )
    with op.batch_alter_table("case_flag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_flag_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_flag_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(
            "uq_case_flag_open",
            ["case_id", "rule"],
            unique=True,
            postgresql_where=sa.text("resolved_at IS NULL"),
            sqlite_where=sa.text("resolved_at IS NULL"),
        )
    with op.batch_alter_table("officer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("legal_qualification_no", sa.String(length=40), nullable=True)
        )
        batch_op.add_column(sa.Column("legal_qualification_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("first_legal_review_on", sa.Date(), nullable=True))

    enable_tenant_rls(op, "case_flag")
    grant_to_app_role(op)


def downgrade() -> None:
    with op.batch_alter_table("officer", schema=None) as batch_op:
        batch_op.drop_column("first_legal_review_on")
        batch_op.drop_column("legal_qualification_on")
        batch_op.drop_column("legal_qualification_no")
    with op.batch_alter_table("case_flag", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_case_flag_open",
            postgresql_where=sa.text("resolved_at IS NULL"),
            sqlite_where=sa.text("resolved_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_case_flag_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_case_flag_case_id"))
    op.drop_table("case_flag")
