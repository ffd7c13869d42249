"""The platform operator reviews next year's calendar in the console; a district
administrator sees the identity provisioning jobs."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import bearer

pytestmark = pytest.mark.browser


def _sign_in(page, base, district, username):
    page.goto(f"{base}/console/?district={district}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("Yimen@2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/console/")


def test_a_second_operator_approves_the_year_another_imported(
    page, live_server, client, machine_token
):
    maker = bearer(machine_token("platform", ["platform_operator"]))
    days = [
        {"date": dt.date(2029, 10, d).isoformat(), "kind": "holiday", "name": "国庆节 (测试数据)"}
        for d in range(1, 8)
    ]
    r = client.post(
        "/api/v1/calendar/years",
        json={
            "year": 2029,
            "notice": "国务院办公厅关于2029年部分节假日安排的通知 (测试数据)",
            "days": days,
        },
        headers=maker,
    )
    assert r.status_code == 201
    _sign_in(page, live_server.url, "platform", "platform.reviewer")
    page.get_by_role("link", name="工作日历").click()
    proposed = page.locator("#proposed-2029")
    assert "国庆节 (测试数据)" in proposed.inner_text()
    proposed.get_by_role("button", name="审核通过").click()
    row = page.locator("#calendar-years tr", has_text="2029")
    assert "已生效" in row.inner_text() and "platform.reviewer" in row.inner_text()


def test_a_district_admin_sees_provisioning_jobs(
    page, live_server, client, machine_token, own_district
):
    slug = own_district["slug"]
    admin = bearer(machine_token(slug, ["district_admin"]))
    agency = client.get("/api/v1/agencies?q=zhzf", headers=admin).json["items"][0]["id"]
    client.post(
        "/api/v1/officers",
        json={
            "agency_id": agency,
            "username": f"{slug}.job{live_server.backend[:2]}",
            "name": "任务测试",
        },
        headers=admin,
    )
    _sign_in(page, live_server.url, slug, f"{slug}.gaoming")
    page.get_by_role("link", name="执法部门").first.click()
    page.get_by_role("link", name="身份开通").click()
    assert page.locator("#provisioning-table tbody tr").count() >= 1
    assert "人员" in page.locator("#provisioning-table").inner_text()
