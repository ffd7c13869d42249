"""power list: catalog, adoption, assignment

Revision ID: 20261122_0009
Revises: 20261122_0008
Create Date: 2026-11-22 16:58:40.528636
"""

import sqlalchemy as sa
from alembic import op

from yimen.platform.kernel.db.rls import enable_tenant_rls, grant_to_app_role

revision = "20261122_0009"
down_revision = "20261122_0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "enforcement_matter",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("domain", sa.String(length=40), nullable=False),
        sa.Column("law", sa.String(length=100), nullable=False),
        sa.Column("article", sa.String(length=60), nullable=False),
        sa.Column("penalty_kinds", sa.JSON(), nullable=False),
        sa.Column("fine_min", sa.Integer(), nullable=True),
        sa.Column("fine_max", sa.Integer(), nullable=True),
        sa.Column("fine_rule", sa.Text(), nullable=False),
        sa.Column("benchmark", sa.JSON(), nullable=False),
        sa.Column("is_major", sa.Boolean(), nullable=False),
        sa.Column("criminal_threshold", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enforcement_matter")),
        sa.UniqueConstraint("code", name=op.f("uq_enforcement_matter_code")),
    )
    with op.batch_alter_table("enforcement_matter", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enforcement_matter_domain"), ["domain"], unique=False)

    op.create_table(
        "matter_adoption",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("matter_id", sa.Uuid(), nullable=False),
        sa.Column("adopted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("on_major_list", sa.Boolean(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["matter_id"],
            ["enforcement_matter.id"],
            name=op.f("fk_matter_adoption_matter_id_enforcement_matter"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_matter_adoption_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matter_adoption")),
        sa.UniqueConstraint(
            "tenant_id", "matter_id", name=op.f("uq_matter_adoption_tenant_id_matter_id")
        ),
    )
    with op.batch_alter_table("matter_adoption", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_matter_adoption_matter_id"), ["matter_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_matter_adoption_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "matter_assignment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("adoption_id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["adoption_id"],
            ["matter_adoption.id"],
            name=op.f("fk_matter_assignment_adoption_id_matter_adoption"),
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_matter_assignment_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_matter_assignment_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matter_assignment")),
    )
    with op.batch_alter_table("matter_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_matter_assignment_adoption_id"), ["adoption_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_matter_assignment_agency_id"), ["agency_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_matter_assignment_tenant_id"), ["tenant_id"], unique=False
        )
        batch_op.create_index(
            "uq_matter_assignment_current",
            ["adoption_id"],
            unique=True,
            postgresql_where=sa.text("valid_to IS NULL"),
            sqlite_where=sa.text("valid_to IS NULL"),
        )

    enable_tenant_rls(op, "matter_adoption")
    enable_tenant_rls(op, "matter_assignment")
    grant_to_app_role(op)


def downgrade() -> None:
    with op.batch_alter_table("matter_assignment", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_matter_assignment_current",
            postgresql_where=sa.text("valid_to IS NULL"),
            sqlite_where=sa.text("valid_to IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_matter_assignment_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_matter_assignment_agency_id"))
        batch_op.drop_index(batch_op.f("ix_matter_assignment_adoption_id"))

    op.drop_table("matter_assignment")
    with op.batch_alter_table("matter_adoption", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_matter_adoption_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_matter_adoption_matter_id"))

    op.drop_table("matter_adoption")
    with op.batch_alter_table("enforcement_matter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enforcement_matter_domain"))

    op.drop_table("enforcement_matter")
