"""20261207_0140 re-keys every district's table by (tenant_id, id) on a database that
already holds data: every row and every link between rows survives, both ways."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import JSON, Enum, Table, create_engine, insert, inspect, select, text
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tests import support
from yimen.platform.kernel.db import tenancy
from yimen.platform.kernel.db.base import UTCDateTime, utcnow
from yimen.platform.kernel.db.tenancy import tenant_scope
from yimen.platform.migrate import downgrade, upgrade
from yimen.platform.models import metadata

BEFORE = "20261207_0123"
AFTER = "20261207_0140"


class _SeedSession(Session):
    """A district-scoped session without the app's other hooks: the database is at 0123,
    before auth_epoch (20261207_0130), which the token cache's flush hook would bump."""


tenancy.install(_SeedSession)


def _seed_demo(url: str, tmp_path) -> None:
    """The demo region (`make run`): districts, agencies, units, officers, their keys,
    the power list."""
    from yimen.platform.demo import seed_demo
    from yimen.tenants.calendar.service import seed as seed_calendar
    from yimen.tenants.identity import tasks
    from yimen.tenants.identity.builtin import BuiltinProvisioner
    from yimen.tenants.powers.service import seed_catalog
    from yimen.tenants.workflow.service import seed_library

    engine = create_engine(url)
    saved = tasks._provisioner  # onboarding asks the provisioning port (create_app sets it)
    tasks.configure(saved or BuiltinProvisioner("http://127.0.0.1:8000"))
    try:
        with sessionmaker(bind=engine, class_=_SeedSession, expire_on_commit=False)() as s:
            seed_calendar(s)
            seed_catalog(s)
            seed_library(s)
            seed_demo(s, "http://127.0.0.1:8000", tmp_path / "demo.json")
    finally:
        tasks._provisioner = saved
    engine.dispose()


def _value(column):
    if isinstance(column.type, Enum):
        first = column.type.enums[0]
        return first.value if isinstance(first, enum.Enum) else first
    if isinstance(column.type, JSON):
        return {}
    if isinstance(column.type, UTCDateTime):
        return utcnow()
    python_type = column.type.python_type
    return {
        uuid.UUID: uuid.uuid4(),
        str: "x",
        int: 1,
        bool: False,
        float: 0.0,
        bytes: b"x",
        dict: {},
        list: [],
        dt.date: dt.date(2026, 12, 7),
        dt.datetime: utcnow(),
    }[python_type]


def _tables_at(url: str) -> list[tuple[Table, dict[str, bool]]]:
    """The models' tables as the database has them at its revision: later migrations
    add tables and columns this test's revisions do not have."""
    engine = create_engine(url)
    insp = inspect(engine)
    present = set(insp.get_table_names())
    tables = [
        (t, {c["name"]: c["nullable"] for c in insp.get_columns(t.name)})
        for t in metadata.sorted_tables
        if t.name in present
    ]
    engine.dispose()
    return tables


