"""The schema stays ready to be distributed by district (Citus; README, "Distributing by
district"), for every table there is and every table to come.

Every table is one of three kinds (yimen.platform.kernel.db.base.distribution):
- distributed: it has a tenant_id, its primary key starts with it, every key to another
  district's table is (tenant_id, x) → (tenant_id, id), and every unique constraint
  includes it (a shard can only enforce uniqueness within itself);
- reference: a catalog shared by all districts, copied to every node, marked
  `citus_reference()`; it refers to nothing but other reference tables;
- local: platform housekeeping kept on the coordinator, marked `citus_local()`; no
  distributed or reference table refers to it.
Row-level security uses permissive policies only: Citus re-creates a policy on each
shard without its AS RESTRICTIVE, so a restrictive policy would silently become
permissive there.

Checked on the SQLAlchemy metadata (what the next migration will be generated from) and
on PostgreSQL's catalog after `upgrade` (what the migrations made).
"""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Index, Integer, UniqueConstraint

from yimen.platform.kernel.db.base import (
    DISTRIBUTED,
    LOCAL,
    REFERENCE,
    distribution,
    keyed_for_lookup,
)
from yimen.platform.models import metadata

README = Path(__file__).resolve().parents[2] / "README.md"
# alembic's own bookkeeping: never distributed, never read by the application.
NOT_MODELLED = {"alembic_version"}
LOOKUP_TABLES = {t.name for t in metadata.sorted_tables if keyed_for_lookup(t)}


def _kind(name: str) -> str | None:
    return distribution(metadata.tables[name])


def _tables(kind: str) -> set[str]:
    return {t.name for t in metadata.sorted_tables if distribution(t) == kind}


# -- the metadata ---------------------------------------------------------------------


def test_every_table_is_distributed_reference_or_local():
    undeclared = [t.name for t in metadata.sorted_tables if distribution(t) is None]
    assert undeclared == [], (
        "a table has a tenant_id (distributed) or says citus_reference() / citus_local()"
    )
    assert {"enforcement_case", "clue", "agency", "officer"} <= _tables(DISTRIBUTED)
    assert _tables(REFERENCE) == {
        "tenant",
        "enforcement_matter",
        "calendar_year",
        "calendar_day",
        "workflow_definition",
        "gateway_connector",
    }
    assert _tables(LOCAL) == {"worker_heartbeat", "auth_epoch"}


def test_a_distributed_table_is_keyed_by_tenant_id_then_id():
    """(tenant_id, id); a lookup table that nothing reads by an id (the case search's
    bigrams) is keyed by tenant_id and what is looked up."""
    wrong = {
        t.name: [c.name for c in t.primary_key.columns]
        for t in metadata.sorted_tables
        if distribution(t) == DISTRIBUTED and not _keyed_as_declared(t.name, _pk(t))
    }
    assert wrong == {}
    assert LOOKUP_TABLES == {"case_search_term"}


