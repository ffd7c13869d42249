"""Day one in a district, start to finish in the console with no API call (issue 13,
acceptance): a 12345 call is entered by the hotline operator and becomes a clue; the
agency's officer accepts it and turns it into a case draft, completes the draft in the
console; the head approves filing; the investigation records and a photo uploaded with
the day it was taken; the order to correct, the prior notice; after the party's
statement period has run, the legal review, the collective discussion and the head's
decision; service, payment, the head's approval of closure. The complainant follows
each step on the public progress page with the receipt code and the phone's last digits.

Dates: the call, the filing, the investigation and the prior notice are on Monday
16 November 2026; the statement period (5 working days, 处罚法 第四十五条、第六十四条)
ends on the 23rd, so the clock moves to Tuesday the 24th before the decision, and the
officers sign in again (their console tokens have long expired by then)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select
from stdnum.cn import uscc

from tests.integration.test_complaint_attachments import tiny_png

pytestmark = pytest.mark.browser

OIL_FUMES = "餐饮服务业经营者未安装油烟净化设施或者超标排放油烟"  # CG-0014, a major decision
CALL_DAY = dt.datetime(2026, 11, 16, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai
DECISION_DAY = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)  # Tuesday, the period over
PHONE = "13912345678"

# What the complainant reads on the progress page after each step (issue 13, item 10:
# told to the end, "filed" only once the head approved the filing).
OFFERED, ACCEPTED = "已分派至承办部门", "已受理"
DRAFTED, FILED = "已转为案件，正在审查是否立案", "已立案查处"
DECIDED, CLOSED = "已作出处理决定：依法给予行政处罚", "案件已办结"


# --- the console ------------------------------------------------------------------------


def _unfold(page, action: str) -> None:
    """Open the action's fold (only the next lawful step is unfolded)."""
    page.evaluate(
        "a => { const d = document.getElementById('action-' + a)?.closest('details');"
        " if (d) d.open = true; }",
        action,
    )


def _next_step(page) -> str | None:
    step = page.locator("#next-step")
    return step.get_attribute("data-action") if step.count() else None


def _form(page, action: str, next_step: bool = False):
    """The action's form; `next_step`: the page offers it first, unfolded."""
    if next_step:
        assert _next_step(page) == action, f"next step {_next_step(page)!r}, not {action!r}"
        assert page.locator(f"#action-{action}").is_visible()
    else:
        _unfold(page, action)
    return page.locator(f"#action-{action}")


def _submit(page, action: str, expect: str | None = "done", next_step: bool = False):
    form = _form(page, action, next_step)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    if expect == "done":
        done = page.locator("#done")
        assert done.count() and done.inner_text().startswith("已完成："), (
            page.locator("[role=alert]").all_inner_texts() or page.content()[:2000]
        )
    return page


def _stage(page) -> str:
    return page.locator("#case-stage").inner_text()


def _open_todo(page, text: str, action: str | None = None) -> None:
    """From the workbench (console home): the to-do naming `text`, one click away."""
    page.goto(page.url.split("/console/")[0] + "/console/")
    row = page.locator("#todo tr", has_text=text)
    if action:
        row = row.and_(page.locator(f"#todo tr[data-action='{action}']"))
    with page.expect_navigation():
        row.first.locator("a.todo-link").click()


# --- the complainant ----------------------------------------------------------------------


def _progress(page, base: str, code: str) -> list[str]:
    page.goto(f"{base}/progress")
    page.get_by_label("回执码").fill(code)
    page.get_by_label("手机尾号后四位 (匿名投诉不填)").fill(PHONE[-4:])
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    rows = page.locator("#progress-steps tbody tr").all_inner_texts()
    assert PHONE not in page.content() and "王女士" not in page.content()
    return [r.split("\t")[1] for r in rows]


