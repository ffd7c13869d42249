"""Migration 20261207_0170 gives the clues and cases already in a database their
participating agencies, so that no agency loses a record it reached before: a clue's
first holder and a designated lead are lead, an agency it was transferred to is
receiving, the designated joint agencies (a JSON list of ids) are joint; a case's agency
is lead and the joint agencies designated to its clue are joint. On PostgreSQL every
table is under forced row-level security, so the backfill works district by district."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import psycopg
import pytest
import sqlalchemy as sa

from tests import support
from yimen.platform.migrate import upgrade

BEFORE, AFTER = "20261207_0140", "20261207_0170"
NOW = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path, monkeypatch):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'backfill.db'}"
        return
    if reason := support.pg_unavailable_reason():
        if support.IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    database = support.PostgresDatabase()
    with psycopg.connect(support.PG_ADMIN_DSN, autocommit=True) as conn:
        exists = conn.execute(
            "select 1 from pg_roles where rolname = %s", (support.OWNER_ROLE,)
        ).fetchone()
        if not exists:
            conn.execute(
                f"CREATE ROLE {support.OWNER_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE"
            )
        conn.execute(f"CREATE DATABASE {database.name} OWNER {support.OWNER_ROLE}")
    monkeypatch.setenv("YIMEN_DB_APP_ROLE", support.APP_ROLE)
    yield database.owner_url
    database.drop()


def _as(conn, tenant_id) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("select set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})


def _insert(conn, table: str, **row) -> None:
    names = ", ".join(row)
    values = ", ".join(f":{k}" for k in row)
    params = {k: json.dumps(v) if isinstance(v, (list, dict)) else v for k, v in row.items()}
    if conn.dialect.name == "sqlite":
        params = {
            k: (
                v.hex
                if isinstance(v, uuid.UUID)
                else v.replace(tzinfo=None)
                if isinstance(v, dt.datetime)
                else v
            )
            for k, v in params.items()
        }
    conn.execute(sa.text(f"insert into {table} ({names}) values ({values})"), params)


def _district(conn, slug: str) -> tuple[uuid.UUID, dict[str, uuid.UUID]]:
    tenant = uuid.uuid4()
    _insert(
        conn,
        "tenant",
        id=tenant,
        slug=slug,
        name=f"{slug}区",
        name_en=slug,
        division_code=str(uuid.uuid4().int % 900000 + 100000),
        timezone="Asia/Shanghai",
        status="active",
        settings={},
        created_at=NOW,
        updated_at=NOW,
    )
    _as(conn, tenant)
    agencies = {}
    for code in ("zhzf", "scjg", "sthj", "yjgl"):
        agencies[code] = uuid.uuid4()
        _insert(
            conn,
            "agency",
            id=agencies[code],
            code=code,
            name=f"{slug}{code}",
            name_en=code,
            credit_code=uuid.uuid4().hex[:18].upper(),
            kind="comprehensive_bureau",
            domains=[],
            has_compulsory_power=False,
            doc_prefix="玄",
            staffing_quota=0,
            tenant_id=tenant,
            created_at=NOW,
            updated_at=NOW,
        )
    return tenant, agencies


def _clue(conn, tenant, agency, joint=(), steps=()) -> uuid.UUID:
    clue = uuid.uuid4()
    _insert(
        conn,
        "clue",
        id=clue,
        receipt_code=uuid.uuid4().hex[:12].upper(),
        source="patrol",
        description="油烟直排",
        place="珠江路",
        anonymous=False,
        complainant_name="",
        complainant_phone="",
        status="accepted",
        agency_id=agency,
        transfers=0,
        designated=bool(joint),
        joint_agency_ids=[str(j) for j in joint],
        created_at=NOW,
        version=1,
        tenant_id=tenant,
    )
    for n, (action, step_agency) in enumerate(steps):
        _insert(
            conn,
            "clue_step",
            id=uuid.uuid4(),
            clue_id=clue,
            action=action,
            agency_id=step_agency,
            reason="",
            actor="x",
            at=NOW + dt.timedelta(minutes=n),
            tenant_id=tenant,
        )
    return clue


def _case(conn, tenant, agency, clue=None, details=None) -> uuid.UUID:
    case = uuid.uuid4()
    _insert(
        conn,
        "enforcement_case",
        id=case,
        agency_id=agency,
        clue_id=clue,
        stage="filing",
        status="draft",
        facts="油烟直排",
        place="珠江路",
        created_by="x",
        created_at=NOW,
        version=1,
        tenant_id=tenant,
        details=details or {},
        penalty_kinds=[],
        discretion={},
    )
    return case


def _participants(conn, tenant, table: str, record: str) -> set[tuple]:
    _as(conn, tenant)
    rows = conn.execute(
        sa.select(
            sa.column(record, sa.Uuid()),
            sa.column("agency_id", sa.Uuid()),
            sa.column("role"),
            sa.column("until"),
        )
        .select_from(sa.table(table))
        .where(sa.column("tenant_id", sa.Uuid()) == tenant)
    )
    return {(_uuid(r), _uuid(a), role, until) for r, a, role, until in rows}


def _uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


def test_existing_clues_and_cases_get_their_agencies_as_participants(url):
    upgrade(url, BEFORE)
    engine = sa.create_engine(url)
    made = {}
    for slug in ("xuanwu", "qinhuai"):
        with engine.begin() as conn:
            tenant, a = _district(conn, slug)
            plain = _clue(conn, tenant, a["zhzf"], steps=[("offered", a["zhzf"])])
            moved = _clue(
                conn,
                tenant,
                a["sthj"],
                steps=[
                    ("offered", a["zhzf"]),
                    ("transferred", a["scjg"]),
                    ("transferred", a["sthj"]),
                    ("accepted", a["sthj"]),
                ],
            )
            designated = _clue(
                conn,
                tenant,
                a["zhzf"],
                joint=[a["scjg"], a["yjgl"], uuid.uuid4()],
                steps=[("offered", a["sthj"]), ("submitted", None), ("designated", a["zhzf"])],
            )
            case = _case(
                conn,
                tenant,
                a["zhzf"],
                designated,
                {"designated": {"clue": "YM1", "joint": [str(a["scjg"]), str(a["yjgl"])]}},
            )
            made[slug] = (tenant, a, plain, moved, designated, case)
    upgrade(url)
    with engine.begin() as conn:
        for tenant, a, plain, moved, designated, case in made.values():
            assert _participants(conn, tenant, "clue_participant", "clue_id") == {
                (plain, a["zhzf"], "lead", None),
                (moved, a["zhzf"], "lead", None),
                (moved, a["scjg"], "receiving", None),
                (moved, a["sthj"], "receiving", None),
                (designated, a["sthj"], "lead", None),
                (designated, a["zhzf"], "lead", None),
                (designated, a["scjg"], "joint", None),
                (designated, a["yjgl"], "joint", None),  # an id of no agency is dropped
            }
            assert _participants(conn, tenant, "case_participant", "case_id") == {
                (case, a["zhzf"], "lead", None),
                (case, a["scjg"], "joint", None),
                (case, a["yjgl"], "joint", None),
            }
