"""foundation: tenants, directory, identity provider, workers

Revision ID: 20261122_0001
Revises:
Create Date: 2026-11-22 15:47:23.493386
"""

import sqlalchemy as sa
from alembic import op

from yimen.platform.kernel.db.rls import enable_tenant_rls, grant_to_app_role

revision = "20261122_0001"
down_revision = None
branch_labels = None
depends_on = None

TENANT_TABLES = (
    "agency",
    "unit",
    "officer",
    "role_assignment",
    "idp_signing_key",
    "idp_client",
    "idp_credential",
    "idp_authorization_code",
    "idp_refresh_token",
)


def upgrade() -> None:
    op.create_table(
        "tenant",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("timezone", sa.String(length=40), nullable=False),
        sa.Column(
            "status",
            sa.Enum("active", "suspended", name="tenantstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant")),
        sa.UniqueConstraint("division_code", name=op.f("uq_tenant_division_code")),
        sa.UniqueConstraint("slug", name=op.f("uq_tenant_slug")),
    )
    op.create_table(
        "worker_heartbeat",
        sa.Column("worker", sa.String(length=100), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("beats", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("worker", name=op.f("pk_worker_heartbeat")),
    )
    op.create_table(
        "agency",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=160), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "enforcement",
                "comprehensive_bureau",
                "business_regulator",
                "legal_affairs",
                "procuratorate",
                "police",
                "discipline",
                "township",
                name="agencykind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("domains", sa.JSON(), nullable=False),
        sa.Column("has_compulsory_power", sa.Boolean(), nullable=False),
        sa.Column("doc_prefix", sa.String(length=20), nullable=False),
        sa.Column("staffing_quota", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_agency_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_agency_tenant_id_code")),
        sa.UniqueConstraint(
            "tenant_id", "credit_code", name=op.f("uq_agency_tenant_id_credit_code")
        ),
    )
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "idp_client",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("client_secret_hash", sa.String(length=255), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("redirect_uris", sa.JSON(), nullable=False),
        sa.Column("post_logout_redirect_uris", sa.JSON(), nullable=False),
        sa.Column("grant_types", sa.JSON(), nullable=False),
        sa.Column("scope", sa.String(length=255), nullable=False),
        sa.Column("token_endpoint_auth_method", sa.String(length=40), nullable=False),
        sa.Column("service_roles", sa.JSON(), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_idp_client_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idp_client")),
        sa.UniqueConstraint(
            "tenant_id", "client_id", name=op.f("uq_idp_client_tenant_id_client_id")
        ),
    )
    with op.batch_alter_table("idp_client", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idp_client_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "idp_signing_key",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("private_jwk", sa.JSON(), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_idp_signing_key_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idp_signing_key")),
        sa.UniqueConstraint("tenant_id", "kid", name=op.f("uq_idp_signing_key_tenant_id_kid")),
    )
    with op.batch_alter_table("idp_signing_key", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idp_signing_key_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "unit",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "professional",
                "territorial",
                "township_squad",
                "office",
                name="unitkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("grid", sa.String(length=200), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_unit_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(["parent_id"], ["unit.id"], name=op.f("fk_unit_parent_id_unit")),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_unit_tenant_id_tenant"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
    )
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_unit_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_unit_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "officer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("certificate_no", sa.String(length=40), nullable=True),
        sa.Column("certificate_domains", sa.JSON(), nullable=False),
        sa.Column("certificate_valid_until", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum("active", "inactive", name="officerstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_officer_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_officer_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_officer_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer")),
        sa.UniqueConstraint(
            "tenant_id", "certificate_no", name=op.f("uq_officer_tenant_id_certificate_no")
        ),
        sa.UniqueConstraint("tenant_id", "username", name=op.f("uq_officer_tenant_id_username")),
    )
    with op.batch_alter_table("officer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_officer_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_officer_subject"), ["subject"], unique=False)
        batch_op.create_index(batch_op.f("ix_officer_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_officer_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "idp_authorization_code",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=120), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("officer_id", sa.Uuid(), nullable=False),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("scope", sa.String(length=255), nullable=False),
        sa.Column("nonce", sa.String(length=255), nullable=True),
        sa.Column("code_challenge", sa.String(length=128), nullable=True),
        sa.Column("code_challenge_method", sa.String(length=10), nullable=True),
        sa.Column("auth_time", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officer.id"],
            name=op.f("fk_idp_authorization_code_officer_id_officer"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_idp_authorization_code_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idp_authorization_code")),
        sa.UniqueConstraint(
            "tenant_id", "code", name=op.f("uq_idp_authorization_code_tenant_id_code")
        ),
    )
    with op.batch_alter_table("idp_authorization_code", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idp_authorization_code_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "idp_credential",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("officer_id", sa.Uuid(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officer.id"], name=op.f("fk_idp_credential_officer_id_officer")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_idp_credential_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idp_credential")),
        sa.UniqueConstraint(
            "tenant_id", "officer_id", name=op.f("uq_idp_credential_tenant_id_officer_id")
        ),
    )
    with op.batch_alter_table("idp_credential", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idp_credential_officer_id"), ["officer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_idp_credential_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "idp_refresh_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("officer_id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(length=255), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officer.id"], name=op.f("fk_idp_refresh_token_officer_id_officer")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_idp_refresh_token_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idp_refresh_token")),
        sa.UniqueConstraint(
            "tenant_id", "token_hash", name=op.f("uq_idp_refresh_token_tenant_id_token_hash")
        ),
    )
    with op.batch_alter_table("idp_refresh_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idp_refresh_token_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "role_assignment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("officer_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officer.id"], name=op.f("fk_role_assignment_officer_id_officer")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenant.id"],
            name=op.f("fk_role_assignment_tenant_id_tenant"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_assignment")),
        sa.UniqueConstraint(
            "tenant_id",
            "officer_id",
            "role",
            name=op.f("uq_role_assignment_tenant_id_officer_id_role"),
        ),
    )
    with op.batch_alter_table("role_assignment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_role_assignment_officer_id"), ["officer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_role_assignment_tenant_id"), ["tenant_id"], unique=False
        )

    for table in TENANT_TABLES:
        enable_tenant_rls(op, table)
    grant_to_app_role(op)


def downgrade() -> None:
    with op.batch_alter_table("role_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_assignment_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_role_assignment_officer_id"))

    op.drop_table("role_assignment")
    with op.batch_alter_table("idp_refresh_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idp_refresh_token_tenant_id"))

    op.drop_table("idp_refresh_token")
    with op.batch_alter_table("idp_credential", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idp_credential_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_idp_credential_officer_id"))

    op.drop_table("idp_credential")
    with op.batch_alter_table("idp_authorization_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idp_authorization_code_tenant_id"))

    op.drop_table("idp_authorization_code")
    with op.batch_alter_table("officer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_officer_unit_id"))
        batch_op.drop_index(batch_op.f("ix_officer_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_officer_subject"))
        batch_op.drop_index(batch_op.f("ix_officer_agency_id"))

    op.drop_table("officer")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_unit_parent_id"))
        batch_op.drop_index(batch_op.f("ix_unit_agency_id"))

    op.drop_table("unit")
    with op.batch_alter_table("idp_signing_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idp_signing_key_tenant_id"))

    op.drop_table("idp_signing_key")
    with op.batch_alter_table("idp_client", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idp_client_tenant_id"))

    op.drop_table("idp_client")
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_tenant_id"))

    op.drop_table("agency")
    op.drop_table("worker_heartbeat")
    op.drop_table("tenant")
