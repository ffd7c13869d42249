"""A district administrator keeps the district's directory; mistakes get clear answers."""

from __future__ import annotations

import pytest

from tests.conftest import bearer
from yimen.platform.demo import credit_code


@pytest.fixture
def district(new_district, machine_token):
    """A fresh district and its administrator's headers."""
    tenant = new_district("测试区")
    return tenant, bearer(machine_token(tenant.slug, ["district_admin"]))


def _agency(client, headers, tenant, code="hb", seq=11, **extra):
    body = {
        "code": code,
        "name": f"{tenant.name}生态环境局",
        "credit_code": credit_code(tenant.division_code, seq),
        "kind": "enforcement",
        "domains": ["environment"],
        "doc_prefix": "测环罚",
        **extra,
    }
    return client.post("/api/v1/agencies", json=body, headers=headers)


def test_an_administrator_adds_an_agency(client, district):
    tenant, admin = district
    r = _agency(client, admin, tenant)
    assert r.status_code == 201, r.json
    assert r.json["doc_prefix"] == "测环罚"


def test_a_wrong_check_character_in_the_credit_code_is_explained_and_nothing_is_written(
    client, district
):
    tenant, admin = district
    good = credit_code(tenant.division_code, 12)
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    r = _agency(client, admin, tenant, credit_code=wrong)
    assert r.status_code == 422
    error = next(e for e in r.json["errors"] if e["field"] == "credit_code")
    assert "校验位错误" in error["message"] and "check character" in error["message_en"]
    assert client.get("/api/v1/agencies", headers=admin).json["total"] == 0


def test_a_confirmed_checksum_warning_is_accepted(client, district):
    tenant, admin = district
    good = credit_code(tenant.division_code, 13)
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert (
        _agency(client, admin, tenant, credit_code=wrong, confirm_credit_code=True).status_code
        == 201
    )


def test_a_duplicate_agency_code_is_refused(client, district):
    tenant, admin = district
    _agency(client, admin, tenant, code="hb", seq=14)
    r = _agency(client, admin, tenant, code="hb", seq=15)
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "code"


def _officer(client, headers, agency_id, username, cert="苏测00001", **extra):
    body = {
        "agency_id": agency_id,
        "username": username,
        "name": "李四",
        "certificate_no": cert,
        "certificate_domains": ["environment"],
        "certificate_valid_until": "2029-12-31",
        **extra,
    }
    return client.post("/api/v1/officers", json=body, headers=headers)


def test_a_duplicate_certificate_number_is_refused_with_nothing_written(client, district):
    tenant, admin = district
    agency_id = _agency(client, admin, tenant, seq=16).json["id"]
    assert _officer(client, admin, agency_id, "lisi", cert="苏测12345").status_code == 201
    r = _officer(client, admin, agency_id, "wangwu", cert="苏测12345")
    assert r.status_code == 422
    assert r.json["errors"][0] == {
        "field": "certificate_no",
        "message": "执法证号 苏测12345 已登记给其他人员。",
        "message_en": "Certificate 苏测12345 is registered to another officer.",
    }
    assert client.get("/api/v1/officers?q=wangwu", headers=admin).json["total"] == 0


def test_units_form_a_tree_without_cycles(client, district):
    tenant, admin = district
    agency_id = _agency(client, admin, tenant, seq=17).json["id"]
    bureau = client.post(
        "/api/v1/units",
        json={"agency_id": agency_id, "name": "城东分局", "kind": "territorial"},
        headers=admin,
    ).json
    squad = client.post(
        "/api/v1/units",
        json={
            "agency_id": agency_id,
            "name": "一中队",
            "kind": "territorial",
            "parent_id": bureau["id"],
        },
        headers=admin,
    ).json
    r = client.patch(
        f"/api/v1/units/{bureau['id']}", json={"parent_id": squad["id"]}, headers=admin
    )
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "parent_id"


def test_roles_are_replaced_and_unknown_roles_refused(client, district):
    tenant, admin = district
    agency_id = _agency(client, admin, tenant, seq=18).json["id"]
    officer = _officer(client, admin, agency_id, "zhaoliu", cert="苏测22222").json
    r = client.put(
        f"/api/v1/officers/{officer['id']}/roles",
        json={"roles": ["officer", "agency_head"]},
        headers=admin,
    )
    assert sorted(r.json["roles"]) == ["agency_head", "officer"]
    bad = client.put(
        f"/api/v1/officers/{officer['id']}/roles", json={"roles": ["emperor"]}, headers=admin
    )
    assert bad.status_code == 422 and bad.json["errors"][0]["message"] == "角色不存在或不可分配。"


def test_staffing_counts_active_officers_against_the_quota(client, district):
    tenant, admin = district
    agency_id = _agency(client, admin, tenant, seq=19, staffing_quota=30).json["id"]
    _officer(client, admin, agency_id, "sunqi", cert="苏测33333")
    row = client.get("/api/v1/staffing", headers=admin).json["items"][0]
    assert (row["staffing_quota"], row["officers"], row["certified"]) == (30, 1, 1)


def test_every_change_is_in_the_audit_trail_with_before_and_after(client, district):
    tenant, admin = district
    agency = _agency(client, admin, tenant, seq=20).json
    client.patch(f"/api/v1/agencies/{agency['id']}", json={"staffing_quota": 88}, headers=admin)
    entries = client.get(f"/api/v1/audit?entity_id={agency['id']}", headers=admin).json["items"]
    assert [e["action"] for e in entries] == ["update", "create"]
    assert entries[0]["before"] == {"staffing_quota": 0} and entries[0]["after"] == {
        "staffing_quota": 88
    }
    assert entries[0]["actor"].startswith("service-account-test-")


def test_an_agency_admin_cannot_touch_another_agencys_officers(
    client, app, live_server, own_district, machine_token
):
    slug = own_district["slug"]
    admin = bearer(machine_token(slug, ["district_admin"]))
    officers = client.get("/api/v1/officers?q=liuyang", headers=admin).json["items"]  # 市场监管局
    from sqlalchemy import select

    from yimen.platform.idp.admin import create_machine_client
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.directory import Tenant

    with db.new_session() as s:
        tenant_id = s.execute(select(Tenant.id).where(Tenant.slug == slug)).scalar_one()
    with tenant_scope(tenant_id), db.new_session() as s:
        client_row, secret = create_machine_client(
            s, "zhzf-admin-test", "综合执法局管理员", ["agency_admin"]
        )
        client_row.agency_code = "zhzf"
        s.commit()
    agency_admin = bearer(live_server.client_token(slug, "zhzf-admin-test", secret))
    r = client.patch(
        f"/api/v1/officers/{officers[0]['id']}", json={"name": "改名"}, headers=agency_admin
    )
    # Another agency's officer is not found by an agency administrator at all.
    assert r.status_code == 404 and r.json["code"] == "not-found"