def _sms_topics(slug: str, code: str) -> list[str]:
    """The texts queued for the complainant (the outbox the SMS gateway is fed from)."""
    from yimen.gateway.outbox.model import OutboxMessage
    from yimen.platform.intake.model import Clue
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.directory import Tenant

    with db.new_session() as s:
        tenant_id = s.execute(select(Tenant.id).where(Tenant.slug == slug)).scalar_one()
    with tenant_scope(tenant_id), db.new_session() as s:
        clue_id = s.execute(select(Clue.id).where(Clue.receipt_code == code)).scalar_one()
        return list(
            s.execute(
                select(OutboxMessage.topic)
                .where(OutboxMessage.idempotency_key.like(f"clue:{clue_id}:%"))
                .order_by(OutboxMessage.created_at)
            ).scalars()
        )


# --- the flow -----------------------------------------------------------------------------


def _hotline_call(operator, work_order: str) -> str:
    """The operator enters a 12345 call: the category from the list grouped by domain."""
    operator.get_by_role("link", name="热线登记").click()
    form = operator.locator("#hotline-form")
    form.get_by_label("12345 政务服务便民热线").check()
    form.get_by_label("工单号或来电编号").fill(work_order)
    form.get_by_label("来电时间").fill("2026-11-16T09:40")
    form.get_by_role("searchbox", name="按关键词筛选类别").fill("油烟")
    group = form.locator("optgroup", has=operator.locator(f"option:text-is('{OIL_FUMES}')"))
    assert group.get_attribute("label") and group.get_attribute("data-domain")
    form.get_by_label("问题类别", exact=True).select_option(label=OIL_FUMES)
    form.get_by_label("问题描述").fill("楼下饭店油烟直排，窗户都不敢开")
    form.get_by_label("发生地点").fill("珠江路88号")
    form.get_by_label("来电人姓名").fill("王女士")
    form.get_by_label("来电人手机号码").fill(PHONE)
    with operator.expect_navigation():
        form.get_by_role("button", name="登记").click()
    code = operator.locator("#receipt-code").inner_text()
    assert code.startswith("YM")
    assert "综合行政执法局" in operator.locator("#registered").inner_text()
    return code


def _accept_and_convert(officer, code: str) -> str:
    """The officer accepts the clue from the workbench and turns it into a case draft;
    the case page says what the draft still needs. Returns the case page's URL."""
    _open_todo(officer, code)
    assert officer.locator("#receipt-code").inner_text() == code
    with officer.expect_navigation():
        officer.locator("#accept-form").get_by_role("button", name="受理").click()
    assert officer.get_by_role("status").inner_text() == "已受理。"
    with officer.expect_navigation():
        officer.locator("#file-case-form").get_by_role("button", name="转为案件").click()
    assert officer.get_by_role("status").inner_text() == "已转为案件，案件草稿已生成。"
    with officer.expect_navigation():
        officer.locator("#clue-case a").click()
    assert "立案前须补充" in officer.locator("#draft-incomplete").inner_text()
    return officer.url.split("?")[0]


def _complete_draft(officer, party: str) -> None:
    with officer.expect_navigation():
        officer.locator("#complete-draft").click()
    assert officer.url.split("?")[0].endswith("/draft")
    form = officer.locator("#draft-form")
    form.get_by_role("searchbox", name="筛选执法事项").fill("油烟")
    form.get_by_role("combobox", name="执法事项").select_option(label=OIL_FUMES)
    form.get_by_label("违法事实").fill("当事人在珠江路88号经营餐馆，未安装油烟净化设施直排油烟。")
    form.get_by_label("违法地点").fill("珠江路88号")
    form.get_by_label("违法行为发生日期").fill("2026-11-10")
    form.get_by_label("当事人类型").select_option(label="法人及非法人组织")
    form.get_by_label("姓名或名称").fill(party)
    body = "91320102MA1MXXX90"
    form.get_by_label("统一社会信用代码").fill(body + uscc.calc_check_digit(body))
    form.get_by_label("法定代表人").fill("李明")
    form.get_by_label("地址 (决定书须载明)").fill("珠江路88号")
    form.get_by_label("张伟").check()
    form.get_by_label("王芳").check()
    with officer.expect_navigation():
        form.get_by_role("button", name="保存立案信息").click()
    assert officer.locator("#done").inner_text() == "立案信息已保存，待部门负责人批准立案。"
    assert officer.locator("#draft-incomplete").count() == 0
    assert party in officer.locator("#case-parties").inner_text()
    assert set(officer.locator("#case-officers").inner_text().split("、")) == {"张伟", "王芳"}
    assert "批准立案" in officer.locator("#waiting").inner_text()  # the head's, not ours


