"""Who may grant which role: one rule (tenants/directory/rules.py: grantable_roles) for
creating an officer, changing an officer's roles, the bulk import and the console form.

An agency administrator grants only the agency's roles (officer, agency_head,
legal_reviewer, agency_admin) to officers of its own agency; every district-wide role
needs the district administrator; the operator's and machine clients' roles are never
granted through a district's API (DESIGN.md, the roles table)."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.conftest import bearer
from yimen.platform.demo import credit_code


@pytest.fixture
def district(new_district, machine_token, client, live_server):
    """A fresh district with two agencies, its administrator and each agency's administrator."""
    from sqlalchemy import select

    from yimen.platform.idp.admin import create_machine_client
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.directory import Tenant

    tenant = new_district("授权测试区")
    admin = bearer(machine_token(tenant.slug, ["district_admin"]))
    ids = {}
    for seq, code in ((31, "aa"), (32, "bb")):
        body = {
            "code": code,
            "name": f"{tenant.name}{code}局",
            "credit_code": credit_code(tenant.division_code, seq),
            "kind": "enforcement",
        }
        r = client.post("/api/v1/agencies", json=body, headers=admin)
        assert r.status_code == 201, r.json
        ids[code] = r.json["id"]
    with db.new_session() as s:
        tenant_id = s.execute(select(Tenant.id).where(Tenant.slug == tenant.slug)).scalar_one()
    agency_admins = {}
    for code in ids:
        client_id = f"{code}-admin-{uuid.uuid4().hex[:6]}"
        with tenant_scope(tenant_id), db.new_session() as s:
            row, secret = create_machine_client(s, client_id, f"{code}管理员", ["agency_admin"])
            row.agency_code = code
            s.commit()
        agency_admins[code] = bearer(live_server.client_token(tenant.slug, client_id, secret))
    return {
        "tenant": tenant,
        "tenant_id": tenant_id,
        "admin": admin,
        "ids": ids,
        "aa": agency_admins["aa"],
        "bb": agency_admins["bb"],
    }


def _officer(client, headers, agency_id, username, **extra):
    body = {"agency_id": agency_id, "username": username, "name": "李四", **extra}
    return client.post("/api/v1/officers", json=body, headers=headers)


def _count(client, district, username) -> int:
    r = client.get(f"/api/v1/officers?q={username}", headers=district["admin"])
    return r.json["total"]


def test_an_agency_admin_cannot_create_a_district_administrator(client, district):
    for role in ("district_admin", "discipline", "legal_affairs", "procuratorate", "police"):
        name = f"yq{role.replace('_', '')}"
        r = _officer(client, district["aa"], district["ids"]["aa"], name, roles=["officer", role])
        assert r.status_code == 403, (role, r.json)
        assert r.json["code"] == "role-not-grantable"
        assert r.json["errors"][0]["field"] == "roles"
        assert "区级角色须由区级管理员设置" in r.json["detail"]
        assert _count(client, district, name) == 0


def test_an_agency_admin_creates_officers_with_the_agencys_roles(client, district):
    r = _officer(
        client,
        district["aa"],
        district["ids"]["aa"],
        "aa.head",
        roles=["officer", "agency_head", "legal_reviewer", "agency_admin"],
    )
    assert r.status_code == 201, r.json
    assert sorted(r.json["roles"]) == ["agency_admin", "agency_head", "legal_reviewer", "officer"]


def test_the_district_admin_creates_a_discipline_inspector(client, district):
    r = _officer(client, district["admin"], district["ids"]["bb"], "bb.jw", roles=["discipline"])
    assert r.status_code == 201 and r.json["roles"] == ["discipline"]


def test_an_agency_admin_cannot_grant_district_wide_roles_to_its_own_officer(client, district):
    officer = _officer(client, district["admin"], district["ids"]["aa"], "aa.zhang").json
    url = f"/api/v1/officers/{officer['id']}/roles"
    for role in ("discipline", "legal_affairs", "procuratorate", "hotline_operator", "police"):
        r = client.put(url, json={"roles": ["officer", role]}, headers=district["aa"])
        assert r.status_code == 403 and r.json["code"] == "role-not-grantable", role
    r = client.put(url, json={"roles": ["officer", "agency_head"]}, headers=district["aa"])
    assert r.status_code == 200 and sorted(r.json["roles"]) == ["agency_head", "officer"]
    after = client.get(f"/api/v1/officers/{officer['id']}", headers=district["admin"]).json
    assert sorted(after["roles"]) == ["agency_head", "officer"]


