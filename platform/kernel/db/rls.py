"""Row-level security DDL, used by the migrations (PostgreSQL only)."""

from __future__ import annotations

import os

POLICY = "tenant_isolation"
TENANT_EXPR = "NULLIF(current_setting('app.tenant_id', true), '')::uuid"


def app_role() -> str:
    return os.environ.get("YIMEN_DB_APP_ROLE", "yimen_app")


def enable_tenant_rls(op, table: str) -> None:
    """ENABLE + FORCE row-level security on `table` with a policy on app.tenant_id."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY {POLICY} ON {table} "
        f"USING (tenant_id = {TENANT_EXPR}) WITH CHECK (tenant_id = {TENANT_EXPR})"
    )


def grant_to_app_role(op) -> None:
    """Give the application role data access (never ownership) to every table."""
    if op.get_bind().dialect.name != "postgresql":
        return
    role = app_role()
    op.execute(
        f"""
        DO $$ BEGIN
          IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
            GRANT USAGE ON SCHEMA public TO {role};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
            GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
            REVOKE ALL ON alembic_version FROM {role};
          END IF;
        END $$;
        """
    )
