"""external cases: cases pulled from a vertical sector system, and each district's pull
state per connector

`external_case` keeps one row per (district, connector, upstream id) — the upstream's
fields, its `updated_at`, the district's agency of its agency code, and the match to one
of the district's own cases (linked automatically on credit code and decision number,
proposed on party, matter and date, confirmed or rejected by a person).
`external_source` keeps, per (district, connector), the watermark of the last finished
pass, the pass under way with its cursor, and whether pulled cases also go on to
disclosure and credit (`onward`, off).

Revision ID: 20261208_0300
Revises: 20261207_0230
Create Date: 2026-12-08 03:00:00
"""

import sqlalchemy as sa
from alembic import op

from yimen.platform.kernel.db.rls import enable_tenant_rls, grant_to_app_role

revision = "20261208_0300"
# Written beside 20261208_0240 and 20261208_0250 (other branches): re-pointed at merge.
down_revision = "20261208_0240"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def _tenant_key(table: str) -> list:
    return [
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f(f"fk_{table}_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "external_case",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("connector", sa.String(length=40), nullable=False),
        sa.Column("upstream_id", sa.String(length=64), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=True),
        sa.Column("party_kind", sa.String(length=20), nullable=False),
        sa.Column("party_name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("matter_code", sa.String(length=40), nullable=False),
        sa.Column("matter_name", sa.String(length=200), nullable=False),
        sa.Column("decision_number", sa.String(length=80), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("fine_fen", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("upstream_updated_at", _TZ, nullable=False),
        sa.Column("first_pulled_at", _TZ, nullable=False),
        sa.Column("last_changed_at", _TZ, nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("match_state", sa.String(length=20), nullable=False),
        sa.Column("match_reason", sa.String(length=200), nullable=False),
        sa.Column("matched_by", sa.String(length=120), nullable=False),
        sa.Column("matched_at", _TZ, nullable=True),
        sa.Column("rejected_case_ids", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_tenant_key("external_case"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "agency_id"],
            ["agency.tenant_id", "agency.id"],
            name=op.f("fk_external_case_agency_id_agency"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "case_id"],
            ["enforcement_case.tenant_id", "enforcement_case.id"],
            name=op.f("fk_external_case_case_id_enforcement_case"),
        ),
        sa.UniqueConstraint(
            "tenant_id",
            "connector",
            "upstream_id",
            name=op.f("uq_external_case_tenant_id_connector_upstream_id"),
        ),
    )
    with op.batch_alter_table("external_case", schema=None) as batch_op:
        batch_op.create_index(
            "ix_external_case_agency", ["tenant_id", "agency_id", "decision_date"]
        )
        batch_op.create_index(batch_op.f("ix_external_case_tenant_id"), ["tenant_id"])
    op.create_table(
        "external_source",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("connector", sa.String(length=40), nullable=False),
        sa.Column("onward", sa.Boolean(), nullable=False),
        sa.Column("watermark", _TZ, nullable=True),
        sa.Column("last_full_pass_at", _TZ, nullable=True),
        sa.Column("pass_since", _TZ, nullable=True),
        sa.Column("pass_until", _TZ, nullable=True),
        sa.Column("pass_full", sa.Boolean(), nullable=False),
        sa.Column("cursor", sa.String(length=2000), nullable=True),
        sa.Column("last_run_at", _TZ, nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        *_tenant_key("external_source"),
        sa.UniqueConstraint(
            "tenant_id", "connector", name=op.f("uq_external_source_tenant_id_connector")
        ),
    )
    with op.batch_alter_table("external_source", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_external_source_tenant_id"), ["tenant_id"])
    enable_tenant_rls(op, "external_case")
    enable_tenant_rls(op, "external_source")
    grant_to_app_role(op)


def downgrade() -> None:
    op.drop_table("external_source")
    op.drop_table("external_case")
