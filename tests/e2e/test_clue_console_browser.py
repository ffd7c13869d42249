"""The one door in the officers' console: a 12319 call is entered, transferred and
accepted; another clue is refused three times and designated by the legal-affairs office."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

ZHZF, SCJG, STHJ = "测试区综合行政执法局", "测试区市场监督管理局", "测试区生态环境局"
OIL_FUMES = "餐饮服务业经营者未安装油烟净化设施或者超标排放油烟"


@pytest.fixture
def staff(sign_in, own_district):
    """A page signed in as `who` (zhangwei, liuyang …) of the module's own district."""
    return lambda who: sign_in(f"{own_district['slug']}.{who}")


def _hotline_call(page, description: str, matter: str | None = None, agency: str | None = None):
    page.get_by_role("link", name="热线登记").click()
    form = page.locator("#hotline-form")
    if matter:
        # the filter box keeps the matters whose name has the keyword (static/matter-filter.js)
        form.get_by_role("searchbox").fill("油烟")
        options = form.locator("#h-matter_code option")
        assert form.locator("#h-matter_code option:not([hidden])").count() < options.count()
        form.get_by_label("问题类别", exact=True).select_option(label=matter)
    if agency:
        form.get_by_label("承办部门").select_option(label=agency)
    form.get_by_label("问题描述").fill(description)
    form.get_by_label("发生地点").fill("玄武区珠江路88号")
    form.get_by_label("来电人姓名").fill("王女士")
    form.get_by_label("来电人手机号码").fill("13912345678")
    form.get_by_role("button", name="登记").click()
    code = page.locator("#receipt-code").inner_text()
    assert code.startswith("YM")
    return code


def _open_from_inbox(page, code: str) -> None:
    page.get_by_role("link", name="线索收件箱").click()
    filters = page.locator("#inbox-filters")
    filters.get_by_label("状态").select_option(label="待受理")
    filters.get_by_label("来源").select_option(label="12319热线")
    filters.get_by_role("button", name="筛选").click()
    page.get_by_role("link", name=code).click()
    page.locator("#clue-history").wait_for()


def _transfer(page, to: str, reason: str) -> None:
    form = page.locator("#transfer-form")
    form.get_by_label("移送至").select_option(label=to)
    form.get_by_label("移送理由").fill(reason)
    form.get_by_role("button", name="移送").click()
    assert page.get_by_role("status").inner_text() == "已移送。"


def test_a_call_is_entered_transferred_and_accepted_in_the_console(staff):
    operator = staff("chenjing")
    code = _hotline_call(operator, "楼下饭店油烟直排，窗户都不敢开", matter=OIL_FUMES)
    assert ZHZF in operator.locator("#registered").inner_text()

    officer = staff("zhangwei")
    _open_from_inbox(officer, code)
    assert "139****5678" in officer.locator("#complainant").inner_text()
    assert "13912345678" not in officer.content()
    assert "还可移送 2 次" in officer.locator("#transfers-left").inner_text()
    _transfer(officer, SCJG, "经营者无照经营，属市场监管职责")
    assert officer.locator("#clue-actions").count() == 0  # no longer ours to act on

    other = staff("liuyang")
    _open_from_inbox(other, code)
    history = other.locator("#clue-history").inner_text()
    assert f"{ZHZF} → {SCJG}" in history and "经营者无照经营" in history
    other.locator("#accept-form").get_by_role("button", name="受理").click()
    assert other.get_by_role("status").inner_text() == "已受理。"
    assert other.locator("#clue-status").inner_text() == "办理中"
    assert other.locator("#close-form").is_visible()


def test_a_clue_refused_three_times_is_designated_by_the_legal_affairs_office(staff):
    operator = staff("chenjing")
    code = _hotline_call(operator, "河边作坊夜间排放刺鼻废气", agency=ZHZF)

    first = staff("zhangwei")
    _open_from_inbox(first, code)
    _transfer(first, SCJG, "属生产经营行为")
    second = staff("liuyang")
    _open_from_inbox(second, code)
    assert "还可移送 1 次" in second.locator("#transfers-left").inner_text()
    _transfer(second, STHJ, "属大气污染")

    third = staff("wuhao")
    _open_from_inbox(third, code)
    assert third.locator("#transfer-form").count() == 0
    assert "不能再移送" in third.locator("#transfer-limit").inner_text()
    submit = third.locator("#submit-form")
    submit.get_by_label("不予承办的理由").fill("作坊无排污许可，属安全生产问题")
    submit.get_by_role("button", name="提交法制办裁定").click()
    assert third.get_by_role("status").inner_text() == "已提交法制办裁定。"

    legal = staff("heyun")
    legal.get_by_role("link", name="管辖裁定").click()
    item = legal.locator(f"article[data-receipt='{code}']")
    reasons = item.locator("table").inner_text()
    assert "属生产经营行为" in reasons and "属大气污染" in reasons and "安全生产问题" in reasons
    item.get_by_label("牵头承办部门").select_option(label=STHJ)
    item.get_by_label("配合部门 (可多选)").select_option(label=[ZHZF, SCJG])
    item.get_by_label("指定理由").fill("废气排放由生态环境局牵头，城管、市场监管配合")
    item.get_by_role("button", name="指定承办").click()
    assert legal.get_by_role("status").inner_text() == f"已指定承办部门：{code} → {STHJ}"
    assert legal.locator(f"article[data-receipt='{code}']").count() == 0

    legal.goto(third.url.split("?")[0])
    assert legal.locator("#clue-status").inner_text() == "办理中"
    assert set(legal.locator("#clue-joint").inner_text().split("、")) == {ZHZF, SCJG}
