"""One general-procedure case from filing to archive in the console, with a hearing, a
legal review and a collective discussion, each step taken by the person the law names
(officer, agency head, legal reviewer); the decision PDF is downloaded and read (issue:
Case engine — acceptance; 处罚法 第五十九条: the decision states the reconsideration and
litigation periods)."""

from __future__ import annotations

import io
import uuid

import pytest
from stdnum.cn import uscc

pytestmark = pytest.mark.browser

OIL_FUMES = "CG-0014"  # 餐饮油烟: 大气污染防治法 第一百一十八条


@pytest.fixture
def case_day(time_machine):
    """The server's clock on the case engine's test day (tests/integration/conftest.py):
    the timeline below is dated, and every date entered is checked against today."""
    from tests.integration.conftest import CASE_DAY

    time_machine.move_to(CASE_DAY, tick=True)


def _filed_on(tenant_id, number: str, day: str) -> None:
    """The record as if the head had approved filing on `day` (filing takes no date: the
    engine dates it today; the notice below is served on the day of filing)."""
    import datetime as dt

    from sqlalchemy import select
    from sqlalchemy.orm.attributes import flag_modified

    from yimen.platform.cases.record.model import Case
    from yimen.platform.kernel.db import db, tenant_scope

    with tenant_scope(tenant_id), db.new_session() as s:
        case = s.execute(select(Case).where(Case.number == number)).scalar_one()
        case.filed_on = dt.date.fromisoformat(day)
        case.details.setdefault("dates", {})["filed"] = day
        flag_modified(case, "details")
        s.commit()


@pytest.fixture
def signed_in(browser, live_server):
    """A page signed in as `username`, each person in a browser context of their own, at
    the issuer of the district the name belongs to (`<slug>.zhangwei`)."""
    contexts = []

    def open_as(username: str):
        context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/console/?district={username.partition('.')[0]}")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill("Yimen@2026")
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{live_server.url}/console/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def _unfold(page, action: str) -> None:
    """Open the action's fold: only the next lawful step is unfolded."""
    page.evaluate(
        "a => { const d = document.getElementById('action-' + a)?.closest('details');"
        " if (d) d.open = true; }",
        action,
    )


def _submit(page, action: str, expect: str | None = "done"):
    """Send the action's form; the page that comes back says it was done (or why not)."""
    _unfold(page, action)
    with page.expect_navigation():
        page.locator(f"#action-{action} button[type=submit]").click()
    if expect == "done":
        assert page.locator("#done").inner_text().startswith("已完成："), page.content()[:2000]
    return page


def _form(page, action: str):
    _unfold(page, action)
    return page.locator(f"#action-{action}")


def _stage(page) -> str:
    return page.locator("#case-stage").inner_text()


def _open_new_case(officer, party: str) -> str:
    officer.get_by_role("link", name="案件", exact=True).click()
    officer.get_by_role("link", name="新建案件").first.click()
    form = officer.locator("#case-form")
    form.get_by_label("执法事项").select_option(value=OIL_FUMES)
    form.get_by_label("违法事实").fill(
        "当事人在玄武区珠江路88号经营餐馆，未安装油烟净化设施直排油烟。"
    )
    form.get_by_label("违法地点").fill("玄武区珠江路88号")
    form.get_by_label("违法行为发生日期").fill("2026-10-01")
    form.get_by_label("情节复杂或重大违法").check()
    form.get_by_label("当事人类型").select_option(label="法人及非法人组织")
    form.get_by_label("姓名或名称").fill(party)
    body = "91320102MA1MXXX90"
    form.get_by_label("统一社会信用代码").fill(body + uscc.calc_check_digit(body))
    form.get_by_label("地址", exact=True).fill("玄武区珠江路88号")
    form.get_by_label("张伟").check()
    form.get_by_label("王芳").check()
    with officer.expect_navigation():
        form.get_by_role("button", name="保存草稿").click()
    assert "待部门负责人批准立案" in officer.locator("#done").inner_text()
    assert "批准立案" in officer.locator("#waiting").inner_text()  # the head's, not ours
    assert officer.locator("#action-approve_filing").count() == 0
    return officer.url.split("?")[0]


def _investigate_and_notify(officer) -> None:
    evidence = _form(officer, "add_evidence")
    evidence.get_by_label("证据种类").select_option(label="视听资料")
    evidence.get_by_label("证据名称").fill("现场油烟直排视频")
    _submit(officer, "add_evidence")
    for kind, content in (
        ("现场检查笔录", "现场检查发现未安装油烟净化设施。"),
        ("询问笔录", "当事人承认未安装净化设施。"),
    ):
        record = _form(officer, "add_record")
        record.get_by_label("文书").select_option(label=kind)
        record.get_by_label("笔录内容").fill(content)
        _submit(officer, "add_record")
    assert "现场油烟直排视频" in officer.locator("#evidence").inner_text()
    _submit(officer, "advance")
    assert _stage(officer) == "责令改正"
    _form(officer, "order_correction").get_by_label("责令改正内容").fill(
        "责令于2026年12月1日前安装油烟净化设施"
    )
    _submit(officer, "order_correction")
    _submit(officer, "advance")
    penalty = _form(officer, "propose_penalty")
    penalty.get_by_label("罚款", exact=True).check()
    penalty.get_by_label("责令停产停业").check()  # carries the right to a hearing (第六十三条)
    penalty.get_by_label("罚款 (元)").fill("30000")
    penalty.get_by_label("违法情节").select_option(label="情节一般")
    penalty.get_by_label("初次违法").check()
    _submit(officer, "propose_penalty")
    assert "30000元" in officer.locator("#case-fine").inner_text()
    # Served three weeks ago: the statement window (5 working days) has closed since.
    _form(officer, "serve_prior_notice").get_by_label("告知书送达日期").fill("2026-11-02")
    _submit(officer, "serve_prior_notice")
    assert _stage(officer) == "陈述申辩与复核"
    _form(officer, "request_hearing").get_by_label("申请日期").fill("2026-11-05")
    _submit(officer, "request_hearing")
    statement = _form(officer, "record_statement")
    statement.get_by_label("当事人陈述申辩").fill("已在整改中，请求从轻处罚")
    statement.get_by_label("复核意见").fill("经复核，当事人所述整改属实，维持拟处罚意见。")
    _submit(officer, "record_statement")
    _submit(officer, "advance")
    assert _stage(officer) == "听证"


