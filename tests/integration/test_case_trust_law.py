"""The limits of a decision, the demand, the mandatory lighter penalty and independent
review, driven through the API. Today is 24 November 2026 (the case_day fixture); a case
that must have been filed or decided earlier has that day written back to its row (the
clock cannot go back: tokens would be issued in the future)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.integration import test_case_lifecycle as lifecycle
from tests.integration import test_case_rules_engine as rules_engine
from tests.integration.test_case_lifecycle import PARTY, _valid_credit_code
from tests.integration.test_case_rules_engine import (
    ON_SITE,
    RUBBISH_PERSON,
    SPILL,
    deadline,
    executing,
    filed,
    measures_case,
    noticed,
    refused,
    spot,
    to_decision,
)
from tests.support import drain_documents

desk = lifecycle.desk
market = rules_engine.market  # a fixture: market regulation (scjg)
pytestmark = pytest.mark.usefixtures("case_day")


def backdate(case, **days: str) -> None:
    """Write `filed` / `decided` back to an earlier day, as if the act had been done then."""
    import uuid

    from yimen.platform.cases.record.model import Case as Row
    from yimen.platform.kernel.db import db, tenant_scope

    with tenant_scope(case.desk["tenant_id"]), db.new_session() as s:
        row = s.get(Row, uuid.UUID(case.id))
        dates = dict(row.details.get("dates") or {})
        for key, value in days.items():
            setattr(row, f"{key}_on", dt.date.fromisoformat(value))
            dates[key] = value
        row.details = {**row.details, "dates": dates}
        s.commit()


def flags(client, desk, case) -> dict[str, dict]:
    """The case's open flags by rule, as the case's read shows them."""
    case.json = client.get(f"/api/v1/cases/{case.id}", headers=desk["officer"]).json
    return {f["rule"]: f for f in case.json["flags"] if f["resolved_at"] is None}


# --- item 11: the 90-day limit (处罚法 第六十条) and late acts ------------------------------


def test_a_decision_on_day_95_is_refused_and_the_limit_is_flagged_near_then_passed__处罚法_第六十条(
    client, desk
):
    case = noticed(client, desk)
    assert flags(client, desk, case) == {}

    backdate(case, filed="2026-08-31")  # the 90 days end on 2026-11-29: within 10 working days
    near = flags(client, desk, case)
    assert set(near) == {"decision-limit-near"}
    assert "第六十条" in near["decision-limit-near"]["article"]
    assert "2026-11-29" in near["decision-limit-near"]["reason"]
    assert case.json["flagged"] is True

    backdate(case, filed="2026-08-21")  # today is day 95: the limit ended on 2026-11-19
    passed = flags(client, desk, case)
    assert deadline(case, "decision") == "2026-11-19"
    assert set(passed) == {"decision-limit-passed"}  # the near flag is resolved
    assert flags(client, desk, case).keys() == passed.keys()  # read again: never twice
    assert sum(f["rule"] == "decision-limit-passed" for f in case.json["flags"]) == 1
    to_decision(case)
    problem = refused(case, "decide", "decision-limit-passed", "第六十条", who="head",
                      fine_fen=3_000_000)  # fmt: skip
    assert "2026-11-19" in problem["detail"]
    assert case.json["decided_on"] is None
    # an extension cannot be approved once the limit has passed either
    refused(case, "extend_deadline", "extension-after-limit", "第六十条", who="head",
            reason="案情复杂")  # fmt: skip


def test_the_hourly_job_flags_a_case_nobody_reads__处罚法_第六十条(client, desk):
    import uuid

    from sqlalchemy import select

    from yimen.platform.cases.law import flags as law_flags
    from yimen.platform.cases.law.model import CaseFlag
    from yimen.platform.kernel.db import db, tenant_scope

    case = noticed(client, desk)
    backdate(case, filed="2026-08-21")
    assert law_flags.sweep_all() >= 1
    with tenant_scope(desk["tenant_id"]), db.new_session() as s:
        rules = s.execute(
            select(CaseFlag.rule).where(CaseFlag.case_id == uuid.UUID(case.id))
        ).scalars()
        assert list(rules) == ["decision-limit-passed"]


def test_a_decision_past_90_days_stands_when_extended_as_the_sector_allows__住建_第二十九条(
    client, desk
):
    case = noticed(client, desk, sector="housing")
    late = noticed(client, desk, sector="housing")
    backdate(case, filed="2026-08-31")
    assert "decision-limit-near" in flags(client, desk, case)
    case.do("extend_deadline", who="head", reason="案情复杂，经负责人批准延长")
    assert deadline(case, "decision") == "2026-12-29"
    assert "decision-limit-near" not in flags(client, desk, case)

    backdate(case, filed="2026-08-21")  # day 95, within the extended 120 days
    backdate(late, filed="2026-08-21")  # day 95, never extended
    to_decision(case)
    case.do("decide", who="head", fine_fen=3_000_000)
    assert case.json["decided_on"] == "2026-11-24"
    refused(late, "extend_deadline", "extension-after-limit", "第二十九条", who="head",
            reason="案情复杂")  # fmt: skip
    to_decision(late)
    refused(late, "decide", "decision-limit-passed", "第二十九条", who="head",
            fine_fen=3_000_000)  # fmt: skip


def test_a_decision_served_after_7_working_days_is_recorded_and_flagged__处罚法_第六十一条(
    client, desk
):
    case = to_decision(noticed(client, desk))
    case.do("decide", who="head", fine_fen=3_000_000)
    backdate(case, decided="2026-11-10")  # 7 working days: served by 2026-11-19
    case.do("serve_decision", method="direct", served_on="2026-11-24")
    assert case.json["served_on"] == "2026-11-24" and case.json["stage"] == "execution"
    flag = flags(client, desk, case)["service-late"]
    assert "第六十一条" in flag["article"] and "2026-11-19" in flag["reason"]


def test_a_seizure_kept_past_its_limit_is_flagged_and_its_release_recorded__行政强制法_第二十五条(
    client, desk
):
    case = measures_case(client, desk)
    case.do(
        "impose_measure",
        who="head",
        kind="seize",
        items=["液化气罐 2 只"],
        started_on="2026-10-01",
        **ON_SITE,
    )  # fmt: skip  — ran out on 2026-10-31
    flag = flags(client, desk, case)["seizure-overdue"]
    assert "第二十五条" in flag["article"] and "2026-10-31" in flag["reason"]
    measure = case.json["details"]["compulsory_measures"]["measures"][-1]
    case.do("lift_measure", measure_id=measure["id"], outcome="lifted")
    lifted = case.json["details"]["compulsory_measures"]["measures"][-1]
    assert lifted["ended_on"] == "2026-11-24" and lifted["late"] is True
    assert [f["rule"] for f in case.json["flags"]].count("seizure-overdue") == 1
    page = client.get(f"/console/cases/{case.id}", headers=desk["officer"]).get_data(as_text=True)
    assert 'data-rule="seizure-overdue"' in page and "第二十五条" in page.split('id="flags"')[1]


def test_cash_handed_in_after_2_working_days_carries_a_flag_with_its_article__处罚法_第七十一条(
    client, desk
):
    case = spot(client, desk)
    case.do("decide_on_spot", penalty_kinds=["fine"], fine_fen=10_000, collect_on_spot=True,
            circumstance="minor", decided_on="2026-11-16")  # fmt: skip
    case.do("hand_in_fine", handed_in_on="2026-11-19")
    flag = flags(client, desk, case)["hand-in-late"]
    assert "第七十一条" in flag["article"] and "2026-11-18" in flag["reason"]
    assert flag["reason_en"]


# --- item 12: the demand (催告) after the 15 days to pay ----------------------------------


def _demand_text(client, desk, case) -> str:
    from tests.integration.test_case_documents import _text

    docs = client.get(f"/api/v1/cases/{case.id}/documents", headers=desk["officer"]).json
    demand = [d for d in docs["items"] if d["kind"] == "催告书"][-1]
    drain_documents()  # the document worker, after the action committed
    return _text(client.get(demand["pdf_url"], headers=desk["officer"]).data)


def test_a_demand_while_the_15_days_to_pay_run_is_refused_and_no_execution_rests_on_it__处罚法_第六十七条(
    client, desk
):
    case = executing(client, desk, served_on="2026-11-16")  # pay by 2026-12-01
    problem = refused(case, "issue_demand", "payment-period-running", "第六十七条第三款",
                      served_on="2026-11-24")  # fmt: skip
    assert "2026-12-01" in problem["detail"] and "第五十四条" in problem["detail"]
    assert "demand_served" not in (case.json["details"].get("dates") or {})
    refused(case, "decide_execution", "demand-first", "第三十五条", who="head",
            content="划拨存款", decided_on="2026-11-24")  # fmt: skip


def test_no_execution_rests_on_a_demand_a_later_deferral_overtook__行政强制法_第三十七条(
    client, desk
):
    case = executing(client, desk, served_on="2026-03-02")  # pay by 03-17
    case.do("issue_demand", served_on="2026-11-02")
    case.do("approve_deferral", who="head", kind="deferral", until="2026-11-30",
            reason="当事人经营确有困难，申请暂缓缴纳")  # fmt: skip
    refused(case, "decide_execution", "demand-before-payment-due", "第六十七条第三款", who="head",
            content="划拨存款", decided_on="2026-11-24")  # fmt: skip


def test_the_demand_says_the_reconsideration_and_litigation_periods_still_run__行政强制法_第三十五条(
    client, desk, cjk_fonts
):
    case = executing(client, desk, served_on="2026-06-01")  # reconsider by 07-31, sue by 12-01
    case.do("issue_demand", served_on="2026-11-24")
    text = _demand_text(client, desk, case)
    assert "在法定期限内未申请行政复议" not in text
    assert "提起行政诉讼的期限至2026年12月1日尚未届满" in text and "不停止执行" in text
    assert "申请行政复议的期限" not in text  # that one has run out

    recent = executing(client, desk, served_on="2026-11-02")  # both periods run into 2027
    recent.do("issue_demand", served_on="2026-11-24")
    text = _demand_text(client, desk, recent)
    assert "在法定期限内未申请行政复议" not in text
    assert "申请行政复议的期限" in text and "提起行政诉讼的期限" in text and "尚未届满" in text

    old = executing(client, desk, served_on="2026-03-02")  # the periods ended in September
    old.do("issue_demand", served_on="2026-11-24")
    assert "在法定期限内未申请行政复议或者提起行政诉讼" in _demand_text(client, desk, old)


# --- item 13: the mandatory lighter penalty, and departures from the benchmark -------------

TEEN = {
    "kind": "person",
    "name": "赵某",
    "id_number": "32010220100501123X",
    "address": "玄武区龙蟠路1号",
}  # fmt: skip  — 16 on the act's day (2026-10-01)


def test_a_party_aged_14_to_18_is_never_fined_above_the_lighter_tier_whatever_the_reason__处罚法_第三十条(
    client, desk
):
    case = filed(client, desk, matter_code=RUBBISH_PERSON, parties=[TEEN])
    case.do("correction_not_required", reason="违法行为已经改正完毕。")
    case.do("advance")  # the lighter tier of CG-0020: ¥100–220
    problem = refused(case, "propose_penalty", "mandatory-lighter", "第三十条",
                      penalty_kinds=["fine"], fine_fen=30_000, circumstance="ordinary",
                      justification="当事人拒不清理，态度恶劣，需从严处罚")  # fmt: skip
    assert "220" in problem["detail"]
    case.do("propose_penalty", penalty_kinds=["fine"], fine_fen=20_000, circumstance="ordinary")
    assert case.json["discretion"]["mandatory_cap_fen"] == 22_000


def test_a_factor_of_article_32_caps_the_proposal_at_the_lighter_tier__处罚法_第三十二条(
    client, desk
):
    case = filed(client, desk)
    case.do("correction_not_required", reason="违法行为已经改正完毕。")
    case.do("advance")
    problem = refused(case, "propose_penalty", "mandatory-lighter", "第三十二条第(一)项",
                      penalty_kinds=["fine"], fine_fen=3_000_000, circumstance="ordinary",
                      mitigating=["eliminated_harm"],
                      justification="当事人虽主动消除危害，但情节仍较重。")  # fmt: skip
    assert "不能突破" in problem["detail"]
    assert case.json["proposed_fine_fen"] is None


def test_a_fine_outside_the_benchmark_is_decided_only_after_the_principal_heads_approval__国办发_2022_27号(
    client, desk
):
    party = {**PARTY, "credit_code": _valid_credit_code()}  # CG-0018: not a major decision
    case = noticed(client, desk, fine=1_800_000, matter_code=SPILL, parties=[party])
    assert case.json["discretion"]["outside_range"] is True  # ordinary tier ¥7,400–14,600
    to_decision(case)
    problem = refused(case, "decide", "departure-not-approved", "27号（十二）", who="head",
                      fine_fen=1_800_000)  # fmt: skip
    assert "主要负责人批准或者集体讨论" in problem["detail"]
    refused(case, "approve_departure", "role:agency_head", "", reason="同意突破")
    case.do("approve_departure", who="head", reason="经审查，当事人多次违法，同意按书面理由处罚。")
    case.do("decide", who="head", fine_fen=1_800_000)
    assert case.json["fine_fen"] == 1_800_000

    within = to_decision(noticed(client, desk, fine=1_000_000, matter_code=SPILL, parties=[party]))
    refused(within, "approve_departure", "within-benchmark", "27号", who="head", reason="同意")
    within.do("decide", who="head", fine_fen=1_000_000)


# --- item 14: independent legal review, the reviewer's qualification, the presider -------


def _review_ready(client, desk, **draft):
    """A major case (CG-0014) at legal review."""
    case = noticed(client, desk, **draft)
    case.do("advance")
    assert case.json["stage"] == "legal_review"
    return case


def _officer(client, admin, **body) -> dict:
    zhzf = next(
        a["id"]
        for a in client.get("/api/v1/agencies?page_size=100", headers=admin).json["items"]
        if a["code"] == "zhzf"
    )
    r = client.post("/api/v1/officers", json={"agency_id": zhzf, **body}, headers=admin)
    assert r.status_code == 201, r.json
    return r.json


def test_an_investigator_of_the_case_cannot_be_its_legal_reviewer__处罚法_第五十八条(client, desk):
    case = _review_ready(client, desk, officer_ids=[*desk["officers"], desk["reviewer_id"]])
    problem = refused(case, "legal_review", "reviewer-is-investigator", "第五十八条",
                      who="reviewer", result="passed", opinion="事实清楚。",
                      reviewer_id=desk["reviewer_id"])  # fmt: skip
    assert "赵敏" in problem["detail"]
    nobody = case.do("legal_review", who="reviewer", expect=422, result="passed", opinion="同意。")
    assert nobody["errors"][0]["field"] == "reviewer_id"
    not_a_reviewer = case.do("legal_review", who="reviewer", expect=422, result="passed",
                             opinion="同意。", reviewer_id=desk["officers"][0])  # fmt: skip
    assert not_a_reviewer["code"] == "reviewer-required"


def test_a_reviewer_new_to_review_since_2021_07_15_needs_the_legal_qualification__处罚法_第五十八条第二款(
    client, desk, machine_token
):
    from tests.conftest import bearer

    slug = desk["slug"]
    admin = bearer(machine_token(slug, ["district_admin"]))
    new = _officer(client, admin, username=f"{slug}.qianli", name="钱力", roles=["legal_reviewer"])
    assert new["legal_qualification_no"] is None and new["first_legal_review_on"] is None
    case = _review_ready(client, desk)
    problem = refused(case, "legal_review", "reviewer-unqualified", "第五十八条第二款",
                      who="reviewer", result="passed", opinion="事实清楚。",
                      reviewer_id=new["id"])  # fmt: skip
    assert "钱力" in problem["detail"] and "2021" in problem["detail"]

    undated = client.patch(f"/api/v1/officers/{new['id']}", headers=admin,
                           json={"legal_qualification_no": "A20223201020099"})  # fmt: skip
    assert undated.status_code == 422
    assert undated.json["errors"][0]["field"] == "legal_qualification_on"
    r = client.patch(f"/api/v1/officers/{new['id']}", headers=admin,
                     json={"legal_qualification_no": "A20223201020099",
                           "legal_qualification_on": "2022-12-01"})  # fmt: skip
    assert r.status_code == 200, r.json
    case.do("legal_review", who="reviewer", result="passed", opinion="事实清楚，程序合法。",
            reviewer_id=new["id"])  # fmt: skip
    assert case.json["details"]["legal_review"]["reviewer_name"] == "钱力"
    again = client.get(f"/api/v1/officers/{new['id']}", headers=admin).json
    assert again["first_legal_review_on"] == "2026-11-24"  # recorded by the first review

    # a reviewer since before the law took effect needs no qualification
    senior = _officer(client, admin, username=f"{slug}.sunhe", name="孙禾", roles=["legal_reviewer"],
                      first_legal_review_on="2019-05-06")  # fmt: skip
    other = _review_ready(client, desk)
    other.do("legal_review", who="reviewer", result="passed", opinion="事实清楚，程序合法。",
             reviewer_id=senior["id"])  # fmt: skip


def test_the_hearing_presider_is_an_officer_of_the_agency_who_did_not_investigate__处罚法_第六十四条(
    client, desk, market
):
    case = noticed(client, desk, kinds=("fine", "order_suspension"))
    case.do("request_hearing", requested_on="2026-11-05")
    case.do("record_statement", statement="请求从轻处罚", reexamination="经复核，维持。")
    case.do("advance")
    assert case.json["stage"] == "hearing"
    hearing = {"hearing_on": "2026-12-08", "hearing_time": "09:30", "noticed_on": "2026-11-24",
               "place": "听证室"}  # fmt: skip
    problem = refused(case, "schedule_hearing", "presider-not-officer", "第六十四条",
                      presider_id=market["officers"][0], **hearing)  # fmt: skip
    assert "本案执法机关" in problem["detail"]
    refused(case, "schedule_hearing", "presider-is-investigator", "第六十四条",
            presider_id=desk["officers"][0], **hearing)  # fmt: skip
    case.do("schedule_hearing", presider_id=desk["presider"], **hearing)


def test_whoever_investigated_may_not_review_and_the_reviewer_may_not_investigate__处罚法_第五十八条(
    client, desk, live_server
):
    """Independence both ways: not only the assigned officers — anyone who took an act of
    investigation on the case — and, once she has reviewed it, the reviewer takes no act
    of investigation on it (even when the review returned it to the handlers)."""
    from tests.conftest import bearer
    from tests.integration.oidc_flow import sign_in

    slug = desk["slug"]
    zhaomin = sign_in(live_server.url, slug, f"{slug}.zhaomin")["access_token"]
    desk = {**desk, "zhaomin": bearer(zhaomin)}  # the reviewer, signed in as herself

    case = noticed(client, desk)
    case.desk = desk
    case.do("add_evidence", who="zhaomin", kind="documentary", title="补充书证", sha256="d" * 64)
    case.do("advance")
    problem = refused(case, "legal_review", "reviewer-is-investigator", "第五十八条",
                      who="reviewer", result="passed", opinion="事实清楚。",
                      reviewer_id=desk["reviewer_id"])  # fmt: skip
    assert "赵敏" in problem["detail"]

    other = noticed(client, desk)
    other.desk = desk
    other.do("advance")
    other.do("legal_review", who="reviewer", result="returned", opinion="证据不足，退回补充。",
             reviewer_id=desk["reviewer_id"])  # fmt: skip
    problem = refused(other, "add_record", "reviewer-may-not-investigate", "第五十八条",
                      who="zhaomin", kind="询问笔录", content="补充询问……")  # fmt: skip
    assert "法制审核" in problem["detail"]
