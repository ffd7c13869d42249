"""Browser fixtures: Chromium pages, and officers signed in to the console."""

import pytest

from tests.e2e.browser import browser, page  # noqa: F401 - fixtures

# ruff: noqa: F811 - the fixtures above are parameters of the ones below


@pytest.fixture
def sign_in(browser, live_server):
    """A page signed in as `username`, each person in a browser context of their own, at
    the issuer of the district the name belongs to (`xuanwu.zhangwei`: xuanwu; a module's
    `own_district` officers are `<slug>.zhangwei` …)."""
    contexts = []

    def open_as(username: str):
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        district = username.partition(".")[0]
        page.goto(f"{live_server.url}/console/?district={district}")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill("Yimen@2026")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{live_server.url}/console/")
        return page

    yield open_as
    for context in contexts:
        context.close()