def test_an_agency_admin_keeps_but_cannot_remove_a_role_the_district_granted(client, district):
    officer = _officer(
        client, district["admin"], district["ids"]["aa"], "aa.wang", roles=["officer", "police"]
    ).json
    url = f"/api/v1/officers/{officer['id']}/roles"
    r = client.put(url, json={"roles": ["officer"]}, headers=district["aa"])
    assert r.status_code == 403 and r.json["code"] == "role-not-grantable"
    r = client.put(
        url, json={"roles": ["officer", "police", "agency_head"]}, headers=district["aa"]
    )
    assert r.status_code == 200 and sorted(r.json["roles"]) == ["agency_head", "officer", "police"]


def test_an_agency_admin_cannot_set_the_roles_of_another_agencys_officer(client, district):
    officer = _officer(client, district["admin"], district["ids"]["bb"], "bb.li").json
    r = client.put(
        f"/api/v1/officers/{officer['id']}/roles",
        json={"roles": ["officer", "agency_head"]},
        headers=district["aa"],
    )
    assert r.status_code in (403, 404)
    after = client.get(f"/api/v1/officers/{officer['id']}", headers=district["admin"]).json
    assert after["roles"] == ["officer"]


def test_the_operator_and_machine_roles_are_refused_even_to_the_district_admin(client, district):
    officer = _officer(client, district["admin"], district["ids"]["aa"], "aa.zhao").json
    for role in ("platform_operator", "gateway_client"):
        r = client.put(
            f"/api/v1/officers/{officer['id']}/roles",
            json={"roles": [role]},
            headers=district["admin"],
        )
        assert r.status_code == 422, role
        r = _officer(client, district["admin"], district["ids"]["aa"], f"x{role[:4]}", roles=[role])
        assert r.status_code == 422, role


def test_the_bulk_import_applies_the_same_rule_to_every_row(app, district):
    """Through the importer's use case: an agency administrator's file granting a
    district-wide role is refused as a whole, with the row and field named."""
    from yimen.platform.api.problems import Problem
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.tenants.directory import bulk
    from yimen.tenants.directory.rules import Granter

    rows = [
        {"username": "aa.one", "name": "一号", "agency_code": "aa", "roles": "officer"},
        {"username": "aa.two", "name": "二号", "agency_code": "aa", "roles": "officer、discipline"},
    ]
    agency_admin = Granter(frozenset({"agency_admin"}), "aa")
    with tenant_scope(district["tenant_id"]), db.new_session() as s:
        with pytest.raises(Problem) as refused:
            bulk.import_officers(s, [dict(r) for r in rows], agency_admin)
        s.rollback()
        assert refused.value.status == 422
        report = refused.value.extra["rows"]
        assert [(e["row"], e["field"]) for e in report] == [(3, "roles")]
        assert "监察" in report[0]["message"]
        district_admin = Granter(frozenset({"district_admin"}), None)
        assert bulk.import_officers(s, [dict(r) for r in rows], district_admin) == 2


def _form_roles(client, headers) -> list[str]:
    page = client.get("/console/admin/officers", headers=headers).get_data(as_text=True)
    return re.findall(r'name="roles" value="([a-z_]+)"', page)


def test_the_console_form_offers_only_the_roles_the_viewer_may_grant(client, district):
    assert sorted(_form_roles(client, district["aa"])) == [
        "agency_admin",
        "agency_head",
        "legal_reviewer",
        "officer",
    ]
    offered = _form_roles(client, district["admin"])
    assert {"district_admin", "discipline", "legal_affairs", "procuratorate"} <= set(offered)
    assert not {"platform_operator", "gateway_client"} & set(offered)


def test_an_agency_admin_posting_a_district_role_in_the_console_form_is_refused(client, district):
    page = client.get("/console/admin/officers", headers=district["aa"]).get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    r = client.post(
        "/console/admin/officers",
        data={
            "csrf_token": token,
            "agency_id": district["ids"]["aa"],
            "username": "aa.forged",
            "name": "伪造",
            "roles": ["officer", "district_admin"],
        },
        headers={**district["aa"], "Accept": "text/html"},
    )
    assert r.status_code == 403
    assert _count(client, district, "aa.forged") == 0
