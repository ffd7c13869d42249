"""The outcomes of an investigation other than a penalty, through the API: the facts of
处罚法 第三十三条 (不予处罚 / 首违不罚 / 没有主观过错) reach the discretion check and refuse
a penalty where the law says "shall not", and the head's decision under 第五十七条第一款 —
not to penalise (第(二)项、第(三)项) or to transfer (第(四)项) — passes the stages the law
requires, skips the prior notice, and ends in closure and archive. Today is 24 November
2026 in Shanghai (the case_day fixture)."""

from __future__ import annotations

import random
import re

import pytest

from tests.integration import test_case_lifecycle as lifecycle
from tests.integration.test_case_console import _post, _text
from tests.integration.test_case_documents import _text as pdf_text
from tests.integration.test_case_lifecycle import PARTY, Case
from tests.integration.test_case_rules_engine import noticed, refused
from tests.support import drain_documents

desk = lifecycle.desk  # the zhzf desk (officers, head, legal reviewer): a fixture
pytestmark = pytest.mark.usefixtures("case_day")

MINOR_HARMLESS = {"circumstance": "minor", "corrected": True, "harm": "none"}
FIRST_SLIGHT = {"first_violation": True, "corrected": True, "harm": "slight"}


def a_company() -> dict:
    """A party of its own: no earlier penalty of another test makes it a repeat offender."""
    from stdnum.cn import uscc

    body = "91320102" + "".join(random.choice("0123456789") for _ in range(9))
    return {
        **PARTY,
        "name": f"玄武{body[-4:]}餐饮有限公司",
        "credit_code": body + uscc.calc_check_digit(body),
    }


def investigated(client, desk, party=None, **draft) -> Case:
    """Filed (油烟, a major matter: legal review applies), evidence and records taken, the
    case at the correction order."""
    case = Case(client, desk, parties=[party or a_company()], **draft)
    case.do("approve_filing", who="head")
    case.do("add_evidence", kind="audio_visual", title="现场视频", sha256="c" * 64)
    case.do("add_evidence", kind="documentary", title="设备采购合同")
    case.do("add_record", kind="现场检查笔录", content="现场检查情况……")
    case.do("add_record", kind="询问笔录", content="当事人陈述……")
    case.do("advance")
    assert case.json["stage"] == "correction_order"
    return case


def to_decision(case: Case) -> list[str]:
    """Advance through legal review and discussion to the decision; the stages passed."""
    passed = []
    while case.json["stage"] != "decision":
        passed.append(case.json["stage"])
        if case.json["stage"] == "legal_review":
            case.do(
                "legal_review",
                who="reviewer",
                result="passed",
                opinion="事实清楚，程序合法。",
                reviewer_id=case.desk["reviewer_id"],
            )
        if case.json["stage"] == "collective_discussion":
            case.do("record_discussion", who="head", minutes="讨论记录……", conclusion="同意。")
        case.do("advance")
    return passed


def documents_of(client, desk, case: Case) -> dict[str, dict]:
    items = client.get(f"/api/v1/cases/{case.id}/documents", headers=desk["officer"]).json
    return {d["kind"]: d for d in items["items"]}


def test_a_minor_violation_corrected_without_harm_may_not_be_penalised__处罚法_第三十三条第一款(
    client, desk
):
    case = investigated(client, desk)
    case.do("record_no_penalty_facts", **MINOR_HARMLESS, corrected_on="2026-11-20")
    assert case.json["details"]["no_penalty_facts"]["harm"] == "none"
    case.do("correction_not_required", reason="当事人已当场改正。")
    refused(case, "choose_outcome", "no-penalty-mandatory", "第三十三条第一款", who="head",
            outcome="penalty", reason="应予处罚。")  # fmt: skip
    case.do("advance")
    assert case.json["stage"] == "prior_notice"
    assert "propose_penalty" not in case.json["allowed_actions"]
    for proposal in (
        {"penalty_kinds": ["fine"], "fine_fen": 500_000},
        {"penalty_kinds": ["warning"]},
    ):
        problem = refused(case, "propose_penalty", "no-penalty-mandatory", "第三十三条第一款",
                          circumstance="ordinary", **proposal)  # fmt: skip
        assert problem["article"] == "《行政处罚法》第三十三条第一款"


def test_the_discretion_check_reads_the_recorded_facts__处罚法_第三十三条_国办发_2022_27号(
    client, desk
):
    """A first violation with slight harm, corrected: 可以不予 — the officer may still
    propose a fine, and the assessment says the agency weighed it; the recorded facts
    reach it though the proposal does not repeat them."""
    case = investigated(client, desk)
    case.do("record_no_penalty_facts", **FIRST_SLIGHT)
    case.do("correction_not_required", reason="当事人已改正。")
    case.do("advance")
    case.do("propose_penalty", penalty_kinds=["fine"], fine_fen=2_500_000, circumstance="ordinary")
    assert (
        case.json["discretion"]["no_penalty"],
        case.json["discretion"]["no_penalty_ground"],
    ) == (
        "discretionary",
        "first",
    )
    other = investigated(client, desk)  # …or decide not to penalise
    other.do("record_no_penalty_facts", **FIRST_SLIGHT)
    other.do(
        "choose_outcome", who="head", outcome="no_penalty", reason="首次违法，危害轻微，已改正。"
    )
    assert other.json["details"]["outcome"]["ground"] == "first"


