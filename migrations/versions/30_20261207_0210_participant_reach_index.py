"""an agency's reach served by an index: (tenant_id, agency_id, record) of the current
participations, and statistics that tell PostgreSQL an agency belongs to one district

Every list an agency-bound caller reads is narrowed to `id IN (the cases / clues its
agency takes part in now)` (kernel/db/agency_scope.py). At 1,000,000 cases the officer's
first page took ~140 ms of SQL (benchmarks/bench_case_list.py): the participations were
read from the heap, one page per row, and PostgreSQL, multiplying the selectivities of
tenant_id and agency_id as if independent, expected 58 rows instead of 6,000, so it
joined and sorted them all. The partial index (until IS NULL) answers from the index
alone (count and semi-join); the dependency statistics fix the estimate, so the page
walks the district's list index in order and stops after a page (~30 ms in all).

Revision ID: 20261207_0210
Revises: 20261207_0200
Create Date: 2026-12-07 21:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "20261207_0210"
down_revision = "20261207_0200"
branch_labels = None
depends_on = None

TABLES = (("case_participant", "case_id"), ("clue_participant", "clue_id"))


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, record in TABLES:
        op.create_index(
            f"ix_{table}_reach",
            table,
            ["tenant_id", "agency_id", record],
            postgresql_where=sa.text("until IS NULL"),
            sqlite_where=sa.text("until IS NULL"),
        )
        if postgresql:
            op.execute(
                f"CREATE STATISTICS st_{table}_agency (dependencies)"
                f" ON tenant_id, agency_id FROM {table}"
            )
            op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, _ in TABLES:
        if postgresql:
            op.execute(f"DROP STATISTICS IF EXISTS st_{table}_agency")
        op.drop_index(f"ix_{table}_reach", table_name=table)
