"""Districts and agencies configure their procedures on top of the platform library."""

from __future__ import annotations

import copy
import uuid

import pytest

from tests.conftest import bearer
from yimen.tenants.workflow.statutory import GENERAL


@pytest.fixture
def district(client, new_district, machine_token):
    from yimen.platform.demo import credit_code

    tenant = new_district("流程测试区")
    admin = bearer(machine_token(tenant.slug, ["district_admin"]))
    ids = {}
    for seq, code in enumerate(("zhzf", "scjg"), start=1):
        r = client.post(
            "/api/v1/agencies",
            json={
                "code": code,
                "name": f"流程测试区{code}",
                "kind": "enforcement",
                "credit_code": credit_code(tenant.division_code, seq),
            },
            headers=admin,
        )
        ids[code] = r.json["id"]
    return tenant, admin, ids


def _agency_admin(live_server, tenant, code: str) -> dict:
    from yimen.platform.idp.admin import create_machine_client
    from yimen.platform.kernel.db import db, tenant_scope

    client_id = f"aa-{uuid.uuid4().hex[:6]}"
    with tenant_scope(tenant.id), db.new_session() as s:
        row, secret = create_machine_client(s, client_id, "部门管理员", ["agency_admin"])
        row.agency_code = code
        s.commit()
    return bearer(live_server.client_token(tenant.slug, client_id, secret))


def test_an_agency_override_resolves_after_the_districts(client, live_server, district):
    tenant, admin, ids = district
    r = client.post(
        "/api/v1/workflow/overrides",
        json={"kind": "general", "delta": {"add_documents": {"investigation": ["现场照片"]}}},
        headers=admin,
    )
    assert r.status_code == 201 and r.json["version"] == 1
    agency_admin = _agency_admin(live_server, tenant, "zhzf")
    r = client.post(
        "/api/v1/workflow/overrides",
        json={
            "kind": "general",
            "agency_id": ids["zhzf"],
            "delta": {
                "add_stages": [{"id": "case_review", "name": "案审会", "after": "legal_review"}]
            },
        },
        headers=agency_admin,
    )
    assert r.status_code == 201, r.json
    effective = client.get(
        f"/api/v1/workflow/effective?kind=general&agency_id={ids['zhzf']}", headers=admin
    ).json
    stages = [s["id"] for s in effective["definition"]["stages"]]
    assert (
        "case_review" in stages
        and effective["district_version"] == 1
        and effective["agency_version"] == 1
    )
    other = client.get(
        f"/api/v1/workflow/effective?kind=general&agency_id={ids['scjg']}", headers=admin
    ).json
    assert "case_review" not in [s["id"] for s in other["definition"]["stages"]]


def test_an_agency_admin_cannot_override_another_agency(client, live_server, district):
    tenant, _, ids = district
    r = client.post(
        "/api/v1/workflow/overrides",
        json={"kind": "general", "agency_id": ids["scjg"], "delta": {}},
        headers=_agency_admin(live_server, tenant, "zhzf"),
    )
    assert r.status_code == 403 and r.json["code"] == "outside-agency"


def test_an_override_removing_a_statutory_step_is_refused_naming_the_rule_and_writes_nothing(
    client, district
):
    tenant, admin, _ = district
    r = client.post(
        "/api/v1/workflow/overrides",
        json={"kind": "general", "delta": {"remove_stages": ["prior_notice"]}},
        headers=admin,
    )
    assert r.status_code == 422 and r.content_type == "application/problem+json"
    assert (
        r.json["code"] == "statutory-step"
        and "第四十四条" in r.json["detail"]
        and "Prior notice" in r.json["detail_en"]
    )
    assert client.get("/api/v1/workflow/overrides", headers=admin).json["total"] == 0


def test_a_case_pin_keeps_the_version_it_started_under(app, client, district, machine_token):
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.tenants.workflow.service import effective_for, load_pinned

    tenant, admin, ids = district
    with tenant_scope(tenant.id), db.new_session() as s:
        pinned = effective_for(s, uuid.UUID(ids["zhzf"]), "general")
    client.post(
        "/api/v1/workflow/overrides",
        json={"kind": "general", "delta": {"deadlines": {"decision": {"count": 60}}}},
        headers=admin,
    )
    with tenant_scope(tenant.id), db.new_session() as s:
        now = effective_for(s, uuid.UUID(ids["zhzf"]), "general")
        again = load_pinned(s, pinned.key)
    assert now.fingerprint != pinned.fingerprint
    assert again.fingerprint == pinned.fingerprint and again.definition == pinned.definition


def test_the_operator_publishes_a_new_library_version_and_admins_see_the_difference(
    client, machine_token
):
    operator = bearer(machine_token("platform", ["platform_operator"]))
    v2 = copy.deepcopy(GENERAL)
    next(s for s in v2["stages"] if s["id"] == "filing")["documents"].append(
        {"kind": "案件来源登记表", "statutory": False}
    )
    r = client.post(
        "/api/v1/workflow/library/general",
        json={"definition": v2, "note": "增加案件来源登记表"},
        headers=operator,
    )
    assert r.status_code == 201
    version = r.json["version"]
    changes = client.get(
        f"/api/v1/workflow/diff?kind=general&from=1&to={version}", headers=operator
    ).json
    assert changes["documents"] == [{"stage": "立案", "added": ["案件来源登记表"], "removed": []}]
    weakened = copy.deepcopy(GENERAL)
    weakened["stages"] = [s for s in weakened["stages"] if s["id"] != "service"]
    refused = client.post(
        "/api/v1/workflow/library/general", json={"definition": weakened}, headers=operator
    )
    assert refused.status_code == 422 and "送达" in refused.json["detail"]


def test_a_district_cannot_see_another_districts_overrides(client, district, machine_token):
    tenant, admin, _ = district
    client.post(
        "/api/v1/workflow/overrides",
        json={
            "kind": "simple",
            "delta": {"add_documents": {"on_spot_decision": ["执法记录仪视频"]}},
        },
        headers=admin,
    )
    # the demo's qinhuai as the other district: it only reads its own overrides
    other = bearer(machine_token("qinhuai", ["district_admin"]))
    kinds = [
        o["delta"] for o in client.get("/api/v1/workflow/overrides", headers=other).json["items"]
    ]
    assert {"add_documents": {"on_spot_decision": ["执法记录仪视频"]}} not in kinds


def test_absurd_version_numbers_are_a_field_error_not_a_crash(client, machine_token):
    """Found by schemathesis: a 20-digit version overflowed the database integer."""
    # the demo's xuanwu: an officer anywhere reads the region's workflow library and calendar
    reader = bearer(machine_token("xuanwu", ["officer"]))
    r = client.get(
        "/api/v1/workflow/diff?kind=general&from=21799206539427487744&to=1", headers=reader
    )
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "query.from"
    assert (
        client.get("/api/v1/calendar/years/99999999999999999999/days", headers=reader).status_code
        == 404
    )