def test_a_party_penalised_before_is_no_first_offender__处罚法_第三十三条第一款(client, desk):
    party = a_company()
    earlier = Case(client, desk, parties=[party], matter_code="CG-0018")
    earlier.do("decide_on_spot", penalty_kinds=["fine"], fine_fen=300_000, circumstance="minor")
    case = investigated(client, desk, party=party)
    problem = refused(case, "record_no_penalty_facts", "not-first-violation", "第三十三条第一款",
                      **FIRST_SLIGHT)  # fmt: skip
    assert earlier.json["number"] in problem["detail"]


def test_no_fault_needs_the_cases_evidence_and_then_forbids_a_penalty__处罚法_第三十三条第二款(
    client, desk
):
    """The party proves no fault after the prior notice: recorded at the statement stage,
    the penalty notified can no longer be decided, and the case goes on without waiting
    for the statement window (第六十二条 protects a party from a penalty only)."""
    case = noticed(client, desk, parties=[a_company()], served_on="2026-11-23")
    assert case.json["stage"] == "statement"
    refused(case, "record_no_penalty_facts", "no-fault-evidence-required", "第三十三条第二款",
            no_fault=True)  # fmt: skip
    refused(case, "record_no_penalty_facts", "unknown-evidence", "第四十六条",
            no_fault=True, no_fault_evidence=["购货发票"])  # fmt: skip
    case.do("record_no_penalty_facts", no_fault=True, no_fault_evidence=["现场视频"])
    assert len(case.json["details"]["no_penalty_facts"]["no_fault_evidence"]) == 1
    refused(case, "choose_outcome", "no-penalty-mandatory", "第三十三条第二款", who="head",
            outcome="penalty", reason="维持拟处罚意见。")  # fmt: skip
    case.do("choose_outcome", who="head", outcome="no_penalty", reason="当事人证明没有主观过错。")
    case.do("advance")  # the statement window runs to 11-30: not needed without a penalty
    assert to_decision(case) == ["legal_review", "collective_discussion"]
    refused(case, "decide", "outcome-differs", "第五十七条第一款第(二)项", who="head")


def test_a_law_that_provides_otherwise_keeps_the_penalty_despite_no_fault__处罚法_第三十三条第二款(
    client, desk
):
    case = investigated(client, desk)
    case.do("record_no_penalty_facts", no_fault=True, no_fault_evidence=["设备采购合同"],
            no_fault_excluded_by="《某法》第十条")  # fmt: skip
    case.do("correction_not_required", reason="已改正。")
    case.do("advance")
    case.do("propose_penalty", penalty_kinds=["fine"], fine_fen=2_500_000, circumstance="ordinary")
    assert case.json["discretion"]["no_penalty"] is None


def test_no_penalty_needs_a_ground_of_article_33__处罚法_第五十七条第一款第二项(client, desk):
    case = investigated(client, desk)
    refused(case, "choose_outcome", "no-penalty-ground-required", "第三十三条", who="head",
            outcome="no_penalty", reason="情节轻微。")  # fmt: skip
    case.do("record_no_penalty_facts", circumstance="minor", corrected=True, harm="harmful")
    refused(case, "choose_outcome", "no-penalty-ground-required", "第五十七条第一款第(二)项",
            who="head", outcome="no_penalty", reason="情节轻微。")  # fmt: skip