def _hold_hearing(officer) -> None:
    hearing = _form(officer, "schedule_hearing")
    hearing.get_by_label("听证日期").fill("2026-11-20")
    hearing.get_by_label("听证时间 (时:分)").fill("09:30")
    hearing.get_by_label("通知日期").fill("2026-11-09")
    hearing.get_by_label("听证主持人").select_option(label="张伟")
    hearing.get_by_label("地点").fill("区综合执法局听证室")
    _submit(officer, "schedule_hearing", expect=None)
    refusal = officer.get_by_role("alert").first.inner_text()
    assert "听证主持人不得由本案调查人员担任" in refusal and "第六十四条" in refusal
    hearing = _form(officer, "schedule_hearing")  # what was typed is still there
    assert hearing.get_by_label("地点").input_value() == "区综合执法局听证室"
    hearing.get_by_label("听证主持人").select_option(label="李强")
    _submit(officer, "schedule_hearing")
    record = _form(officer, "record_hearing")
    record.get_by_label("听证笔录").fill("听证笔录：当事人陈述整改情况……")
    record.get_by_label("举行日期").fill("2026-11-20")
    _submit(officer, "record_hearing")
    _submit(officer, "advance")
    assert _stage(officer) == "法制审核"
    assert "法制审核" in officer.locator("#waiting").inner_text()


def test_a_general_procedure_case_from_filing_to_archive_in_the_console(
    case_day, signed_in, render_documents, own_district
):
    from pypdf import PdfReader

    party = f"南京味道{uuid.uuid4().hex[:4]}餐饮管理有限公司"
    slug = own_district["slug"]
    officer = signed_in(f"{slug}.zhangwei")
    case_url = _open_new_case(officer, party)

    head = signed_in(f"{slug}.liqiang")
    head.get_by_role("link", name="案件", exact=True).click()
    head.get_by_label("案号或当事人").fill(party)  # the head finds the draft by its party
    head.get_by_role("button", name="筛选").click()
    head.locator("#case-table tr", has_text=party).get_by_role("link").click()
    _submit(head, "approve_filing")
    number = head.locator("#case-number").inner_text()
    assert number.startswith("测综执") and _stage(head) == "调查取证"
    _filed_on(own_district["tenant_id"], number, "2026-11-02")

    officer.goto(case_url)
    _investigate_and_notify(officer)
    _hold_hearing(officer)

    reviewer = signed_in(f"{slug}.zhaomin")
    reviewer.goto(case_url)
    review = _form(reviewer, "legal_review")
    review.get_by_label("审核结论").select_option(label="通过")
    review.get_by_label("审核意见").fill("事实清楚，证据充分，程序合法。")
    _submit(reviewer, "legal_review")

    officer.reload()
    _submit(officer, "advance")
    assert _stage(officer) == "集体讨论"

    head.goto(case_url)
    discussion = _form(head, "record_discussion")
    discussion.get_by_label("讨论记录").fill("集体讨论记录……")
    discussion.get_by_label("讨论结论").fill("同意罚款三万元并责令停业整顿")
    _submit(head, "record_discussion")
    _submit(head, "advance")
    _form(head, "decide").get_by_label("罚款 (元)").fill("30000")
    _submit(head, "decide")
    assert _stage(head) == "送达"

    officer.goto(case_url)
    _form(officer, "serve_decision").get_by_label("送达方式").select_option(label="直接送达")
    _submit(officer, "serve_decision")
    _form(officer, "record_payment").get_by_label("实缴金额 (元)").fill("30000")
    _submit(officer, "record_payment")
    _submit(officer, "advance")
    assert _stage(officer) == "结案"

    head.goto(case_url)
    _submit(head, "approve_closure")
    _submit(head, "archive")
    assert head.locator("#case-status").inner_text() == "已归档"
    states = head.locator("#timeline li").evaluate_all("els => els.map(e => e.dataset.state)")
    assert set(states) == {"done"} and len(states) == 13  # no compulsory measures
    assert head.locator("#case-actions").count() == 0
    assert head.locator("#chain-state").get_attribute("data-state") == "ok"

    decision = head.locator("#documents tr[data-kind='行政处罚决定书']")
    assert decision.get_attribute("data-pdf-status") == "pending"  # 生成中 until the worker ran
    assert "生成中" in decision.inner_text()
    render_documents()
    head.reload()
    assert decision.get_attribute("data-pdf-status") == "ready"
    decision_number = decision.locator(".doc-number").inner_text()
    with head.expect_download() as download:
        decision.get_by_role("link", name="下载").click()
    with open(download.value.path(), "rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    text = "".join("".join(page.extract_text().split()) for page in reader.pages)
    assert decision_number in text and party in text
    assert "六十日" in text and "六个月" in text
    assert decision_number != number  # the decision has its own number (测综执罚〔…〕)
