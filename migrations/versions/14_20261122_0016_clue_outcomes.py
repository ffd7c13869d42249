"""clue outcomes, reopening and satisfaction, escalation, duplicate groups, inbound
keys and coordinates; case drafts handed over from the one door

Revision ID: 20261122_0016
Revises: 20261122_0015
Create Date: 2026-11-22 21:00:16
"""

import sqlalchemy as sa
from alembic import op

from yimen.platform.kernel.db.rls import enable_tenant_rls, grant_to_app_role

revision = "20261122_0016"
down_revision = "20261122_0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "clue_group",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("lead_clue_id", sa.Uuid(), nullable=False),
        sa.Column("matter_code", sa.String(length=20), nullable=True),
        sa.Column("confirmed_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_clue_group_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clue_group")),
    )
    with op.batch_alter_table("clue_group", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clue_group_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "enforcement_case",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("clue_id", sa.Uuid(), nullable=True),
        sa.Column("matter_code", sa.String(length=20), nullable=True),
        sa.Column("stage", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_enforcement_case_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["clue_id"], ["clue.id"], name=op.f("fk_enforcement_case_clue_id_clue")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_enforcement_case_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_case")),
    )
    with op.batch_alter_table("enforcement_case", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enforcement_case_agency_id"), ["agency_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_enforcement_case_clue_id"), ["clue_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_enforcement_case_tenant_id"), ["tenant_id"], unique=False
        )

    with op.batch_alter_table("clue", schema=None) as batch_op:
        batch_op.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("source_ref", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("reopened", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("satisfaction", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("group_id", sa.Uuid(), nullable=True))
        batch_op.create_index(batch_op.f("ix_clue_group_id"), ["group_id"], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_clue_tenant_id_source_source_ref"), ["tenant_id", "source", "source_ref"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_clue_group_id_clue_group"), "clue_group", ["group_id"], ["id"]
        )
    # Clues closed before outcomes had a column kept the outcome as the closing step's reason.
    op.execute(
        "UPDATE clue SET outcome = (SELECT s.reason FROM clue_step s WHERE s.clue_id = clue.id"
        " AND s.action = 'closed' ORDER BY s.at DESC LIMIT 1) WHERE status = 'closed'"
    )
    op.execute("UPDATE clue SET outcome = 'merged' WHERE status = 'merged'")

    enable_tenant_rls(op, "clue_group")
    enable_tenant_rls(op, "enforcement_case")
    grant_to_app_role(op)


def downgrade() -> None:
    with op.batch_alter_table("clue", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_clue_group_id_clue_group"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_clue_tenant_id_source_source_ref"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_clue_group_id"))
        for column in (
            "group_id",
            "satisfaction",
            "reopened",
            "closed_at",
            "outcome",
            "escalated_at",
            "source_ref",
            "longitude",
            "latitude",
        ):
            batch_op.drop_column(column)

    with op.batch_alter_table("enforcement_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enforcement_case_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_enforcement_case_clue_id"))
        batch_op.drop_index(batch_op.f("ix_enforcement_case_agency_id"))
    op.drop_table("enforcement_case")
    with op.batch_alter_table("clue_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clue_group_tenant_id"))
    op.drop_table("clue_group")