def test_a_decision_not_to_penalise_educates_is_served_closed_and_archived__处罚法_第五十七条第一款第二项(
    client, desk, cjk_fonts
):
    """No prior notice (第四十四条 notifies a penalty), legal review as for any major
    matter (第五十八条), the party educated first (第三十三条第三款), a numbered and sealed
    不予行政处罚决定书, served (第六十一条), nothing to execute, closure, archive."""
    case = investigated(client, desk)
    case.do("record_no_penalty_facts", **MINOR_HARMLESS)
    case.do("order_correction", content="立即安装油烟净化设施。")
    case.do("choose_outcome", who="head", outcome="no_penalty", reason="违法行为轻微并已改正。")
    case.do("advance")
    assert to_decision(case) == [
        "legal_review",
        "collective_discussion",
    ]  # prior notice, statement: left out
    assert "decide_no_penalty" in case.json["allowed_actions"]
    assert "decide" not in case.json["allowed_actions"]
    refused(case, "decide_no_penalty", "education-required", "第三十三条第三款", who="head")
    case.do(
        "educate_party",
        content="告知当事人油烟直排的危害及相关法律规定，当事人表示今后遵守",
        educated_on="2026-11-23",
    )
    case.do("decide_no_penalty", who="head")
    assert (case.json["stage"], case.json["decided_on"], case.json["fine_fen"]) == (
        "service",
        "2026-11-24",
        None,
    )
    decision = documents_of(client, desk, case)["不予行政处罚决定书"]
    assert re.fullmatch(r".+不罚〔2026〕\d+号", decision["number"])
    drain_documents()  # the document worker, after the action committed
    text = pdf_text(client.get(decision["pdf_url"], headers=desk["officer"]).data)
    for expected in ("不予行政处罚决定书", "违法行为轻微并及时改正，没有造成危害后果", "第三十三条第一款",
                     "第五十七条第一款第(二)项", "决定对你（单位）不予行政处罚", "告知当事人油烟直排的危害",
                     "六十日内", "（印章）"):  # fmt: skip
        assert expected in text, expected
    case.do("serve_decision", method="direct", served_on="2026-11-24")
    assert case.json["stage"] == "closure"  # nothing to execute
    receipt = documents_of(client, desk, case)["送达回证"]
    drain_documents()  # the document worker, after the action committed
    receipt_text = pdf_text(client.get(receipt["pdf_url"], headers=desk["officer"]).data)
    assert f"不予行政处罚决定书（{decision['number']}）" in receipt_text
    case.do("approve_closure", who="head")
    closure = documents_of(client, desk, case)["结案审批表"]
    drain_documents()  # the document worker, after the action committed
    closure_text = pdf_text(client.get(closure["pdf_url"], headers=desk["officer"]).data)
    assert "不予行政处罚，无须执行" in closure_text
    case.do("archive")
    assert case.json["status"] == "archived"
    assert "prior_notice" not in case.json["details"]


def test_facts_not_established_end_in_a_decision_not_to_penalise__处罚法_第五十七条第一款第三项(
    client, desk, cjk_fonts
):
    case = investigated(client, desk)
    case.do("correction_not_required", reason="违法事实不能成立，无需改正。")
    case.do("choose_outcome", who="head", outcome="not_established",
            reason="现场检测油烟排放达标，净化设施已安装并正常运行")  # fmt: skip
    case.do("advance")
    to_decision(case)
    case.do("decide_no_penalty", who="head")  # no education: there was no violation
    decision = documents_of(client, desk, case)["不予行政处罚决定书"]
    drain_documents()  # the document worker, after the action committed
    text = pdf_text(client.get(decision["pdf_url"], headers=desk["officer"]).data)
    assert "现场检测油烟排放达标" in text and "第五十七条第一款第(三)项" in text
    assert "违法事实不能成立" in text
    case.do("serve_decision", method="direct")
    case.do("approve_closure", who="head")
    case.do("archive")
    assert case.json["status"] == "archived"


def test_a_suspected_crime_is_transferred_to_the_judicial_organs__处罚法_第五十七条第一款第四项(
    client, desk, cjk_fonts
):
    case = investigated(client, desk)
    case.do("correction_not_required", reason="涉嫌犯罪，移送处理。")
    case.do("choose_outcome", who="head", outcome="transfer", reason="违法行为涉嫌污染环境罪。")
    case.do("advance")
    to_decision(case)
    refused(case, "decide_transfer", "date-in-future", "第五十七条第一款第(四)项", who="head", status=422,
            organ="南京市公安局玄武分局", transferred_on="2026-11-25")  # fmt: skip
    case.do(
        "decide_transfer", who="head", organ="南京市公安局玄武分局", transferred_on="2026-11-24"
    )
    assert (case.json["status"], case.json["stage"]) == ("transferred", "closure")
    assert case.json["details"]["transfer"]["organ"] == "南京市公安局玄武分局"
    assert case.json["allowed_actions"] == ["approve_closure"]
    case.do("approve_closure", who="head")
    closure = documents_of(client, desk, case)["结案审批表"]
    drain_documents()  # the document worker, after the action committed
    text = pdf_text(client.get(closure["pdf_url"], headers=desk["officer"]).data)
    assert "移送南京市公安局玄武分局（2026年11月24日）" in text
    case.do("archive")
    assert case.json["status"] == "archived"


def test_the_console_offers_the_outcomes_in_chinese_and_posts_them__处罚法_第五十七条(client, desk):
    case = investigated(client, desk)
    page = _text(client.get(f"/console/cases/{case.id}", headers=desk["head"]))
    for expected in ('id="action-record_no_penalty_facts"', 'id="action-choose_outcome"',
                     "记录改正、危害后果与过错情况", "审查调查结果，确定处理意见", "没有造成危害后果",
                     "违法事实不能成立，不予行政处罚", "对当事人进行教育"):  # fmt: skip
        assert expected in page, expected
    posted = _post(client, desk["head"], f"/console/cases/{case.id}/actions/record_no_penalty_facts",
                   version=str(case.json["version"]), circumstance="minor", corrected="on",
                   harm="none")  # fmt: skip
    assert posted.status_code == 302, _text(posted)
    again = client.get(f"/api/v1/cases/{case.id}", headers=desk["officer"]).json
    assert again["details"]["no_penalty_facts"]["corrected"] is True
