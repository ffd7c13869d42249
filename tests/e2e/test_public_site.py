"""The public site: the region's districts and each district's page, Chinese first."""

from __future__ import annotations

import re

from yimen.tenants.directory.model import TenantStatus


def test_the_region_home_lists_the_districts_in_chinese(client):
    page = client.get("/").get_data(as_text=True)
    assert "南京市玄武区" in page and "南京市秦淮区" in page
    assert '<html lang="zh-CN">' in page
    assert "一门平台运营" not in page  # the operator's realm is not a district


def test_english_is_one_click_away_and_remembered(client):
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "Xuanwu District, Nanjing" in page and '<html lang="en">' in page
    assert "Qinhuai District, Nanjing" in client.get("/").get_data(as_text=True)


def test_a_district_page_lists_its_agencies_and_not_the_other_districts(client):
    page = client.get("/t/xuanwu/").get_data(as_text=True)
    assert "玄武区综合行政执法局" in page and "玄综执罚" in page
    assert "秦淮区" not in page


def test_an_unknown_district_is_a_chinese_404_page(client):
    r = client.get("/t/atlantis/", headers={"Accept": "text/html"})
    assert r.status_code == 404
    assert "页面不存在" in r.get_data(as_text=True)


def test_a_suspended_districts_page_stays_readable(client, app, new_district):
    from yimen.platform.db import db
    from yimen.tenants.directory.onboarding import set_tenant_status

    tenant = new_district("暂停测试区")
    with db.new_session() as s:
        set_tenant_status(s, tenant.id, TenantStatus.SUSPENDED, "测试")
    page = client.get(f"/t/{tenant.slug}/").get_data(as_text=True)
    assert "暂停测试区" in page and "暂停在线办理" in page


def test_the_api_docs_page_loads_its_assets_locally(client):
    page = client.get("/api/docs").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="(/[^"]+)"', page)
    assert any("swagger-ui-bundle.js" in a for a in assets)
    assert all(client.get(a).status_code == 200 for a in assets)
    assert "http://" not in page and "https://" not in page  # no CDN
