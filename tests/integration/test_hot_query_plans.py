"""The hot reads name their district in the SQL they send, not only through row-level
security: `tenant_id = '<the district>'` is what lets a database distributed by
tenant_id (Citus) send the query to the one shard that holds the district, whereas the
policy's `current_setting('app.tenant_id')` prunes nothing. The session's loader
criteria (yimen.platform.kernel.db.tenancy) add it to every query of a district's table; this
reads PostgreSQL's plans of the statements the case list, a case by id and the clue
list actually send, and finds the condition on every district table they scan."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import event

from yimen.platform.kernel.db import db
from yimen.platform.kernel.db.base import DISTRIBUTED, distribution
from yimen.platform.models import metadata

pytestmark = pytest.mark.postgres

DISTRICT_TABLES = {t.name for t in metadata.sorted_tables if distribution(t) == DISTRIBUTED}
HOT = {"enforcement_case", "case_party", "case_officer", "case_pause", "clue", "clue_step"}


@pytest.fixture
def pg(backend, pg_database):
    if backend != "postgresql":
        pytest.skip("PostgreSQL only: reads its plans")
    return pg_database


def _a_case(client, desks) -> str:
    from stdnum.cn import uscc

    party = {
        "kind": "organisation",
        "name": "某某饭店有限公司",
        "credit_code": "91320102MA1MXXX90" + uscc.calc_check_digit("91320102MA1MXXX90"),
        "address": "玄武区珠江路88号",
    }
    r = client.post(
        "/api/v1/cases",
        json={"facts": "珠江路88号饭店油烟直排", "parties": [party]},
        headers=desks["zhzf"],
    )
    assert r.status_code == 201, r.json
    return r.json["id"]


def _statements_sent(client, headers, paths) -> list[tuple[str, dict]]:
    sent: list[tuple[str, dict]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        for path in paths:
            r = client.get(path, headers=headers)
            assert r.status_code == 200, (path, r.json)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    return [(s, p) for s, p in sent if any(f" {t}" in s for t in HOT)]


def _scans(plan: dict) -> list[dict]:
    found = [plan] if plan.get("Relation Name") else []
    for child in plan.get("Plans", []):
        found += _scans(child)
    return found


def _conditions(node: dict) -> str:
    own = " ".join(str(node.get(k, "")) for k in ("Index Cond", "Filter", "Recheck Cond"))
    # a bitmap heap scan's index condition is on its Bitmap Index Scan child
    return own + " ".join(
        _conditions(c) for c in node.get("Plans", []) if not c.get("Relation Name")
    )


def _unpruned_scans(pg, tenant_id, statements) -> list[str]:
    literal = f"tenant_id = '{tenant_id}'::uuid"
    missing = []
    with pg.connect_as_app() as conn:
        for statement, parameters in statements:
            with conn.transaction():
                conn.execute("select set_config('app.tenant_id', %s, true)", (str(tenant_id),))
                (plan,) = conn.execute("EXPLAIN (FORMAT JSON) " + statement, parameters).fetchone()
            plan = plan if isinstance(plan, list) else json.loads(plan)
            for scan in _scans(plan[0]["Plan"]):
                if scan["Relation Name"] in DISTRICT_TABLES and literal not in _conditions(scan):
                    missing.append(f"{scan['Relation Name']} in: {statement[:200]}")
    return missing


def _assert_named(statements, tenant_id, pg) -> None:
    assert statements, "the requests sent no query of a case or clue table"
    for statement, _parameters in statements:
        assert re.search(r"\.tenant_id = %\(tenant_\d+\)s", statement), statement
    assert _unpruned_scans(pg, tenant_id, statements) == []


def test_the_case_list_and_search_name_the_district(pg, client, desks):
    tenant_id = desks["tenant_id"]
    _a_case(client, desks)
    statements = _statements_sent(
        client,
        desks["zhzf"],
        ["/api/v1/cases", "/api/v1/cases?q=%E7%8F%A0%E6%B1%9F", "/api/v1/cases?overdue=true"],
    )
    _assert_named(statements, tenant_id, pg)


def test_a_case_by_id_names_the_district(pg, client, desks):
    tenant_id = desks["tenant_id"]
    case_id = _a_case(client, desks)
    statements = _statements_sent(client, desks["zhzf"], [f"/api/v1/cases/{case_id}"])
    assert any("enforcement_case.id = %(" in s for s, _p in statements)
    _assert_named(statements, tenant_id, pg)


def test_the_clue_list_names_the_district(pg, client, desks):
    tenant_id = desks["tenant_id"]
    body = {
        "description": "某餐馆油烟直排，影响居民生活",
        "place": "玄武区珠江路88号",
        "complainant_phone": "13812345678",
        "agency_id": desks["ids"]["zhzf"],
    }
    assert client.post("/api/v1/clues", json=body, headers=desks["zhzf"]).status_code == 201
    statements = _statements_sent(client, desks["zhzf"], ["/api/v1/clues"])
    _assert_named(statements, tenant_id, pg)
