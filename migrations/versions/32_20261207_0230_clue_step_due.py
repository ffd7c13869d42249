"""clue step due: the acceptance deadline a step gave the agency it offered or
transferred the clue to

Each agency a clue is transferred to has its own acceptance period from the transfer,
while the first deadline — the promise made to the complainant — stays on the record
and on the complainant's progress page. Existing steps keep no deadline (the clue's
current `accept_due` is unchanged).

A clue turned into a case draft was recorded as "case filed" (step and outcome) before
the head had filed anything. Those records now say what they were: the step
`case_drafted`, and the outcome from the case's status — under review (`case_review`)
while a draft, `case_declined` when not filed, `case_closed` when closed or archived,
`case_filed` while the case is open.

Revision ID: 20261207_0230
Revises: 20261207_0220
Create Date: 2026-12-07 22:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "20261207_0230"
down_revision = "20261207_0220"
branch_labels = None
depends_on = None


_tenant = sa.table("tenant", sa.column("id", sa.Uuid()))

UP = (
    "UPDATE clue_step SET action = 'case_drafted' WHERE action = 'case_filed'",
    """
    UPDATE clue SET outcome = CASE (
        SELECT c.status FROM enforcement_case c
        WHERE c.clue_id = clue.id AND c.tenant_id = clue.tenant_id
    )
        WHEN 'draft' THEN 'case_review'
        WHEN 'not_filed' THEN 'case_declined'
        WHEN 'closed' THEN 'case_closed'
        WHEN 'archived' THEN 'case_closed'
        ELSE 'case_filed'
    END
    WHERE outcome = 'case_filed'
    """,
)
DOWN = (
    "UPDATE clue SET outcome = 'case_filed' "
    "WHERE outcome IN ('case_review', 'case_declined', 'case_closed')",
    "UPDATE clue_step SET action = 'case_filed' WHERE action = 'case_drafted'",
)


def _each_district(statements: tuple[str, ...]) -> None:
    """District by district: on PostgreSQL these tables are under row-level security,
    forced on their owner too, so each district's rows are written with its
    app.tenant_id set (for this transaction only)."""
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    for (tenant_id,) in bind.execute(sa.select(_tenant.c.id)).all() if postgres else [(None,)]:
        if postgres:
            bind.execute(
                sa.text("select set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)}
            )
        for statement in statements:
            bind.execute(sa.text(statement))
    if postgres:
        bind.execute(sa.text("select set_config('app.tenant_id', '', true)"))


def upgrade() -> None:
    with op.batch_alter_table("clue_step", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due", sa.Date(), nullable=True))
    _each_district(UP)


def downgrade() -> None:
    _each_district(DOWN)
    with op.batch_alter_table("clue_step", schema=None) as batch_op:
        batch_op.drop_column("due")
