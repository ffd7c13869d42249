"""A district administrator adds an agency and an officer in the console."""

from __future__ import annotations

import pytest

from yimen.platform.demo import credit_code

pytestmark = pytest.mark.browser


def _sign_in(page, live_server, username: str) -> None:
    """Signs in at the issuer of the district the name belongs to (`<slug>.zhangwei`)."""
    page.goto(f"{live_server.url}/console/?district={username.partition('.')[0]}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("Yimen@2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/console/")


def test_a_district_admin_adds_an_agency_then_an_officer(page, live_server, backend, own_district):
    slug = own_district["slug"]
    _sign_in(page, live_server, f"{slug}.gaoming")
    page.get_by_role("link", name="执法部门").first.click()
    code = f"wl{backend[:2]}"
    good = credit_code(own_district["division_code"], 40 if backend == "sqlite" else 41)
    form = page.locator("#add-agency")
    form.get_by_label("部门编码").fill(code)
    form.get_by_label("部门名称").fill("测试区文化和旅游局")
    form.get_by_label("统一社会信用代码").fill(good[:-1] + ("0" if good[-1] != "0" else "1"))
    form.get_by_label("类别").select_option("enforcement")
    form.get_by_label("文化和旅游").check()
    form.get_by_label("文书字号前缀").fill("测文旅罚")
    form.get_by_role("button", name="新增").click()
    assert "校验位错误" in page.locator("#e-credit_code").inner_text()
    assert "测试区文化和旅游局" not in page.locator("#agency-table").inner_text()

    page.locator("#add-agency").get_by_label("统一社会信用代码").fill(good)
    page.locator("#add-agency").get_by_role("button", name="新增").click()
    assert page.get_by_role("status").inner_text() == "已新增部门：测试区文化和旅游局"
    assert "测文旅罚" in page.locator("#agency-table").inner_text()

    page.get_by_role("link", name="执法人员").first.click()
    form = page.locator("#add-officer")
    form.get_by_label("所在部门").select_option(label="测试区文化和旅游局")
    form.get_by_label("用户名").fill(f"{slug}.wenlv{backend[:2]}")
    form.get_by_label("姓名").fill("文丽")
    form.get_by_label("执法证号").fill(f"苏32010299{backend[:2]}")
    form.get_by_label("文化和旅游").check()
    form.get_by_label("有效期至").fill("2029-06-30")
    form.get_by_role("button", name="新增").click()
    assert page.get_by_role("status").inner_text() == "已新增人员：文丽"
    row = page.locator("#officer-table tr", has_text="文丽")
    assert "测试区文化和旅游局" in row.inner_text() and "2029-06-30" in row.inner_text()


def test_an_officer_without_admin_rights_sees_no_add_form(page, live_server, own_district):
    _sign_in(page, live_server, f"{own_district['slug']}.zhangwei")
    page.goto(f"{live_server.url}/console/admin/agencies")
    assert page.locator("#agency-table").is_visible()
    assert page.locator("#add-agency").count() == 0


def test_an_officer_posting_the_form_anyway_gets_a_readable_refusal(
    page, live_server, own_district
):
    _sign_in(page, live_server, f"{own_district['slug']}.zhangwei")
    page.goto(f"{live_server.url}/console/admin/officers")
    assert page.locator("#add-officer").count() == 0
    token = page.locator("meta[name=csrf-token]").get_attribute("content")
    response = page.request.post(
        f"{live_server.url}/console/admin/agencies",
        form={"csrf_token": token, "code": "x", "name": "越权部门"},
        headers={"Accept": "text/html"},
    )
    assert response.status == 403
    assert "当前角色无权执行此操作" in response.text()


def test_an_agency_admin_adds_officers_only_to_their_own_agency(
    page, live_server, client, machine_token, own_district
):
    from tests.conftest import bearer

    slug = own_district["slug"]
    admin = bearer(machine_token(slug, ["district_admin"]))
    other = client.get("/api/v1/agencies?q=scjg", headers=admin).json["items"][0]["id"]
    _sign_in(page, live_server, f"{slug}.sunli")  # 综合执法局的部门管理员
    page.goto(f"{live_server.url}/console/admin/officers?page=abc")
    options = page.locator("#f-agency_id option").all_inner_texts()
    assert options == ["测试区综合行政执法局"]
    assert all(
        "测试区综合行政执法局" in row
        for row in page.locator("#officer-table tbody tr").all_inner_texts()
    )
    token = page.locator("meta[name=csrf-token]").get_attribute("content")
    response = page.request.post(
        f"{live_server.url}/console/admin/officers",
        headers={"Accept": "text/html"},
        form={
            "csrf_token": token,
            "agency_id": other,
            "username": f"{slug}.yuequan",
            "name": "越权",
        },
    )
    assert response.status == 403 and "只能管理本部门" in response.text()


def test_the_district_admin_adds_an_officer_issues_the_initial_password_and_it_must_be_changed(
    sign_in, browser, live_server, own_district
):
    """Issue 13 item 8, start to finish in the console: roles and domains chosen from
    lists, the initial password shown once, and the officer's first sign-in asks for
    their own."""
    slug = own_district["slug"]
    page = sign_in(f"{slug}.gaoming")
    page.get_by_role("link", name="执法人员").first.click()
    form = page.locator("#add-officer")
    form.get_by_label("所在部门").select_option(label="测试区市场监督管理局")
    form.get_by_label("用户名").fill(f"{slug}.xinren")
    form.get_by_label("姓名").fill("辛仁")
    form.get_by_label("执法证号").fill("苏3201029901")
    form.get_by_label("食品安全").check()
    form.get_by_label("市场监管").check()
    form.get_by_label("有效期至").fill("2029-06-30")
    form.get_by_label("部门负责人").check()
    form.get_by_role("button", name="新增").click()
    assert page.get_by_role("status").inner_text() == "已新增人员：辛仁"
    row = page.locator("#officer-table tr", has_text="辛仁")
    assert "市场监管" in row.inner_text() and "food_safety" not in row.inner_text()

    row.get_by_role("link", name="辛仁").click()
    assert page.locator("#f-roles-agency_head").is_checked()
    page.get_by_role("button", name="签发初始密码").click()
    password = page.locator("#issued-password").inner_text()
    assert "首次登录时必须设置本人的新密码" in page.locator("#initial-password").inner_text()

    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    officer = context.new_page()
    officer.set_default_timeout(15000)
    officer.goto(f"{live_server.url}/console/?district={slug}")
    officer.get_by_label("用户名").fill(f"{slug}.xinren")
    officer.get_by_label("密码").fill(password)
    officer.get_by_role("button", name="登录").click()
    officer.get_by_label("新密码", exact=True).fill("Xinren-own-2026")
    officer.get_by_label("再次输入新密码").fill("Xinren-own-2026")
    officer.get_by_role("button", name="设置并登录").click()
    officer.wait_for_url(f"{live_server.url}/console/")
    assert "辛仁" in officer.content()
    context.close()