def _fill_every_empty_table(url: str) -> None:
    """One row in each district table the demo leaves empty (clues, cases and all that
    hangs on them), pointing at the district's own rows, so every key is exercised."""
    engine = create_engine(url)
    with engine.begin() as conn:
        tenant = metadata.tables["tenant"]
        tenant_id = conn.execute(select(tenant.c.id).where(tenant.c.slug == "xuanwu")).scalar_one()
        if conn.dialect.name == "postgresql":
            conn.execute(
                text("select set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)}
            )
        for table, present in _tables_at(url):
            if "tenant_id" not in table.c:
                continue
            if conn.execute(select(table.c.id).where(table.c.tenant_id == tenant_id)).first():
                continue
            row = {}
            for column in (c for c in table.c if c.name in present):
                targets = [fk.column.table for fk in column.foreign_keys]
                target = next((t for t in targets if t.name != "tenant"), None)
                if column.name == "tenant_id":
                    row[column.name] = tenant_id
                elif target is not None:
                    where = [target.c.tenant_id == tenant_id] if "tenant_id" in target.c else []
                    row[column.name] = conn.execute(
                        select(target.c.id).where(*where).limit(1)
                    ).scalar_one()
                elif not present[column.name]:  # NOT NULL at this revision
                    row[column.name] = _value(column)
            # only the columns given (no defaults of columns later migrations add)
            given = sa_table(table.name, *(sa_column(n, table.c[n].type) for n in row))
            conn.execute(insert(given).values(**row))
    engine.dispose()


def _snapshot(url: str, shape=None) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order (the owner reads everything on
    SQLite; on PostgreSQL row-level security is lifted for the snapshot by reading as
    each district in turn)."""
    engine = create_engine(url)
    rows: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        tenant = metadata.tables["tenant"]
        tenants = conn.execute(select(tenant.c.id).order_by(tenant.c.id)).scalars().all()
        conn.rollback()
        for table, present in shape or _tables_at(url):
            columns = sorted((c for c in table.c if c.name in present), key=lambda c: c.name)
            found: list[tuple] = []
            scopes = tenants if "tenant_id" in table.c else [None]
            for tenant_id in scopes:
                with conn.begin():
                    if conn.dialect.name == "postgresql" and tenant_id is not None:
                        conn.execute(
                            text("select set_config('app.tenant_id', :t, true)"),
                            {"t": str(tenant_id)},
                        )
                    query = select(*columns)
                    if tenant_id is not None:
                        query = query.where(table.c.tenant_id == tenant_id)
                    found += [tuple(map(repr, r)) for r in conn.execute(query)]
            rows[table.name] = sorted(found)
    engine.dispose()
    return rows


def _assert_keys(url: str, with_tenant: bool) -> None:
    insp = inspect(create_engine(url))
    for table, _present in _tables_at(url):
        if "tenant_id" not in table.c:
            continue
        pk = insp.get_pk_constraint(table.name)["constrained_columns"]
        assert sorted(pk) == (["id", "tenant_id"] if with_tenant else ["id"]), table.name
        for fk in insp.get_foreign_keys(table.name):
            if fk["referred_table"] == "tenant":
                continue
            if fk["referred_table"] == "enforcement_matter":
                assert fk["constrained_columns"] == ["matter_id"]
                continue
            assert ("tenant_id" in fk["constrained_columns"]) == with_tenant, (table.name, fk)


@contextmanager
def _columns_of_today(url: str) -> Iterator[None]:
    """The demo is seeded by today's models; a column a later migration adds to a table
    of BEFORE (agency.payment_account, 20261207_0220) is there, nullable, while it runs,
    and is gone again before the migration under test sees the data."""
    engine = create_engine(url)
    present = {
        t: {c["name"] for c in inspect(engine).get_columns(t)}
        for t in inspect(engine).get_table_names()
    }
    added = [
        (table.name, column)
        for table in metadata.sorted_tables
        if table.name in present
        for column in table.c
        if column.name not in present[table.name]
    ]
    with engine.begin() as conn:
        for table, column in added:
            kind = column.type.compile(dialect=engine.dialect)
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {column.name} {kind}"))
    try:
        yield
    finally:
        with engine.begin() as conn:
            for table, column in added:
                conn.execute(text(f"ALTER TABLE {table} DROP COLUMN {column.name}"))
        engine.dispose()


def _upgrade_with_data(url: str, tmp_path) -> None:
    upgrade(url, BEFORE)
    with _columns_of_today(url):
        _seed_demo(url, tmp_path)
    _fill_every_empty_table(url)
    shape = _tables_at(url)
    before = _snapshot(url)
    tables = [t for t, _present in _tables_at(url)]
    assert all(before[t.name] for t in tables if "tenant_id" in t.c), [
        t.name for t in tables if not before[t.name]
    ]
    _assert_keys(url, with_tenant=False)

    upgrade(url, AFTER)
    _assert_keys(url, with_tenant=True)
    assert _snapshot(url) == before

    downgrade(url, BEFORE)
    _assert_keys(url, with_tenant=False)
    assert _snapshot(url) == before

    upgrade(url)  # to the head: the tables and columns of BEFORE still hold the same rows
    assert _snapshot(url, shape) == before


def test_the_tenant_keys_migration_keeps_every_row_and_link_on_sqlite(tmp_path):
    _upgrade_with_data(f"sqlite:///{tmp_path / 'seeded.db'}", tmp_path)


@contextmanager
def _scratch_postgres_database() -> Iterator[str]:
    name = f"yimen_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(support.PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} OWNER {support.OWNER_ROLE}")
    try:
        yield support._dsn_with(name, support.OWNER_ROLE)
    finally:
        with psycopg.connect(support.PG_ADMIN_DSN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.mark.postgres
def test_the_tenant_keys_migration_keeps_every_row_and_link_on_postgresql(pg_database, tmp_path):
    with _scratch_postgres_database() as url, tenant_scope(None):
        _upgrade_with_data(url, tmp_path)


@pytest.mark.postgres
def test_a_key_into_another_district_stops_the_upgrade_on_postgresql(pg_database):
    """A row pointing at another district's row cannot be re-keyed: the upgrade fails
    and changes nothing, instead of keeping a link Citus could not hold."""
    with _scratch_postgres_database() as url:
        upgrade(url, BEFORE)
        engine = create_engine(url)
        a, b, agency = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        with engine.begin() as conn:
            for n, tenant in enumerate((a, b)):
                conn.execute(
                    text(
                        "insert into tenant (id, slug, name, name_en, division_code, timezone,"
                        " status, kind, suspended_reason, settings, created_at, updated_at)"
                        " values (:id, :slug, '区', '', :code, 'Asia/Shanghai', 'active',"
                        " 'district', '', '{}', now(), now())"
                    ),
                    {
                        "id": tenant,
                        "slug": f"d{n}{tenant.hex[:6]}",
                        "code": f"9{n}{tenant.hex[:4]}",
                    },
                )
        for tenant, sql in (
            (
                a,
                "insert into agency (id, tenant_id, code, name, name_en, credit_code, kind,"
                " domains, has_compulsory_power, doc_prefix, staffing_quota, created_at,"
                " updated_at) values (:agency, :t, 'zf', '执法局', '', 'x', 'enforcement', '[]',"
                " false, '', 0, now(), now())",
            ),
            (
                b,
                "insert into unit (id, tenant_id, agency_id, name, kind, grid, created_at,"
                " updated_at) values (gen_random_uuid(), :t, :agency, '中队', 'professional',"
                " '', now(), now())",
            ),
        ):
            with engine.begin() as conn:
                conn.execute(
                    text("select set_config('app.tenant_id', :t, true)"), {"t": str(tenant)}
                )
                conn.execute(text(sql), {"t": tenant, "agency": agency})
        engine.dispose()
        with pytest.raises(IntegrityError, match="fk_unit_agency_id_agency"):
            upgrade(url)
        engine = create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(text("select version_num from alembic_version")).scalar() == BEFORE
        engine.dispose()