def _investigate(officer, photo) -> None:
    """Two records, then the photo uploaded with the day it was taken; each the step the
    page offers first."""
    for kind, content in (
        ("现场检查笔录", "现场检查发现未安装油烟净化设施，油烟直排。"),
        ("询问笔录", "当事人承认未安装油烟净化设施。"),
    ):
        record = _form(officer, "add_record", next_step=True)
        record.get_by_label("文书").select_option(label=kind)
        record.get_by_label("笔录内容").fill(content)
        _submit(officer, "add_record", next_step=True)
    evidence = _form(officer, "add_evidence", next_step=True)
    evidence.get_by_label("证据种类").select_option(label="视听资料")
    evidence.get_by_label("证据名称").fill("现场油烟直排照片")
    evidence.get_by_label("收集日期").fill("2026-11-16")
    evidence.get_by_label("证据文件 (照片、视频、录音或文档，可选)").set_input_files(photo)
    _submit(officer, "add_evidence", next_step=True)
    row = officer.locator("#evidence tr", has_text="现场油烟直排照片")
    assert "2026-11-16" in row.inner_text() and "image/png" in row.inner_text()
    assert row.get_by_role("link", name="现场油烟直排照片").count() == 1
    _submit(officer, "advance", next_step=True)
    assert _stage(officer) == "责令改正"


def _notify(officer) -> None:
    """The order to correct, the proposed penalty and the prior notice, served today."""
    order = _form(officer, "order_correction", next_step=True)
    order.get_by_label("责令改正内容").fill("责令安装油烟净化设施并正常使用")
    order.get_by_label("改正期限").fill("2026-12-16")
    _submit(officer, "order_correction", next_step=True)
    _submit(officer, "advance", next_step=True)
    assert _stage(officer) == "事先告知"
    penalty = _form(officer, "propose_penalty", next_step=True)  # the notice states it
    penalty.get_by_label("罚款", exact=True).check()
    penalty.get_by_label("罚款 (元)").fill("30000")
    penalty.get_by_label("违法情节").select_option(label="情节一般")
    _submit(officer, "propose_penalty", next_step=True)
    assert "30000" in officer.locator("#case-fine").inner_text()
    _form(officer, "serve_prior_notice", next_step=True).get_by_label("告知书送达日期").fill(
        "2026-11-16"
    )
    _submit(officer, "serve_prior_notice", next_step=True)
    assert _stage(officer) == "陈述申辩与复核"
    # The party's period runs: the stage cannot be left before the day it ends.
    assert officer.locator("#action-advance").count() == 0
    period = officer.locator("#deadlines tr", has_text="2026-11-23")
    assert period.count() == 1, officer.locator("#deadlines").inner_text()


