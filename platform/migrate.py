"""Runs alembic from code: migrations/ is the only source of the schema.

On PostgreSQL every upgrade ends by granting the application role data access to every
table and sequence and by setting the default privileges for tables created later, so a
role created after the first upgrade is put right by running `yimen db upgrade` again.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

import yimen.migrations
from yimen.platform.kernel.db.rls import app_role


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(yimen.migrations.__file__).parent))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "heads") -> str | None:
    """Migrates, then grants; returns a warning for the operator, or None."""
    command.upgrade(alembic_config(url), revision)
    return grant_app_role(url)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def grant_app_role(url: str) -> str | None:
    """Data access (never ownership) for the application role, now and for later tables.
    Returns why it could not, or why the role is unsafe; None when all is well."""
    if not url.startswith("postgresql"):
        return None
    role = app_role()
    engine = create_engine(url, hide_parameters=True)
    try:
        with engine.begin() as conn:
            found = conn.execute(
                text("select rolsuper, rolbypassrls from pg_roles where rolname = :r"),
                {"r": role},
            ).first()
            if found is None:
                return (
                    f"应用角色 {role} 不存在：请先创建 (LOGIN NOSUPERUSER NOBYPASSRLS)，再运行一次 "
                    f"yimen db upgrade / the application role {role} does not exist: create it "
                    "(LOGIN NOSUPERUSER NOBYPASSRLS), then run `yimen db upgrade` again"
                )
            for statement in (
                f'GRANT USAGE ON SCHEMA public TO "{role}"',
                f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"',
                f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
                f'REVOKE ALL ON alembic_version FROM "{role}"',
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
                f'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{role}"',
                f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO "{role}"',
            ):
                conn.execute(text(statement))
    finally:
        engine.dispose()
    if found.rolsuper or found.rolbypassrls:
        return (
            f"应用角色 {role} 是超级用户或可绕过行级安全，区与区之间不再隔离 / the application role "
            f"{role} is a superuser or BYPASSRLS: districts are not isolated from each other"
        )
    return None
