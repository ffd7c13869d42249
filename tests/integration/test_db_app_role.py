"""`yimen db upgrade` grants the application role its data access every time it runs, so
a role created after the first upgrade is put right by upgrading again (README: setting
up a production database)."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from click.testing import CliRunner

from tests import support
from yimen.platform.migrate import upgrade


@pytest.fixture
def empty_database(pg_database, monkeypatch):
    """A fresh database owned by the test owner role, and an app role name not yet created."""
    name = f"yimen_roles_{uuid.uuid4().hex[:8]}"
    role = f"yimen_app_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("YIMEN_DB_APP_ROLE", role)
    with psycopg.connect(support.PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} OWNER {support.OWNER_ROLE}")
    yield support._dsn_with(name, support.OWNER_ROLE), name, role
    with psycopg.connect(support.PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"DROP ROLE IF EXISTS {role}")


def _as_app(url: str, role: str) -> psycopg.Connection:
    return psycopg.connect(url.replace("+psycopg", "").replace(support.OWNER_ROLE, role))


def test_a_role_created_after_the_first_upgrade_is_granted_by_the_next(empty_database):
    url, _, role = empty_database
    warning = upgrade(url)
    assert warning and role in warning and "NOBYPASSRLS" in warning
    with psycopg.connect(support.PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE")
    with _as_app(url, role) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("select count(*) from tenant")
    assert upgrade(url) is None  # the README's recipe: upgrading again is enough
    with _as_app(url, role) as conn:
        assert conn.execute("select count(*) from tenant").fetchone()[0] == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select * from alembic_version")
    # A table a later migration creates is reachable without another grant.
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as owner:
        owner.execute("create table later_table (id int)")
    with _as_app(url, role) as conn:
        assert conn.execute("select count(*) from later_table").fetchone()[0] == 0


def test_an_app_role_that_bypasses_rls_is_reported(empty_database):
    url, _, role = empty_database
    with psycopg.connect(support.PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN BYPASSRLS")
    warning = upgrade(url)
    assert warning and "BYPASSRLS" in warning


def test_the_cli_prints_the_missing_role_warning(empty_database, monkeypatch, tmp_path):
    from yimen.platform.kernel.db import db
    from yimen.platform.main import main

    url, _, role = empty_database
    monkeypatch.setenv("YIMEN_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("YIMEN_SECRET_KEY", "cli-test")
    request_cleanup = db.remove
    monkeypatch.setenv("YIMEN_DATABASE_URL", url)
    monkeypatch.setenv("YIMEN_MIGRATE_DATABASE_URL", url)
    try:
        result = CliRunner().invoke(main, ["db", "upgrade"])
    finally:
        request_cleanup()
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    assert role in result.output and "不存在" in result.output
