"""Rules the case engine enforces that had no test of their own: one test per rule, each
citing its article, driven through the API as in test_case_rules_engine.py (same
helpers, same day: 24 November 2026 in Shanghai, a Tuesday)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from tests.integration import test_case_documents as documents_tests
from tests.integration import test_case_rules_engine as engine
from tests.integration.test_case_lifecycle import Case
from tests.integration.test_case_rules_engine import (
    FRIDAY_10AM,
    LICENCE_CHANGE,
    deadline,
    executing,
    filed,
    noticed,
    refused,
    to_decision,
)
from tests.support import drain_documents

desk, market = engine.desk, engine.market  # fixtures: the zhzf and scjg desks
pytestmark = pytest.mark.usefixtures("case_day")

MARKET = {"matter_code": LICENCE_CHANGE, "sector": "market_regulation"}


def reload(client, desk, case: Case) -> dict:
    case.json = client.get(f"/api/v1/cases/{case.id}", headers=desk["officer"]).json
    return case.json


def kinds_issued(client, desk, case: Case) -> list[str]:
    docs = client.get(f"/api/v1/cases/{case.id}/documents", headers=desk["officer"]).json
    return [d["kind"] for d in docs["items"]]


def events(client, desk, case: Case) -> list[dict]:
    return client.get(f"/api/v1/cases/{case.id}/events", headers=desk["officer"]).json["items"]


def seized_and_executing(client, desk, served_on: str, fine: int, **draft) -> Case:
    """Like `executing`, with goods seized during the investigation (行政强制法 第二十四条)
    and dealt with before the case went on (第二十七条)."""
    case = filed(client, desk, measures_needed=True, **draft)
    case.do("impose_measure", who="head", kind="seize", items=["涉案货物 10 箱"], **engine.ON_SITE)
    measure = case.json["details"]["compulsory_measures"]["measures"][-1]
    case.do("lift_measure", measure_id=measure["id"], outcome="lifted")
    case.do("advance")
    case.do("correction_not_required", reason="违法行为已经改正完毕。")
    case.do("advance")
    case.do("propose_penalty", penalty_kinds=["fine"], fine_fen=fine, circumstance="ordinary",
            justification="依裁量基准，结合情节确定。")  # fmt: skip
    notice = min(
        "2026-11-02", (dt.date.fromisoformat(served_on) - dt.timedelta(days=14)).isoformat()
    )
    engine.backdate(case, filed=notice)
    case.do("serve_prior_notice", served_on=notice)
    to_decision(case)
    if case.json["discretion"].get("outside_range"):  # justified: the head approves (27号)
        case.do("approve_departure", who="head", reason="同意按书面说明的理由确定罚款。")
    engine.decide(case, fine_fen=fine)
    engine.backdate(case, decided=served_on)
    case.do("serve_decision", method="direct", served_on=served_on)
    assert case.json["stage"] == "execution"
    return case


# --- before filing (处罚法 第五十四条; 市场监管 第十八条、第二十条) ---------------------


def test_a_drafts_lead_check_deadline_is_15_working_days_from_discovery__市场监管_第十八条(
    client, market
):
    case = Case(client, market, discovered_on="2026-11-16", **MARKET)  # a Monday
    assert case.json["status"] == "draft"
    lead = next(d for d in case.json["deadlines"] if d["id"] == "lead_check")
    assert lead["due"] == "2026-12-07"  # 15 working days: three weekends skipped
    assert "第十八条" in lead["article"]
    assert case.json["next_deadline"] == "2026-12-07"  # the case list sorts by it
    late = Case(client, market, discovered_on="2026-10-12", **MARKET)  # due 2026-11-02
    overdue = client.get("/api/v1/cases?overdue=true&status=draft&page_size=100",
                         headers=market["officer"]).json["items"]  # fmt: skip
    assert late.id in {c["id"] for c in overdue} and case.id not in {c["id"] for c in overdue}
    # urban management: the law says only "promptly" (处罚法 第五十四条第二款), no date
    floor = Case(client, market, discovered_on="2026-11-16", matter_code=LICENCE_CHANGE)
    assert deadline(floor, "lead_check") is None


def test_declining_to_file_ends_the_case_not_filed_with_the_reason__市场监管_第二十条(
    client, market
):
    case = Case(client, market, **MARKET)
    refused(
        case,
        "decline_filing",
        "role:agency_head",
        "",
        reason="首次违法，危害后果轻微，已及时改正。",
    )
    case.do("decline_filing", who="head", reason="首次违法，危害后果轻微，已及时改正")
    assert (case.json["status"], case.json["number"]) == ("not_filed", None)
    assert case.json["details"]["filing"]["declined"] == "首次违法，危害后果轻微，已及时改正"
    assert case.json["allowed_actions"] == [] and case.json["next_deadline"] is None
    assert kinds_issued(client, market, case) == ["不予立案决定书"]
    assert (
        events(client, market, case)[-1]["payload"]["reason"]
        == "首次违法，危害后果轻微，已及时改正"
    )
    refused(case, "approve_filing", "out-of-order", "", who="head")


# --- who acts (处罚法 第四十三条; 行政强制法 第十八条) ---------------------------------


def test_a_recused_officer_no_longer_counts_towards_the_two__处罚法_第四十三条(client, desk):
    first, leaving = desk["officers"]
    case = Case(client, desk)
    refused(
        case, "recuse_officer", "role:agency_head", "", officer_id=leaving, reason="系当事人近亲属"
    )
    case.do("recuse_officer", who="head", officer_id=leaving, reason="系当事人近亲属")
    recused = {o["officer_id"]: (o["recused"], o["recusal_reason"]) for o in case.json["officers"]}
    assert recused[leaving] == (True, "系当事人近亲属")
    refused(case, "approve_filing", "two-officers", "第四十二条", who="head")
    # another officer joins; the one recused stays on the record, still recused
    body = {"officer_ids": [first, leaving, desk["presider"]], "version": case.json["version"]}
    r = client.patch(f"/api/v1/cases/{case.id}", json=body, headers=desk["officer"])
    assert r.status_code == 200, r.json
    case.json = r.json
    recused = {o["officer_id"]: o["recused"] for o in case.json["officers"]}
    assert recused == {first: False, leaving: True, desk["presider"]: False}
    case.do("approve_filing", who="head")
    # a recusal decided during the investigation does not stop it, but the records wait
    case.do("recuse_officer", who="head", officer_id=desk["presider"], reason="曾参与本案执法检查")
    assert (case.json["status"], case.json["stage"]) == ("open", "investigation")
    refused(case, "add_record", "two-officers", "第四十二条", kind="询问笔录", content="询问……")
    refused(case, "recuse_officer", "not-on-case", "", who="head", officer_id=str(uuid.uuid4()),
            reason="不是本案人员")  # fmt: skip


def test_the_partys_application_for_recusal_is_recorded_and_the_case_goes_on__处罚法_第四十三条(
    client, desk
):
    first, challenged = desk["officers"]
    case = Case(client, desk)
    case.do("apply_for_recusal", officer_id=challenged, reason="当事人称该执法人员系其竞争对手亲属")
    case.do("approve_filing", who="head")  # 决定作出之前，不停止调查 (第三款)
    assert (case.json["status"], case.json["stage"]) == ("open", "investigation")
    (application,) = case.json["details"]["recusal_applications"]
    assert application["officer_id"] == challenged
    assert application["reason"] == "当事人称该执法人员系其竞争对手亲属"
    assert "apply_for_recusal" in [e["kind"] for e in events(client, desk, case)]
    refused(case, "apply_for_recusal", "not-on-case", "", officer_id=str(uuid.uuid4()),
            reason="不是本案人员")  # fmt: skip
    case.do("recuse_officer", who="head", officer_id=challenged, reason="申请回避理由成立")
    assert {o["officer_id"]: o["recused"] for o in case.json["officers"]}[challenged] is True


def test_a_compulsory_measure_needs_two_officers__行政强制法_第十八条(client, desk):
    case = filed(client, desk, measures_needed=True)
    assert case.json["stage"] == "compulsory_measures"
    case.do("recuse_officer", who="head", officer_id=desk["officers"][0], reason="利害关系")
    refused(case, "impose_measure", "two-officers", "第十八条", who="head", kind="seal",
            items=["烧烤炉 1 台"])  # fmt: skip
    refused(case, "impose_emergency_measure", "two-officers", "第十八条", kind="seize",
            items=["渣土车 1 辆"], executed_at=FRIDAY_10AM, grounds="情况紧急")  # fmt: skip
    assert "compulsory_measures" not in case.json["details"]  # nothing was imposed


# --- prior notice and hearing (处罚法 第六十三条、第六十四条; the sector procedure rules) -------------


def test_a_penalty_without_a_hearing_right_refuses_the_request__处罚法_第六十三条(client, desk):
    case = noticed(client, desk, kinds=("fine",), fine=3_000_000)  # ¥30,000, an organisation
    assert case.json["details"]["prior_notice"]["hearing_right"] is False
    refused(case, "request_hearing", "no-hearing-right", "第六十三条", requested_on="2026-11-04")
    assert case.json["hearing_requested"] is False
    assert deadline(case, "decision") is not None  # no hearing pause was started
    case.do("advance")
    assert case.json["stage"] == "legal_review"  # no hearing stage


def test_a_hearing_no_show_counts_as_waiving_the_hearing__处罚法_第六十四条第六项(client, desk):
    case = noticed(client, desk, kinds=("fine", "order_suspension"), served_on="2026-11-02")
    case.do("request_hearing", requested_on="2026-11-04")
    case.do("advance")
    assert case.json["stage"] == "hearing"
    case.do("schedule_hearing", noticed_on="2026-11-10", hearing_on="2026-11-20",
            hearing_time="09:30", presider_id=desk["presider"], place="听证室")  # fmt: skip
    refused(case, "record_hearing", "hearing-not-due", "第六十四条", status=422,
            no_show=True, held_on="2026-11-19")  # fmt: skip
    case.do("record_hearing", no_show=True, held_on="2026-11-20")
    assert case.json["details"]["hearing"]["no_show"] is True
    assert "held" not in case.json["details"]["hearing"]
    case.do("advance")  # the hearing is waived and terminated: the case goes on
    assert case.json["stage"] == "legal_review"
    assert "听证笔录" not in kinds_issued(client, desk, case)


def test_the_hearing_pause_moves_the_decision_deadline_where_the_sector_excludes_it__住建_第二十九条(
    client, desk
):
    """The sector procedure rules: 住建 and 市场监管 exclude the hearing from the 90 days; the law's
    floor (urban management, 处罚法 第六十条) excludes nothing."""

    def through_hearing(**draft) -> Case:
        case = noticed(client, desk, kinds=("fine", "order_suspension"), served_on="2026-11-02",
                       **draft)  # fmt: skip
        assert deadline(case, "decision") == "2027-01-31"  # filed 11-02 + 90 days
        case.do("request_hearing", requested_on="2026-11-04")
        case.do("advance")  # the statement window closed on 11-09
        case.do("schedule_hearing", noticed_on="2026-11-10", hearing_on="2026-11-20",
                hearing_time="09:30", presider_id=desk["presider"], place="听证室")  # fmt: skip
        return case

    housing = through_hearing(sector="housing")
    running = next(d for d in housing.json["deadlines"] if d["id"] == "decision")
    assert running["due"] is None and running["paused"] is True  # the clock is stopped
    housing.do("record_hearing", transcript="听证笔录……", held_on="2026-11-20")
    assert deadline(housing, "decision") == "2027-02-17"  # + 11-04…11-20, 17 days

    floor = through_hearing()
    assert deadline(floor, "decision") == "2027-01-31"  # never paused
    floor.do("record_hearing", transcript="听证笔录……", held_on="2026-11-20")
    assert deadline(floor, "decision") == "2027-01-31"


# --- decision and service (处罚法 第六十一条、第七十二条) -------------------------------


def test_the_decision_is_served_within_7_working_days_across_the_weekend__处罚法_第六十一条(
    client, desk
):
    case = to_decision(noticed(client, desk))
    case.do("decide", who="head")  # today, Tuesday 24 November
    assert case.json["stage"] == "service"
    service = next(d for d in case.json["deadlines"] if d["id"] == "service")
    # 7 working days, not 7 calendar days (12-01): the weekend of 28–29 November skipped
    assert service["due"] == "2026-12-03" and "第六十一条" in service["article"]
    assert case.json["next_deadline"] == "2026-12-03"
    assert deadline(case, "decision") is None  # decided: that period no longer runs
    case.do("serve_decision", method="direct")
    assert deadline(case, "service") is None and case.json["next_deadline"] != "2026-12-03"


def test_the_decision_tells_the_party_the_surcharge_of_3_percent_a_day__处罚法_第七十二条(
    client, desk, cjk_fonts
):
    case = to_decision(noticed(client, desk, fine=3_000_000))
    case.do("decide", who="head")
    docs = client.get(f"/api/v1/cases/{case.id}/documents", headers=desk["officer"]).json
    decision = next(d for d in docs["items"] if d["kind"] == "行政处罚决定书")
    drain_documents()  # the document worker, after the action committed
    r = client.get(decision["pdf_url"], headers=desk["officer"])
    assert r.status_code == 200
    text = documents_tests._text(r.data)
    assert "到期不缴纳罚款的，本机关可以每日按罚款数额的百分之三加处罚款" in text
    assert "加处罚款的数额不超过罚款的数额" in text  # and the cap (行政强制法 第四十五条)


# --- execution (行政强制法 第三十六条、第四十六条; 处罚法 第七十三条) ---------------------


def test_the_partys_statement_after_the_demand_is_recorded_and_re_examined__行政强制法_第三十六条(
    client, desk
):
    case = executing(client, desk, served_on="2026-03-02")
    case.do("issue_demand", served_on="2026-11-02")
    missing = case.do("record_demand_statement", expect=422, statement="经营困难，无力缴纳。")
    assert "reexamination" in str(missing)
    case.do("record_demand_statement", statement="经营困难，无力缴纳。",
            reexamination="经复核，当事人所述不影响履行义务，理由不成立。")  # fmt: skip
    execution = case.json["details"]["execution"]
    assert execution["demand_statement"] == "经营困难，无力缴纳。"
    assert execution["demand_reexamination"].startswith("经复核")
    assert events(client, desk, case)[-1]["kind"] == "record_demand_statement"


def test_no_statement_after_a_demand_is_recorded_before_the_demand__行政强制法_第三十六条(
    client, desk
):
    case = executing(client, desk, served_on="2026-03-02")
    refused(case, "record_demand_statement", "demand-first", "第三十五条",
            statement="经营困难，无力缴纳。", reexamination="经复核，理由不成立。")  # fmt: skip


def test_an_agency_without_execution_power_auctions_only_what_it_seized__行政强制法_第四十六条第三款(
    client, market
):
    plain = executing(client, market, served_on="2026-03-02", fine=2_000_000, **MARKET)
    plain.do("issue_demand", served_on="2026-11-02")
    refused(plain, "decide_execution", "no-execution-power", "第十三条", who="head",
            content="拍卖抵缴罚款")  # fmt: skip
    plain.do(
        "decide_execution",
        who="head",
        content="拍卖抵缴罚款",
        path="auction",
        decided_on="2026-11-17",
    )
    refused(plain, "enforce", "auction-needs-seizure", "第四十六条第三款", who="head",
            path="auction", at=FRIDAY_10AM)  # nothing was sealed or seized  # fmt: skip

    # the litigation period (6 months from 06-01) has not run out yet
    early = seized_and_executing(client, market, served_on="2026-06-01", fine=2_000_000,
                                 **MARKET)  # fmt: skip
    early.do("issue_demand", served_on="2026-11-02")
    early.do(
        "decide_execution",
        who="head",
        content="拍卖抵缴罚款",
        path="auction",
        decided_on="2026-11-17",
    )
    refused(early, "enforce", "auction-periods", "第四十六条第三款", who="head",
            path="auction", at=FRIDAY_10AM)  # fmt: skip

    # the periods ran out, but the party had sued in time: the court, not the auction
    sued = seized_and_executing(client, market, served_on="2026-03-02", fine=2_000_000, **MARKET)
    sued.do("record_challenge", kind="litigation", filed_on="2026-08-20")
    sued.do("conclude_challenge", kind="litigation", outcome="upheld", concluded_on="2026-10-20")
    sued.do("issue_demand", served_on="2026-11-02")
    sued.do(
        "decide_execution",
        who="head",
        content="拍卖抵缴罚款",
        path="auction",
        decided_on="2026-11-17",
    )
    refused(sued, "enforce", "auction-periods", "第四十六条第三款", who="head",
            path="auction", at=FRIDAY_10AM)  # fmt: skip

    case = seized_and_executing(client, market, served_on="2026-03-02", fine=2_000_000, **MARKET)
    case.do("issue_demand", served_on="2026-11-02")
    case.do(
        "decide_execution",
        who="head",
        content="拍卖抵缴罚款",
        path="auction",
        decided_on="2026-11-17",
    )
    refused(case, "enforce", "no-execution-power", "第十三条", who="head",
            path="monetary", at=FRIDAY_10AM)  # fmt: skip
    case.do("enforce", who="head", path="auction", at=FRIDAY_10AM)
    assert case.json["details"]["execution"]["done"] == "enforced"
    assert case.json["details"]["execution"]["path"] == "auction"


def test_execution_goes_on_while_a_lawsuit_is_pending__处罚法_第七十三条(client, desk):
    case = executing(client, desk, served_on="2026-03-02")  # pay by 03-17
    case.do("record_challenge", kind="litigation", filed_on="2026-08-20", body="玄武区人民法院")
    assert deadline(case, "payment") == "2026-03-17"  # not suspended, not moved
    case.do("issue_demand", served_on="2026-11-02")
    case.do("decide_execution", who="head", content="划拨存款", decided_on="2026-11-17")
    case.do("enforce", who="head", path="agency_power", at=FRIDAY_10AM)
    assert case.json["details"]["execution"]["done"] == "enforced"
    challenge = case.json["details"]["execution"]["challenges"][-1]
    assert challenge["kind"] == "litigation" and "concluded_on" not in challenge  # still pending
