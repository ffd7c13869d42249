"""An officer signs in to the console through the district's issuer and sees who they are."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_an_officer_signs_in_sees_their_district_agency_and_roles_and_signs_out(page, live_server):
    page.goto(f"{live_server.url}/console/")
    page.get_by_role("link", name="南京市玄武区").click()
    page.get_by_label("用户名").fill("xuanwu.liqiang")
    page.get_by_label("密码").fill("Yimen@2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/console/")
    assert page.locator("#me-name").inner_text() == "李强"
    assert page.locator("#me-district").inner_text() == "南京市玄武区"
    assert page.locator("#me-agency").inner_text() == "玄武区综合行政执法局"
    roles = page.locator("#me-roles .tag").all_inner_texts()
    assert roles == ["部门负责人", "执法人员"]
    page.locator("#sign-out").click()
    page.wait_for_url(f"{live_server.url}/console/**")
    page.goto(f"{live_server.url}/console/")
    assert (
        "/console/login" in page.url or page.get_by_role("link", name="南京市玄武区").is_visible()
    )


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(page, live_server):
    page.goto(f"{live_server.url}/console/login?district=qinhuai")
    page.get_by_label("用户名").fill("qinhuai.zhangwei")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").inner_text() == "用户名或密码不正确，或账号已停用。"


def test_an_officer_of_a_test_modules_own_district_signs_in_at_its_issuer(sign_in, own_district):
    page = sign_in(f"{own_district['slug']}.liqiang")
    assert page.locator("#me-name").inner_text() == "李强"
    assert page.locator("#me-district").inner_text() == "测试区"
    assert page.locator("#me-agency").inner_text() == "测试区综合行政执法局"