def _pk(table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def _keyed_as_declared(name: str, pk: list[str]) -> bool:
    if name in LOOKUP_TABLES:
        return pk[0] == "tenant_id" and "id" not in pk
    return pk == ["tenant_id", "id"]


def test_no_composite_key_has_an_integer_sqlite_would_stop_numbering():
    """SQLite numbers an INTEGER PRIMARY KEY by itself only when it is the whole key."""
    numbered = [
        f"{t.name}.{c.name}"
        for t in metadata.sorted_tables
        if len(t.primary_key.columns) > 1
        for c in t.primary_key.columns
        if isinstance(c.type, Integer) and c.autoincrement is not False
    ]
    assert numbered == []


def test_every_key_between_districts_tables_carries_tenant_id():
    wrong = []
    for table in metadata.sorted_tables:
        for fk in table.foreign_key_constraints:
            target = fk.referred_table
            pairs = [(e.parent.name, e.column.name) for e in fk.elements]
            kinds = (distribution(table), distribution(target))
            if kinds == (DISTRIBUTED, DISTRIBUTED):
                ok = ("tenant_id", "tenant_id") in pairs and pairs[-1][1] == "id"
            elif kinds[1] == REFERENCE:
                ok = True  # a reference table is on every node
            else:
                ok = False  # nothing may refer to a local table, nor a reference to a shard
            if not ok:
                wrong.append(f"{table.name}{[p for p, _ in pairs]} → {target.name}")
    assert wrong == []


def test_a_reference_or_local_table_refers_only_to_reference_tables():
    wrong = [
        f"{t.name} → {fk.referred_table.name}"
        for t in metadata.sorted_tables
        if distribution(t) in (REFERENCE, LOCAL)
        for fk in t.foreign_key_constraints
        if distribution(fk.referred_table) != REFERENCE
    ]
    assert wrong == []


def test_every_unique_constraint_of_a_distributed_table_includes_tenant_id():
    wrong = []
    for table in metadata.sorted_tables:
        if distribution(table) != DISTRIBUTED:
            continue
        uniques = [c for c in table.constraints if isinstance(c, UniqueConstraint)]
        uniques += [i for i in table.indexes if isinstance(i, Index) and i.unique]
        for unique in uniques:
            columns = [c.name for c in unique.columns]
            if "tenant_id" not in columns:
                wrong.append(f"{table.name}{columns}")
    assert wrong == []


def test_every_district_model_is_got_by_its_id_alone():
    """The database's key is (tenant_id, id); the ORM's identity stays id, so
    session.get(Model, id) and the identity map work as before."""
    from yimen.platform.kernel.db import Base

    wrong = [
        mapper.class_.__name__
        for mapper in Base.registry.mappers
        if distribution(mapper.local_table) == DISTRIBUTED
        and [c.name for c in mapper.primary_key] != ["id"]
    ]
    assert wrong == []


def test_the_relationships_between_districts_tables_join_on_tenant_id_too():
    from yimen.platform.kernel.db import Base

    wrong = []
    for mapper in Base.registry.mappers:
        for rel in mapper.relationships:
            if distribution(rel.target) != DISTRIBUTED or distribution(mapper.local_table) != (
                DISTRIBUTED
            ):
                continue
            pairs = {(a.name, b.name) for a, b in rel.local_remote_pairs}
            if ("tenant_id", "tenant_id") not in pairs:
                wrong.append(f"{mapper.class_.__name__}.{rel.key}")
    assert wrong == []


def _readme_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("## Distributing by district (Citus)", 1)[1].split("\n## ", 1)[0]


def test_the_readme_names_every_reference_and_local_table():
    named = set(re.findall(r"`([a-z_]+)`", _readme_section()))
    assert (_tables(REFERENCE) | _tables(LOCAL)) <= named


def test_the_readme_distributes_every_table_after_the_tables_it_refers_to():
    section = _readme_section()
    references = re.findall(r"create_reference_table\('([a-z_]+)'\)", section)
    distributed = re.findall(r"create_distributed_table\('([a-z_]+)', 'tenant_id'", section)
    assert set(references) == _tables(REFERENCE)
    assert sorted(distributed) == sorted(_tables(DISTRIBUTED))
    done = set(references)
    for name in distributed:
        refers_to = {fk.referred_table.name for fk in metadata.tables[name].foreign_key_constraints}
        assert refers_to - {name} <= done, f"{name} before {refers_to - done}"
        done.add(name)


# -- PostgreSQL's catalog after upgrade -----------------------------------------------

pg = pytest.mark.postgres


def _owner(pg_database):
    return psycopg.connect(pg_database.owner_url.replace("+psycopg", ""))


def _columns(conn, relid, attnums) -> list[str]:
    names = dict(
        conn.execute(
            "select attnum, attname from pg_attribute where attrelid = %s and attnum > 0",
            (relid,),
        ).fetchall()
    )
    return [names[n] for n in attnums]


def _catalog(conn) -> dict[str, dict]:
    tables = {}
    for relid, name, rls, forced in conn.execute(
        "select oid, relname, relrowsecurity, relforcerowsecurity from pg_class "
        "where relnamespace = 'public'::regnamespace and relkind in ('r', 'p')"
    ).fetchall():
        columns = {
            r[0]
            for r in conn.execute(
                "select attname from pg_attribute where attrelid = %s and attnum > 0 "
                "and not attisdropped",
                (relid,),
            )
        }
        keys = []
        for conkey, confrelid, confkey in conn.execute(
            "select conkey, confrelid, confkey from pg_constraint "
            "where conrelid = %s and contype = 'f'",
            (relid,),
        ).fetchall():
            target = conn.execute("select relname from pg_class where oid = %s", (confrelid,))
            keys.append(
                (
                    _columns(conn, relid, conkey),
                    target.fetchone()[0],
                    _columns(conn, confrelid, confkey),
                )
            )
        pk = conn.execute(
            "select conkey from pg_constraint where conrelid = %s and contype = 'p'", (relid,)
        ).fetchone()
        uniques = [
            _columns(conn, relid, list(indkey))
            for (indkey,) in conn.execute(
                "select indkey::int2[] from pg_index where indrelid = %s and indisunique",
                (relid,),
            ).fetchall()
        ]
        tables[name] = {
            "tenant": "tenant_id" in columns,
            "pk": _columns(conn, relid, pk[0]) if pk else [],
            "keys": keys,
            "uniques": uniques,
            "rls": (rls, forced),
        }
    return tables


@pg
def test_postgresql_has_exactly_the_modelled_tables(pg_database):
    with _owner(pg_database) as conn:
        tables = set(_catalog(conn)) - NOT_MODELLED
    assert tables == set(metadata.tables)


@pg
def test_postgresql_keys_every_district_table_by_tenant_id_then_id(pg_database):
    with _owner(pg_database) as conn:
        catalog = _catalog(conn)
    wrong = {
        n: t["pk"] for n, t in catalog.items() if t["tenant"] and not _keyed_as_declared(n, t["pk"])
    }
    assert wrong == {}


@pg
def test_postgresql_keys_between_district_tables_carry_tenant_id(pg_database):
    with _owner(pg_database) as conn:
        catalog = _catalog(conn)
    wrong = []
    for name, table in catalog.items():
        for local, target, remote in table["keys"]:
            if target not in catalog:
                wrong.append(f"{name} → {target}?")
            elif table["tenant"] and catalog[target]["tenant"]:
                if ("tenant_id", "tenant_id") not in set(zip(local, remote, strict=True)):
                    wrong.append(f"{name}{local} → {target}{remote}")
            elif catalog[target]["tenant"] or _kind(target) != REFERENCE:
                wrong.append(f"{name}{local} → {target}{remote} (not a reference table)")
    assert wrong == []


@pg
def test_postgresql_unique_indexes_of_district_tables_include_tenant_id(pg_database):
    with _owner(pg_database) as conn:
        catalog = _catalog(conn)
    wrong = [
        f"{name}{unique}"
        for name, table in catalog.items()
        if table["tenant"]
        for unique in table["uniques"]
        if "tenant_id" not in unique
    ]
    assert wrong == []


@pg
def test_postgresql_tables_without_tenant_id_are_the_declared_reference_and_local_ones(
    pg_database,
):
    with _owner(pg_database) as conn:
        catalog = _catalog(conn)
    shared = {n for n, t in catalog.items() if not t["tenant"]} - NOT_MODELLED
    assert shared == _tables(REFERENCE) | _tables(LOCAL)
    assert {n for n, t in catalog.items() if t["tenant"]} == _tables(DISTRIBUTED)


@pg
def test_postgresql_row_level_security_is_forced_and_permissive_only(pg_database):
    with _owner(pg_database) as conn:
        catalog = _catalog(conn)
        policies = conn.execute(
            "select c.relname, p.polname, p.polpermissive, p.polcmd from pg_policy p "
            "join pg_class c on c.oid = p.polrelid"
        ).fetchall()
    restrictive = [(t, p) for t, p, permissive, _cmd in policies if not permissive]
    assert restrictive == []
    guarded = {t for t, _p, _permissive, cmd in policies if cmd == "*"}
    distributed = {n for n, t in catalog.items() if t["tenant"]}
    assert guarded == distributed
    assert {
        n: t["rls"] for n, t in catalog.items() if t["tenant"] and t["rls"] != (True, True)
    } == {}
