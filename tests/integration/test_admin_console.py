"""The district administration console: officers added and edited with roles and
certificate domains chosen from lists (the permission table, only the roles the viewer may
grant — tenants/directory/rules.py grantable_roles; the catalog's domains), the initial
password issued once, a lockout lifted, an officer deactivated, units renamed, an
agency's domains chosen, and workflow overrides published from the library's options."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.conftest import bearer
from tests.integration.conftest import _agency_client
from tests.integration.oidc_flow import authorize, pkce, sign_in

OFFICERS = "/console/admin/officers"


@pytest.fixture
def district(own_district, machine_token) -> dict:
    slug = own_district["slug"]
    return {"slug": slug, "admin": bearer(machine_token(slug, ["district_admin"]))}


def _text(response) -> str:
    return response.get_data(as_text=True)


def _post(client, headers: dict, url: str, form: dict):
    """A form posted as the browser does, with the CSRF token of a console page."""
    page = _text(client.get(OFFICERS, headers=headers))
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return client.post(
        url, data={"csrf_token": token, **form}, headers={**headers, "Accept": "text/html"}
    )


def _agency(client, admin: dict, code: str) -> dict:
    items = client.get("/api/v1/agencies", headers=admin).json["items"]
    return next(a for a in items if a["code"] == code)


def _officer(client, admin: dict, username: str) -> dict | None:
    items = client.get(f"/api/v1/officers?q={username}", headers=admin).json["items"]
    return next((o for o in items if o["username"] == username), None)


def _new_officer(client, district, **changes) -> tuple[str, object]:
    username = f"{district['slug']}.xin{uuid.uuid4().hex[:6]}"
    form = {
        "agency_id": _agency(client, district["admin"], "zhzf")["id"],
        "username": username,
        "name": "邓新",
        "certificate_no": f"苏{uuid.uuid4().int % 10**10:010d}",
        "certificate_domains": ["urban_management", "housing_construction"],
        "certificate_valid_until": "2029-06-30",
        "roles": ["officer", "agency_head"],
    } | changes
    return username, _post(client, district["admin"], OFFICERS, form)


def test_the_district_admin_adds_an_officer_choosing_roles_and_domains_from_lists(client, district):
    page = _text(client.get(OFFICERS, headers=district["admin"]))
    domains = re.findall(r'name="certificate_domains" value="([a-z_]+)"', page)
    assert {"urban_management", "market_regulation", "environment"} <= set(domains)
    assert "城市管理" in page and "生态环境" in page  # the domains' names, not their codes
    assert ">urban_management<" not in page and "逗号分隔" not in page
    roles = re.findall(r'name="roles" value="([a-z_]+)"', page)
    assert {"officer", "agency_head", "district_admin", "legal_affairs"} <= set(roles)
    assert "区级管理员" in page and "District administrator" in page  # Chinese, English second

    username, r = _new_officer(client, district)
    assert r.status_code == 302
    created = _officer(client, district["admin"], username)
    assert sorted(created["roles"]) == ["agency_head", "officer"]
    assert created["certificate_domains"] == ["urban_management", "housing_construction"]
    listed = _text(client.get(f"{OFFICERS}?q={username}", headers=district["admin"]))
    assert "城市管理、住房和城乡建设" in listed


def test_a_wrong_domain_is_shown_under_its_field_and_nothing_is_written(client, district):
    username, r = _new_officer(client, district, certificate_domains=["urban_managment"])
    assert r.status_code == 422
    page = _text(r)
    error = re.search(r'id="e-certificate_domains"[^>]*>([^<]+)<', page).group(1)
    assert "执法领域不在目录中" in error and "urban_managment" in error
    assert _officer(client, district["admin"], username) is None
    assert f'value="{username}"' in page  # what was typed stays in the form
    api = client.post(
        "/api/v1/officers",
        json={
            "agency_id": _agency(client, district["admin"], "zhzf")["id"],
            "username": username,
            "name": "邓新",
            "certificate_domains": ["urban_managment"],
        },
        headers=district["admin"],
    )
    assert api.status_code == 422  # the API says the same, by the field
    assert [e["field"] for e in api.json["errors"]] == ["certificate_domains"]

    zhangwei = _officer(client, district["admin"], f"{district['slug']}.zhangwei")
    url = f"{OFFICERS}/{zhangwei['id']}"
    r = _post(
        client,
        district["admin"],
        url,
        {"details_form": "1", "name": "张伟", "certificate_domains": ["urban_management", "fake"]},
    )
    assert r.status_code == 422 and 'id="e-certificate_domains"' in _text(r)
    after = _officer(client, district["admin"], f"{district['slug']}.zhangwei")
    assert after["certificate_domains"] == zhangwei["certificate_domains"]
    assert after["certificate_no"] == zhangwei["certificate_no"]  # no partial write


def test_an_officer_is_edited_in_the_console(client, district):
    wangfang = _officer(client, district["admin"], f"{district['slug']}.wangfang")
    url = f"{OFFICERS}/{wangfang['id']}"
    page = _text(client.get(url, headers=district["admin"]))
    assert 'id="f-certificate_domains-urban_management" name="certificate_domains"' in page
    r = _post(
        client,
        district["admin"],
        url,
        {
            "details_form": "1",
            "name": "王芳芳",
            "certificate_no": wangfang["certificate_no"],
            "certificate_domains": ["urban_management", "natural_resources"],
            "certificate_valid_until": "2030-12-31",
        },
    )
    assert r.status_code == 302 and "人员信息已保存" in _text(
        client.get(r.headers["Location"], headers=district["admin"])
    )
    after = _officer(client, district["admin"], f"{district['slug']}.wangfang")
    assert after["name"] == "王芳芳" and after["certificate_valid_until"] == "2030-12-31"
    assert after["certificate_domains"] == ["urban_management", "natural_resources"]


def test_an_agency_admin_is_offered_only_its_roles_and_a_forged_one_is_refused(
    live_server, app, client, district
):
    agency_admin = _agency_client(live_server, app, "zhzf", ["agency_admin"], district["slug"])
    zhangwei = _officer(client, district["admin"], f"{district['slug']}.zhangwei")
    url = f"{OFFICERS}/{zhangwei['id']}"
    page = _text(client.get(url, headers=agency_admin))
    offered = re.findall(r'name="roles" value="([a-z_]+)"', page)
    assert sorted(offered) == ["agency_admin", "agency_head", "legal_reviewer", "officer"]

    forged = _post(client, agency_admin, f"{url}/roles", {"roles": ["officer", "district_admin"]})
    assert forged.status_code == 403 and "区级管理员" in _text(forged)
    assert _officer(client, district["admin"], zhangwei["username"])["roles"] == ["officer"]

    granted = _post(client, agency_admin, f"{url}/roles", {"roles": ["officer", "agency_head"]})
    assert granted.status_code == 302
    roles = _officer(client, district["admin"], zhangwei["username"])["roles"]
    assert sorted(roles) == ["agency_head", "officer"]

    elsewhere = _officer(client, district["admin"], f"{district['slug']}.liuyang")  # 市场监管
    assert client.get(f"{OFFICERS}/{elsewhere['id']}", headers=agency_admin).status_code == 404


def test_the_initial_password_is_shown_once_and_the_officer_must_change_it(
    live_server, client, district
):
    username, r = _new_officer(client, district)
    officer_id = _officer(client, district["admin"], username)["id"]
    url = f"{OFFICERS}/{officer_id}"
    assert 'id="issued-password"' not in _text(client.get(url, headers=district["admin"]))

    issued = _post(client, district["admin"], f"{url}/initial-password", {})
    assert issued.status_code == 200 and issued.headers["Cache-Control"] == "no-store"
    page = _text(issued)
    password = re.search(r'id="issued-password">([^<]+)<', page).group(1)
    assert "首次登录时必须设置本人的新密码" in page
    assert password not in _text(client.get(url, headers=district["admin"]))  # shown once

    asked = authorize(live_server.url, district["slug"], username, password, pkce()[1])
    assert asked.status_code == 200 and "Location" not in asked.headers
    assert "设置新密码" in asked.text and 'name="new_password_again"' in asked.text
    tokens = sign_in(
        live_server.url, district["slug"], username, password, new_password="Own-pass-2026"
    )
    assert tokens["access_token"]
    again = authorize(live_server.url, district["slug"], username, password, pkce()[1])
    assert again.status_code == 401  # the initial password worked once


def test_a_lockout_is_lifted_from_the_officers_page(live_server, app, client, district):
    from sqlalchemy import select

    from yimen.platform.idp import throttle
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.directory import Tenant

    username = f"{district['slug']}.wangfang"
    with db.new_session() as s:
        tenant_id = s.execute(select(Tenant.id).where(Tenant.slug == district["slug"])).scalar_one()
    with tenant_scope(tenant_id), db.new_session() as s:
        for _ in range(10):
            throttle.record_failure(s, username, "192.0.2.9")
    locked = authorize(live_server.url, district["slug"], username, "Yimen@2026", pkce()[1])
    assert locked.status_code == 423

    officer_id = _officer(client, district["admin"], username)["id"]
    url = f"{OFFICERS}/{officer_id}"
    page = _text(client.get(url, headers=district["admin"]))
    assert "账号已锁定" in page and f"{OFFICERS}/{officer_id}/unlock" in page
    r = _post(client, district["admin"], f"{url}/unlock", {})
    assert r.status_code == 302
    assert "账号已锁定" not in _text(client.get(url, headers=district["admin"]))
    signed_in = authorize(live_server.url, district["slug"], username, "Yimen@2026", pkce()[1])
    assert signed_in.status_code == 302


def test_an_officer_deactivated_in_the_console_cannot_sign_in(live_server, client, district):
    username = f"{district['slug']}.huangxin"
    assert sign_in(live_server.url, district["slug"], username)["access_token"]
    officer_id = _officer(client, district["admin"], username)["id"]
    url = f"{OFFICERS}/{officer_id}"
    r = _post(client, district["admin"], f"{url}/status", {"status": "inactive"})
    assert r.status_code == 302
    assert "已停用" in _text(client.get(r.headers["Location"], headers=district["admin"]))
    refused = authorize(live_server.url, district["slug"], username, "Yimen@2026", pkce()[1])
    assert refused.status_code != 302 and "Location" not in refused.headers

    _post(client, district["admin"], f"{url}/status", {"status": "active"})
    again = authorize(live_server.url, district["slug"], username, "Yimen@2026", pkce()[1])
    assert again.status_code == 302


def test_a_unit_is_added_and_renamed_in_the_console(client, district):
    admin = district["admin"]
    page = _text(client.get("/console/admin/units", headers=admin))
    unit_id = re.search(
        r'<tr id="unit-([0-9a-f-]+)"><td>[^<]*</td><td class="unit-name">市容环卫中队', page
    )
    assert unit_id, "the unit is listed with a rename form"
    url = f"/console/admin/units/{unit_id.group(1)}"
    r = _post(client, admin, "/console/admin/units", {})  # token only: a page to post from
    assert r.status_code == 422  # nothing chosen: the fields say so

    renamed = _post(client, admin, url, {"name": "市容环境卫生中队"})
    assert renamed.status_code == 302
    too_short = _post(client, admin, url, {"name": "队"})
    assert too_short.status_code == 422 and 'id="e-name"' in _text(too_short)
    names = [
        u["name"] for u in client.get("/api/v1/units?page_size=100", headers=admin).json["items"]
    ]
    assert "市容环境卫生中队" in names and "市容环卫中队" not in names and "队" not in names

    agency = _agency(client, admin, "zhzf")
    added = _post(
        client,
        admin,
        "/console/admin/units",
        {"agency_id": agency["id"], "name": "玄武湖执法中队", "kind": "township_squad"},
    )
    assert added.status_code == 302
    assert "玄武湖执法中队" in _text(client.get("/console/admin/units", headers=admin))


def test_the_agency_domains_are_chosen_from_the_catalog(client, district):
    admin = district["admin"]
    agency = _agency(client, admin, "sthj")
    url = f"/console/admin/agencies/{agency['id']}"
    form = {"name": agency["name"], "staffing_quota": "40"}
    wrong = _post(client, admin, url, form | {"domains": ["environment", "enviroment"]})
    assert wrong.status_code == 422 and 'id="e-domains"' in _text(wrong)
    assert _agency(client, admin, "sthj")["domains"] == ["environment"]
    r = _post(client, admin, url, form | {"domains": ["environment", "water"]})
    assert r.status_code == 302
    assert _agency(client, admin, "sthj")["domains"] == ["environment", "water"]
    listed = _text(client.get("/console/admin/agencies", headers=admin))
    assert "生态环境、水利" in listed


def test_a_workflow_override_is_published_from_the_page(client, district):
    admin = district["admin"]
    page_url = "/console/admin/workflow?kind=general"
    page = _text(client.get(page_url, headers=admin))
    assert "生态环境局" in page and 'id="effective-table"' in page
    assert '<option value="hearing_request"' in page and "听证申请期限" in page

    shortened = _post(
        client,
        admin,
        page_url,
        {
            "kind": "general",
            "scope": "district",
            "deadline": "hearing_request",
            "deadline_count": "3",
        },
    )
    assert shortened.status_code == 422
    assert "不得缩短" in re.search(r'id="e-deadline_count"[^>]*>([^<]+)<', _text(shortened)).group(
        1
    )
    forged = _post(
        client,
        admin,
        page_url,
        {
            "kind": "general",
            "scope": "district",
            "approval_stage": "filing",
            "approval_role": "mayor",
        },
    )
    assert forged.status_code == 422 and 'id="e-approval_role"' in _text(forged)
    assert client.get("/api/v1/workflow/overrides", headers=admin).json["total"] == 0

    published = _post(
        client,
        admin,
        page_url,
        {
            "kind": "general",
            "scope": "district",
            "deadline": "hearing_request",
            "deadline_count": "7",
            "approval_stage": "service",
            "approval_role": "agency_head",
            "note": "听证申请期限延长至7个工作日",
        },
    )
    assert published.status_code == 302
    agency = _agency(client, admin, "zhzf")
    effective = client.get(
        f"/api/v1/workflow/effective?kind=general&agency_id={agency['id']}", headers=admin
    ).json
    assert effective["district_version"] == 1
    deadlines = {d["id"]: d["count"] for d in effective["definition"]["deadlines"]}
    assert deadlines["hearing_request"] == 7
    service = next(s for s in effective["definition"]["stages"] if s["id"] == "service")
    assert "agency_head" in [a["role"] for a in service["approvals"]]
    after = _text(client.get(published.headers["Location"], headers=admin))
    assert "已发布流程覆盖" in after and "听证申请期限延长至7个工作日" in after
