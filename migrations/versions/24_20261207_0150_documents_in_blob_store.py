"""case documents rendered after commit: the filled template (html) kept until a worker
renders the PDF into the blob store; sha256 and size unknown (NULL) while pending; the
time it was rendered

Existing rows keep their PDF in `pdf` and are read from there (`yimen documents
move-to-blobs` moves them into the blob store, which alembic cannot reach: its location is
the application's configuration).

Revision ID: 20261207_0150
Revises: 20261207_0123
Create Date: 2026-12-07 17:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "20261207_0150"
down_revision = "20261207_0130"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("html", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("rendered_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column("sha256", existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column("size", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(
            "ix_case_document_pending",
            ["tenant_id", "issued_at"],
            unique=False,
            postgresql_where=sa.text("sha256 IS NULL"),
            sqlite_where=sa.text("sha256 IS NULL"),
        )


def downgrade() -> None:
    # The older schema reads a PDF only from the row: a pending document (no hash yet) or
    # one whose PDF is in the blob store would be lost to it. Refuse rather than lose one.
    left = op.get_bind().execute(sa.text("SELECT count(*) FROM case_document WHERE pdf IS NULL"))
    if left.scalar():
        raise RuntimeError(
            "case_document rows without an inline PDF (pending, or in the blob store): "
            "the previous schema cannot serve them; downgrade refused"
        )
    with op.batch_alter_table("case_document", schema=None) as batch_op:
        batch_op.drop_index("ix_case_document_pending")
        batch_op.alter_column("size", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("sha256", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column("rendered_at")
        batch_op.drop_column("html")