def test_a_hotline_call_becomes_a_case_filed_decided_paid_and_closed_in_the_console(
    sign_in, page, live_server, own_district, time_machine, render_documents, tmp_path
):
    slug = own_district["slug"]
    base = f"{live_server.url}/t/{slug}"
    party = f"味道{uuid.uuid4().hex[:4]}餐饮管理有限公司"
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(tiny_png(16, 16))
    seen: dict[str, list[str]] = {}  # the complainant's progress after each step

    time_machine.move_to(CALL_DAY, tick=True)
    operator = sign_in(f"{slug}.chenjing")
    code = _hotline_call(operator, f"NJ12345-{uuid.uuid4().hex[:8]}")
    seen["registered"] = _progress(page, base, code)

    officer = sign_in(f"{slug}.zhangwei")
    case_url = _accept_and_convert(officer, code)
    seen["draft"] = _progress(page, base, code)
    _complete_draft(officer, party)

    head = sign_in(f"{slug}.liqiang")
    _open_todo(head, "批准立案")
    assert head.url.split("#")[0].split("?")[0] == case_url
    _submit(head, "approve_filing", next_step=True)
    number = head.locator("#case-number").inner_text()
    assert number.startswith("测") and _stage(head) == "调查取证"
    seen["filed"] = _progress(page, base, code)

    officer.goto(case_url)
    _investigate(officer, photo)
    _notify(officer)

    # Eight days later the party has not spoken: the statement period is over.
    time_machine.move_to(DECISION_DAY, tick=True)
    officer = sign_in(f"{slug}.zhangwei")
    officer.goto(case_url)
    _submit(officer, "advance", next_step=True)
    assert _stage(officer) == "法制审核"  # a major decision (处罚法 第五十八条)
    assert "法制审核" in officer.locator("#waiting").inner_text()

    reviewer = sign_in(f"{slug}.zhaomin")
    _open_todo(reviewer, number)
    review = _form(reviewer, "legal_review", next_step=True)
    review.get_by_label("审核结论").select_option(label="通过")
    review.get_by_label("审核意见").fill("事实清楚，证据充分，程序合法，拟处罚适当。")
    _submit(reviewer, "legal_review", next_step=True)

    officer.reload()
    _submit(officer, "advance", next_step=True)
    assert _stage(officer) == "集体讨论"  # 第五十七条第二款

    head = sign_in(f"{slug}.liqiang")
    head.goto(case_url)
    discussion = _form(head, "record_discussion", next_step=True)
    discussion.get_by_label("讨论记录").fill("集体讨论记录：与会人员一致同意拟处罚意见。")
    discussion.get_by_label("讨论结论").fill("同意罚款三万元")
    _submit(head, "record_discussion", next_step=True)
    _submit(head, "advance", next_step=True)
    assert _stage(head) == "作出决定"
    _form(head, "decide", next_step=True).get_by_label("罚款 (元)").fill("30000")
    _submit(head, "decide", next_step=True)
    assert _stage(head) == "送达"
    seen["decided"] = _progress(page, base, code)

    officer.goto(case_url)
    serve = _form(officer, "serve_decision", next_step=True)
    serve.get_by_label("送达方式").select_option(label="直接送达")
    _submit(officer, "serve_decision", next_step=True)
    assert _stage(officer) == "执行"
    # Paid on the day of service: the page offers the payment first, not the demand (催告),
    # which waits until the 15 days to pay have run (处罚法 第六十七条第三款).
    assert officer.locator("#action-issue_demand").count() == 0
    _form(officer, "record_payment", next_step=True).get_by_label("实缴金额 (元)").fill("30000")
    _submit(officer, "record_payment", next_step=True)
    _submit(officer, "advance", next_step=True)
    assert _stage(officer) == "结案"

    head.goto(case_url)
    _submit(head, "approve_closure", next_step=True)
    assert head.locator("#case-status").inner_text() == "已结案"
    assert head.locator("#chain-state").get_attribute("data-state") == "ok"
    seen["closed"] = _progress(page, base, code)

    # Every document of the case was rendered, and the decision is in the list.
    render_documents()
    head.reload()
    decision = head.locator("#documents tr[data-kind='行政处罚决定书']")
    assert decision.get_attribute("data-pdf-status") == "ready"
    assert "罚" in decision.locator(".doc-number").inner_text()

    # The complainant saw each step, in order, and no case draft taken for a filing.
    assert seen["registered"] == [OFFERED]
    assert seen["draft"] == [OFFERED, ACCEPTED, DRAFTED]
    assert seen["filed"] == [OFFERED, ACCEPTED, DRAFTED, FILED]
    assert seen["decided"] == [OFFERED, ACCEPTED, DRAFTED, FILED, DECIDED]
    assert seen["closed"] == [OFFERED, ACCEPTED, DRAFTED, FILED, DECIDED, CLOSED]
    assert "已办结" in page.locator("#progress-status").inner_text()
    assert party not in page.content()  # the party's name is not the complainant's to read
    # and a text message at each of them (the outbox the SMS gateway is fed from)
    assert _sms_topics(slug, code) == [
        "SMS_CLUE_RECEIVED",
        "SMS_CLUE_ACCEPTED",
        "SMS_CLUE_CASE_FILED",
        "SMS_CLUE_CASE_DECIDED",
        "SMS_CLUE_CASE_CLOSED",
    ]
