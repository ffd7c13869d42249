"""PostgreSQL enforces tenant isolation by itself, whatever the application code does."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from sqlalchemy import create_engine, inspect

from yimen.platform.models import metadata

pytestmark = pytest.mark.postgres


def _tenant_tables(conn) -> list[str]:
    rows = conn.execute(
        """
        select c.table_name from information_schema.columns c
        join information_schema.tables t using (table_schema, table_name)
        where c.table_schema = 'public' and c.column_name = 'tenant_id' and t.table_type = 'BASE TABLE'
        order by 1
        """
    ).fetchall()
    return [r[0] for r in rows]


def test_every_table_with_a_tenant_id_has_an_enabled_and_forced_policy(pg_database):
    with psycopg.connect(pg_database.owner_url.replace("+psycopg", "")) as conn:
        tables = _tenant_tables(conn)
        assert "agency" in tables and "officer" in tables
        unprotected = []
        for table in tables:
            enabled, forced = conn.execute(
                "select relrowsecurity, relforcerowsecurity from pg_class "
                "where relname = %s and relnamespace = 'public'::regnamespace",
                (table,),
            ).fetchone()
            policies = conn.execute(
                "select qual, with_check from pg_policies where tablename = %s", (table,)
            ).fetchall()
            guarded = any(
                "app.tenant_id" in (q or "") and "app.tenant_id" in (w or "") for q, w in policies
            )
            if not (enabled and forced and guarded):
                unprotected.append(table)
        assert unprotected == []


def test_every_tenant_owned_model_is_covered_by_the_catalog(pg_database):
    with psycopg.connect(pg_database.owner_url.replace("+psycopg", "")) as conn:
        tables = set(_tenant_tables(conn))
    modelled = {t.name for t in metadata.sorted_tables if "tenant_id" in t.c}
    assert modelled == tables


def test_the_application_role_owns_nothing_and_cannot_bypass_rls(pg_database):
    with pg_database.connect_as_app() as conn:
        superuser, bypass = conn.execute(
            "select rolsuper, rolbypassrls from pg_roles where rolname = current_user"
        ).fetchone()
        owned = conn.execute(
            "select count(*) from pg_tables where schemaname = 'public' and tableowner = current_user"
        ).fetchone()[0]
    assert (superuser, bypass, owned) == (False, False, 0)


def _seed_two_tenants(pg_database) -> tuple[uuid.UUID, uuid.UUID]:
    ids = (uuid.uuid4(), uuid.uuid4())
    with pg_database.connect_as_app() as conn:
        for n, tenant_id in enumerate(ids):
            code = f"9{uuid.uuid4().int % 100000:05d}"
            conn.execute(
                "insert into tenant (id, slug, name, name_en, division_code, timezone, status, settings, "
                "created_at, updated_at) values (%s, %s, %s, '', %s, 'Asia/Shanghai', 'active', '{}', now(), now())",
                (tenant_id, f"rls{tenant_id.hex[:8]}", f"区{n}", code),
            )
            with conn.transaction():
                conn.execute("select set_config('app.tenant_id', %s, true)", (str(tenant_id),))
                conn.execute(
                    "insert into agency (id, tenant_id, code, name, name_en, credit_code, kind, domains, "
                    "has_compulsory_power, doc_prefix, staffing_quota, created_at, updated_at) values "
                    "(%s, %s, 'hb', '生态环境局', '', %s, 'enforcement', '[]', false, '', 0, now(), now())",
                    (uuid.uuid4(), tenant_id, f"11{code}MB0000000X"),
                )
        conn.commit()
    return ids


def test_raw_sql_as_the_application_role_sees_only_the_current_tenant(pg_database):
    a, b = _seed_two_tenants(pg_database)
    with pg_database.connect_as_app() as conn:
        conn.execute("select set_config('app.tenant_id', %s, false)", (str(a),))
        tenants_seen = {r[0] for r in conn.execute("select tenant_id from agency")}
        assert tenants_seen == {a}
        assert (
            conn.execute("select count(*) from agency where tenant_id = %s", (b,)).fetchone()[0]
            == 0
        )


def test_raw_sql_cannot_update_or_delete_another_tenants_rows(pg_database):
    a, b = _seed_two_tenants(pg_database)
    with pg_database.connect_as_app() as conn:
        conn.execute("select set_config('app.tenant_id', %s, false)", (str(a),))
        assert conn.execute("update agency set name = 'x' where tenant_id = %s", (b,)).rowcount == 0
        assert conn.execute("delete from agency where tenant_id = %s", (b,)).rowcount == 0
        conn.commit()
    with pg_database.connect_as_app() as conn:
        conn.execute("select set_config('app.tenant_id', %s, false)", (str(b),))
        assert conn.execute("select name from agency").fetchone()[0] == "生态环境局"


def test_raw_sql_cannot_insert_a_row_into_another_tenant(pg_database):
    a, b = _seed_two_tenants(pg_database)
    with pg_database.connect_as_app() as conn:
        conn.execute("select set_config('app.tenant_id', %s, false)", (str(a),))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(
                "insert into unit (id, tenant_id, agency_id, name, kind, grid, created_at, updated_at) "
                "select %s, %s, id, '中队', 'professional', '', now(), now() from agency limit 1",
                (uuid.uuid4(), b),
            )


def test_without_a_tenant_setting_the_application_role_sees_nothing(pg_database):
    _seed_two_tenants(pg_database)
    with pg_database.connect_as_app() as conn:
        assert conn.execute("select count(*) from agency").fetchone()[0] == 0


def test_autogenerate_finds_no_difference_between_models_and_migrations_on_postgresql(pg_database):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = create_engine(pg_database.owner_url)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), metadata
        )
    engine.dispose()
    assert diff == []
    assert "agency" in inspect(create_engine(pg_database.owner_url)).get_table_names()
