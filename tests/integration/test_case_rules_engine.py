"""The engine applies the law: one test per statutory rule the case engine enforces, each
citing its article. The pure law functions have their own unit tests
(tests/unit/test_case_deadlines.py, test_case_law_limits.py); these drive cases through
the API and check that a user meets the refusal (problem+json naming rule and article)
or the period at the right point of the procedure. Today is 24 November 2026 in Shanghai
(the case_day fixture moves the clock there); the actions take explicit dates where the
law counts from an earlier event."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest

from tests.integration import test_case_lifecycle as lifecycle
from tests.integration.conftest import _agency_client
from tests.integration.test_case_documents import _text as pdf_text
from tests.integration.test_case_lifecycle import PARTY, Case, _valid_credit_code
from tests.support import drain_documents

desk = lifecycle.desk  # the zhzf desk (officers, head, legal reviewer): a fixture
pytestmark = pytest.mark.usefixtures("case_day")

RUBBISH_PERSON = "CG-0020"  # 随意倾倒生活垃圾 (个人): ¥100–500
BURNING = "CG-0016"  # 露天焚烧秸秆、落叶: ¥500–2,000
SPILL = "CG-0018"  # 运输散装物料未密闭 (单位): ¥2,000–20,000
LICENCE_CHANGE = "SC-0002"  # 登记事项变更未办理 (市场监管): ¥10,000–100,000
CITIZEN = {
    "kind": "person",
    "name": "王某",
    "id_number": "11010519491231002X",
    "address": "玄武区龙蟠路1号",
}
FRIDAY_10AM = "2026-11-20T10:00:00+08:00"


def today() -> dt.date:
    from yimen.platform.cases.service import today as engine_today

    return engine_today()


@pytest.fixture
def market(live_server, app, client, own_district):
    """Market regulation: an agency WITHOUT execution power (demo: scjg), of the module's
    own district."""
    slug = own_district["slug"]
    officer = _agency_client(live_server, app, "scjg", ["officer"], slug)
    head = _agency_client(live_server, app, "scjg", ["agency_head", "officer"], slug)
    officers = client.get("/api/v1/officers?page_size=100", headers=officer).json["items"]
    by_name = {o["name"]: o["id"] for o in officers}
    return {
        "officer": officer,
        "head": head,
        "officers": [by_name["刘洋"], by_name["黄欣"]],
        "slug": slug,
        "tenant_id": own_district["tenant_id"],
    }


def spot(client, desk, party=CITIZEN, matter=RUBBISH_PERSON, **draft) -> Case:
    """A draft to be decided on the spot."""
    return Case(client, desk, matter_code=matter, parties=[party], **draft)


def filed(client, desk, **draft) -> Case:
    case = Case(client, desk, **draft)
    case.do("approve_filing", who="head")
    case.do("add_evidence", kind="audio_visual", title="现场视频", sha256="b" * 64)
    case.do("add_record", kind="现场检查笔录", content="现场检查情况……")
    case.do("add_record", kind="询问笔录", content="当事人陈述……")
    case.do("advance")
    return case


def backdate(case: Case, **days: str) -> None:
    """The record as if the case had been filed (`filed=`) or decided (`decided=`) on an
    earlier day. Those acts take no date: the engine dates them today, so a timeline that
    reaches back — a notice served on 2 November, a decision served in March — puts them
    there (a notice or service dated before the act it follows is refused, entered_dates)."""
    import uuid

    from sqlalchemy import delete, select
    from sqlalchemy.orm.attributes import flag_modified

    from yimen.platform.cases.law.flags import DECISION_NEAR, DECISION_PASSED
    from yimen.platform.cases.law.model import CaseFlag
    from yimen.platform.cases.record.model import Case as Row
    from yimen.platform.kernel.db import db, tenant_scope

    with tenant_scope(case.desk["tenant_id"]), db.new_session() as s:
        row = s.get(Row, uuid.UUID(case.id))
        for key, value in days.items():
            setattr(row, f"{key}_on", dt.date.fromisoformat(value))
            row.details.setdefault("dates", {})[key] = value
        flag_modified(row, "details")
        if "decided" in days:
            # Decided within its limit on the timeline's own dates: the 90-day flags a read
            # raised while the timeline was being assembled never happened there.
            s.execute(
                delete(CaseFlag).where(
                    CaseFlag.case_id == row.id, CaseFlag.rule.in_((DECISION_NEAR, DECISION_PASSED))
                )
            )
            s.flush()
            row.flagged = bool(
                s.execute(select(CaseFlag.id).where(CaseFlag.case_id == row.id)).first()
            )
        s.commit()
    case.json = case.client.get(f"/api/v1/cases/{case.id}", headers=case.desk["officer"]).json


def decide(case: Case, **body) -> Case:
    """The head decides today, as the engine dates a decision. A timeline reaching back
    (filed in February, decided — after `backdate(decided=…)` — in March) is within the
    90 days of 处罚法 第六十条 on its own dates; only the act is done today, so the filing
    day is today's for the act and restored after it."""
    filed_on = case.json["filed_on"]
    if filed_on and (today() - dt.date.fromisoformat(filed_on)).days > 60:
        backdate(case, filed=today().isoformat())
        try:
            return case.do("decide", who="head", **body)
        finally:
            backdate(case, filed=filed_on)
    return case.do("decide", who="head", **body)


def noticed(client, desk, kinds=("fine",), fine=3_000_000, served_on="2026-11-02", **draft):
    """Filed, investigated, no correction order needed, the prior notice served (the
    case filed that day at the latest)."""
    case = filed(client, desk, **draft)
    if served_on < today().isoformat():
        backdate(case, filed=served_on)
    case.do("correction_not_required", reason="违法行为已经改正完毕。")
    case.do("advance")
    case.do(
        "propose_penalty",
        penalty_kinds=list(kinds),
        fine_fen=fine,
        circumstance="ordinary",
        justification="依裁量基准，结合情节确定。",
    )
    case.do("serve_prior_notice", served_on=served_on)
    return case


def executing(client, desk, served_on: str, fine=3_000_000, **draft) -> Case:
    """A decision served on `served_on`, the case at the execution stage (the notice
    served two weeks before at the latest, the decision made on the day of service)."""
    served = dt.date.fromisoformat(served_on)
    notice = min(dt.date(2026, 11, 2), served - dt.timedelta(days=14))
    draft.setdefault("served_on", notice.isoformat())
    case = decided(client, desk, fine=fine, **draft)
    if served_on < today().isoformat():
        backdate(case, decided=served_on)
    case.do("serve_decision", method="direct", served_on=served_on)
    assert case.json["stage"] == "execution"
    return case


def decided(client, desk, fine=3_000_000, **draft) -> Case:
    """Decided, the decision to be served."""
    case = to_decision(noticed(client, desk, fine=fine, **draft))  # notice served 11-02
    if case.json["discretion"].get("outside_range"):  # justified: the head approves (27号)
        case.do("approve_departure", who="head", reason="同意按书面说明的理由确定罚款。")
    decide(case, fine_fen=fine)
    return case


def to_decision(case: Case) -> Case:
    """From the statement stage (window closed) to the decision stage."""
    case.do("advance")
    while case.json["stage"] != "decision":
        stage = case.json["stage"]
        if stage == "legal_review":
            case.do(
                "legal_review",
                who="reviewer",
                result="passed",
                opinion="事实清楚，程序合法。",
                reviewer_id=case.desk["reviewer_id"],
            )
        if stage == "collective_discussion":
            case.do("record_discussion", who="head", minutes="讨论记录……", conclusion="同意。")
        case.do("advance")
    return case


def _pin(case: Case) -> str:
    import uuid

    from yimen.platform.cases.record.model import Case as Row
    from yimen.platform.kernel.db import db, tenant_scope

    with tenant_scope(case.desk["tenant_id"]), db.new_session() as s:
        return s.get(Row, uuid.UUID(case.id)).workflow_pin


def deadline(case: Case, rule_id: str) -> str | None:
    return next((d["due"] for d in case.json["deadlines"] if d["id"] == rule_id), None)


def refused(
    case: Case, action: str, code: str, article: str, who="officer", status=409, **body
) -> dict:
    problem = case.do(action, who=who, expect=status, **body)
    assert problem["code"] == code, problem
    assert article in problem["detail"], problem["detail"]
    return problem


# --- simple procedure (处罚法 第五十一条、第五十二条、第六十八条–第七十一条) -------------


def test_a_citizen_fined_over_200_yuan_on_the_spot_is_refused__处罚法_第五十一条(client, desk):
    case = spot(client, desk)
    refused(case, "decide_on_spot", "simple-procedure-limit", "第五十一条",
            penalty_kinds=["fine"], fine_fen=20_001)  # fmt: skip
    again = client.get(f"/api/v1/cases/{case.id}", headers=desk["officer"]).json
    assert (again["status"], again["procedure"], again["number"]) == ("draft", "general", None)


def test_an_organisation_may_be_fined_3000_yuan_on_the_spot_not_more__处罚法_第五十一条(
    client, desk
):
    party = {**PARTY, "credit_code": _valid_credit_code()}
    case = spot(client, desk, party=party, matter=SPILL)
    refused(case, "decide_on_spot", "simple-procedure-limit", "第五十一条",
            penalty_kinds=["fine"], fine_fen=300_001)  # fmt: skip
    case.do("decide_on_spot", penalty_kinds=["fine"], fine_fen=300_000, circumstance="minor")
    assert case.json["procedure"] == "simple" and case.json["stage"] == "filing_record"


def test_an_on_the_spot_fine_keeps_to_the_statutory_range_and_the_benchmark__国办发_2022_27号(
    client, desk
):
    party = {**PARTY, "credit_code": _valid_credit_code()}
    burning = spot(client, desk, party=party, matter=BURNING)  # the law allows ¥500–2,000
    refused(burning, "decide_on_spot", "above-statutory-maximum", "第一百一十九条",
            penalty_kinds=["fine"], fine_fen=300_000)  # fmt: skip
    rubbish = spot(client, desk)  # ordinary circumstances: ¥220–380, over the ¥200 limit
    refused(rubbish, "decide_on_spot", "outside-benchmark-unjustified", "27号",
            penalty_kinds=["fine"], fine_fen=20_000)  # fmt: skip
    rubbish.do("decide_on_spot", penalty_kinds=["fine"], fine_fen=20_000,
               justification="当事人当场清理，情节轻微")  # fmt: skip
    assert rubbish.json["flagged"] is True  # outside the benchmark: supervision sees it


def test_a_party_under_14_is_not_penalised_and_one_under_18_gets_the_lighter_tier__处罚法_第三十条(
    client, desk
):
    """Ages from the resident ID number at the act's date (2026-10-01): born 2014-01-01
    is 12 — no penalty, on the spot or after an investigation; born 2010-05-01 is 16 —
    the benchmark's lighter tier (¥100–220) applies without the officer ticking it, so
    ¥200 needs no justification where an adult's ordinary tier starts at ¥220."""
    child = {**CITIZEN, "name": "李某", "id_number": "320102201401011231"}
    refused(spot(client, desk, party=child), "decide_on_spot", "minor-under-14", "第三十条",
            penalty_kinds=["warning"])  # fmt: skip
    investigated = filed(client, desk, matter_code=RUBBISH_PERSON, parties=[child])
    investigated.do("correction_not_required", reason="违法行为已经改正完毕。")
    investigated.do("advance")
    problem = refused(investigated, "propose_penalty", "minor-under-14", "第三十条",
                      penalty_kinds=["fine"], fine_fen=10_000, circumstance="ordinary")  # fmt: skip
    assert "监护人" in problem["detail"]

    teen = {**CITIZEN, "name": "赵某", "id_number": "32010220100501123X"}
    adult = spot(client, desk)
    refused(adult, "decide_on_spot", "outside-benchmark-unjustified", "27号",
            penalty_kinds=["fine"], fine_fen=20_000, circumstance="ordinary")  # fmt: skip
    young = spot(client, desk, party=teen)
    young.do("decide_on_spot", penalty_kinds=["fine"], fine_fen=20_000, circumstance="ordinary")
    assert young.json["procedure"] == "simple" and young.json["flagged"] is False


def test_only_the_agency_holding_the_matter_files_or_decides_on_the_spot__处罚法_第十七条(
    client, desk, market
):
    """The district's power list gives 登记事项变更 to market regulation: the urban
    management bureau can neither file it nor decide it on the spot; the holder can."""
    company = {**PARTY, "credit_code": _valid_credit_code()}
    wrong = Case(client, desk, matter_code=LICENCE_CHANGE, parties=[company])
    problem = refused(wrong, "approve_filing", "no-jurisdiction", "第十七条", who="head")
    assert "市场监督管理局" in problem["detail"]
    again = client.get(f"/api/v1/cases/{wrong.id}", headers=desk["officer"]).json
    assert (again["status"], again["number"]) == ("draft", None)
    refused(spot(client, desk, party=company, matter=LICENCE_CHANGE), "decide_on_spot",
            "no-jurisdiction", "第十七条", penalty_kinds=["warning"])  # fmt: skip
    right = Case(client, market, matter_code=LICENCE_CHANGE, parties=[company],
                 sector="market_regulation")  # fmt: skip
    right.do("approve_filing", who="head")
    assert right.json["status"] == "open"


def test_the_simple_procedure_is_offered_only_where_the_matters_penalty_fits__处罚法_第五十一条(
    client, desk, market
):
    """A matter whose minimum fine is above the party's on-the-spot limit, and which has
    no warning, can never be decided on the spot: the console does not offer it."""
    company = {**PARTY, "credit_code": _valid_credit_code()}
    offered = [
        "decide_on_spot" in spot(client, desk, party=party, matter=matter).json["allowed_actions"]
        for party, matter in (
            (CITIZEN, RUBBISH_PERSON),  # ¥100–500: ¥200 on the spot is possible
            (CITIZEN, BURNING),  # ¥500–2,000: above a citizen's ¥200
            (company, BURNING),  # within an organisation's ¥3,000
            (company, LICENCE_CHANGE),  # ¥10,000–100,000
        )
    ]
    assert offered == [True, False, True, False]
    late = spot(client, market, party=company, matter=LICENCE_CHANGE)
    refused(late, "decide_on_spot", "simple-procedure-limit", "第五十一条",
            penalty_kinds=["fine"], fine_fen=1_000_000)  # fmt: skip


def test_an_individual_business_is_a_citizen_or_an_organisation_by_district_policy__第五十一条(
    app, client, desk
):
    """处罚法 第五十一条 does not say how an individual business counts; the district decides (default: ¥200)."""
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.directory import Tenant

    shop = {**PARTY, "kind": "individual_business", "credit_code": _valid_credit_code()}
    case = spot(client, desk, party=shop, matter=BURNING)
    refused(case, "decide_on_spot", "simple-procedure-limit", "第五十一条",
            penalty_kinds=["fine"], fine_fen=100_000)  # fmt: skip

    tenant_id = desk["tenant_id"]

    def policy(value):
        with tenant_scope(tenant_id), db.new_session() as s:
            tenant = s.get(Tenant, tenant_id)
            tenant.settings = {
                **(tenant.settings or {}),
                "simple_procedure_individual_business_as": value,
            }
            if value is None:
                tenant.settings.pop("simple_procedure_individual_business_as")
            s.commit()

    policy("organisation")
    try:
        case.do("decide_on_spot", penalty_kinds=["fine"], fine_fen=100_000)
    finally:
        policy(None)
    assert case.json["procedure"] == "simple"


def test_the_on_the_spot_decision_is_numbered_handed_over_collected_handed_in_and_filed__第五十二条_第七十一条(
    client, desk
):
    case = spot(client, desk)
    assert "decide_on_spot" in case.json["allowed_actions"]
    case.do("decide_on_spot", penalty_kinds=["fine"], fine_fen=10_000, collect_on_spot=True,
            circumstance="minor", receipt_no="苏财罚0012345")  # fmt: skip
    assert (case.json["procedure"], case.json["status"]) == ("simple", "open")
    assert "〔2026〕" in case.json["number"]
    docs = client.get(f"/api/v1/cases/{case.id}/documents", headers=desk["officer"]).json["items"]
    assert [d["kind"] for d in docs] == ["当场处罚决定书"]
    assert docs[0]["number"] == case.json["number"]
    # the money reaches the agency within 2 working days (第七十一条)
    collected = case.json["details"]["dates"]["collected"]
    assert deadline(case, "hand_in_fine") == case.json["details"]["dates"]["hand_in_due"]
    assert deadline(case, "hand_in_fine") > collected
    assert case.json["next_deadline"] == deadline(case, "hand_in_fine")
    assert "payment" not in {d["id"] for d in case.json["deadlines"]}  # collected already
    assert {"hand_in_fine", "record_filing"} <= set(case.json["allowed_actions"])
    assert "issue_demand" not in case.json["allowed_actions"]  # collected: nothing to enforce
    case.do("record_filing", note="当场处罚决定书已报备")
    assert case.json["status"] == "open"  # the officer still holds the money
    case.do("hand_in_fine")
    assert case.json["status"] == "closed" and case.json["closed_on"]
    assert case.json["allowed_actions"] == ["archive"]
    assert _pin(case).startswith("simple:")  # the district's simple workflow, pinned
    case.do("archive")
    chain = client.get(f"/api/v1/cases/{case.id}/events", headers=desk["officer"]).json["items"]
    assert [e["kind"] for e in chain][-4:] == [
        "decide_on_spot",
        "record_filing",
        "hand_in_fine",
        "archive",
    ]


def test_a_fine_handed_in_after_2_working_days_is_flagged__处罚法_第七十一条(client, desk):
    case = spot(client, desk)
    case.do("decide_on_spot", penalty_kinds=["fine"], fine_fen=10_000, collect_on_spot=True,
            circumstance="minor", decided_on="2026-11-16")  # fmt: skip
    assert deadline(case, "hand_in_fine") == "2026-11-18"  # Monday + 2 working days
    assert case.json["flagged"] is False
    case.do("hand_in_fine", handed_in_on="2026-11-19")
    assert case.json["flagged"] is True
    events = client.get(f"/api/v1/cases/{case.id}/events", headers=desk["officer"]).json
    assert events["items"][-1]["payload"]["late"] is True


def test_a_fine_over_100_yuan_may_not_be_collected_on_the_spot__处罚法_第六十八条(client, desk):
    case = spot(client, desk)
    refused(case, "decide_on_spot", "on-spot-collection", "第六十八条",
            penalty_kinds=["fine"], fine_fen=15_000, collect_on_spot=True,
            circumstance="minor")  # fmt: skip
    case.do("decide_on_spot", penalty_kinds=["fine"], fine_fen=15_000, circumstance="minor")
    assert deadline(case, "payment") is not None  # paid at the bank within 15 days
    case.do("record_filing")
    assert case.json["status"] == "open"  # the fine is still owed
    case.do("record_payment", amount_fen=15_000)
    assert case.json["status"] == "closed"


def test_a_warning_on_the_spot_needs_two_qualified_officers__处罚法_第四十二条(client, desk):
    case = spot(client, desk, officer_ids=desk["officers"][:1])
    refused(case, "decide_on_spot", "two-officers", "第四十二条", penalty_kinds=["warning"])


# --- before the decision (处罚法 第三十六条、第五十八条、第六十二条、第六十四条) -----------


def test_filing_is_refused_after_the_limitation_period__处罚法_第三十六条(client, desk):
    case = Case(client, desk, violation_started_on="2024-01-01")
    refused(case, "approve_filing", "limitation", "第三十六条", who="head")


def test_a_hearing_requested_after_5_working_days_is_refused__处罚法_第六十四条(client, desk):
    case = noticed(client, desk, kinds=("fine", "order_suspension"), served_on="2026-11-02")
    refused(case, "request_hearing", "hearing-request-late", "第六十四条",
            requested_on="2026-11-10")  # fmt: skip
    case.do("request_hearing", requested_on="2026-11-09")  # the 5th working day


def test_a_hearing_notice_less_than_7_working_days_before_is_refused__处罚法_第六十四条(
    client, desk
):
    case = noticed(client, desk, kinds=("fine", "order_suspension"), served_on="2026-11-02")
    case.do("request_hearing", requested_on="2026-11-04")
    case.do("advance")
    body = {"hearing_on": "2026-11-20", "hearing_time": "09:30", "presider_id": desk["presider"],
            "place": "听证室"}  # fmt: skip
    investigator = {**body, "presider_id": desk["officers"][0]}
    refused(case, "schedule_hearing", "presider-is-investigator", "第六十四条第(四)项",
            noticed_on="2026-11-10", **investigator)  # fmt: skip
    refused(case, "schedule_hearing", "hearing-notice-late", "第六十四条", status=422,
            noticed_on="2026-11-11", **body)  # fmt: skip
    case.do("schedule_hearing", noticed_on="2026-11-10", **body)


def test_no_decision_before_the_statement_window_closes_unless_waived__处罚法_第六十二条(
    client, desk
):
    case = noticed(client, desk, served_on=today().isoformat())
    refused(case, "advance", "statement-window-open", "第六十二条")
    case.do("waive", signed_by="当事人法定代表人")
    case.do("advance")
    assert case.json["stage"] == "legal_review"


def test_a_statement_must_be_re_examined_before_the_case_goes_on__处罚法_第四十五条(client, desk):
    case = noticed(client, desk)
    case.do("record_statement", statement="违法行为系他人所为，请求不予处罚。")
    refused(case, "advance", "reexamination-required", "第四十五条")
    case.do("record_statement", statement="违法行为系他人所为。", reexamination="经复核不成立。")
    case.do("advance")


def test_a_decision_heavier_than_the_notified_penalty_is_refused__处罚法_第四十五条(client, desk):
    case = noticed(client, desk, fine=1_000_000)
    case.do("advance")
    case.do(
        "legal_review",
        who="reviewer",
        result="passed",
        opinion="事实清楚。",
        reviewer_id=case.desk["reviewer_id"],
    )
    case.do("advance")
    case.do("record_discussion", who="head", minutes="讨论……", conclusion="同意。")
    case.do("advance")
    refused(case, "decide", "heavier-than-notified", "第四十五条", who="head", fine_fen=1_000_001)
    case.do("decide", who="head", fine_fen=800_000)
    assert case.json["fine_fen"] == 800_000 and case.json["stage"] == "service"


def test_a_major_case_returned_by_legal_review_cannot_be_decided__处罚法_第五十八条(client, desk):
    case = noticed(client, desk)
    case.do("advance")
    assert case.json["stage"] == "legal_review"  # CG-0014 is on the major-decision list
    case.do(
        "legal_review",
        who="reviewer",
        result="returned",
        opinion="证据不足，退回补充。",
        reviewer_id=case.desk["reviewer_id"],
    )
    refused(case, "advance", "documents:legal_review", "第五十八条")  # no opinion issued


def test_electronic_service_without_signed_consent_is_refused__处罚法_第六十一条(client, desk):
    case = noticed(client, desk)
    case.do("advance")
    case.do(
        "legal_review",
        who="reviewer",
        result="passed",
        opinion="事实清楚。",
        reviewer_id=case.desk["reviewer_id"],
    )
    case.do("advance")
    case.do("record_discussion", who="head", minutes="讨论……", conclusion="同意。")
    case.do("advance")
    case.do("decide", who="head")
    refused(case, "serve_decision", "no-e-service-consent", "第六十一条", method="electronic")
    case.do("serve_decision", method="electronic", consent_signed=True)


def test_service_by_public_notice_counts_from_30_days_after_publication__民事诉讼法_第九十五条(
    client, desk
):
    """Public notice only where the party cannot be reached, with the reason; the
    decision counts as served 30 days after publication and the party's periods run
    from then. Leaving it at the address needs the refusal witnessed (第八十九条)."""
    case = decided(client, desk)
    backdate(case, decided="2026-11-02")  # published the day it was decided
    left = case.do("serve_decision", expect=422, method="left", served_on="2026-11-20")
    assert left["errors"][0]["field"] == "witness" and "第八十九条" in left["detail"]
    notice = case.do("serve_decision", expect=422, method="public_notice",
                     published_on="2026-11-02")  # fmt: skip
    assert notice["errors"][0]["field"] == "untraceable" and "第九十五条" in notice["detail"]
    again = client.get(f"/api/v1/cases/{case.id}", headers=desk["officer"]).json
    assert (again["stage"], again["served_on"]) == ("service", None)  # nothing was written
    case.do("serve_decision", method="public_notice", published_on="2026-11-02",
            untraceable="当事人已搬离经营场所，电话停机，邮寄被退回。")  # fmt: skip
    assert case.json["served_on"] == "2026-12-02"
    assert deadline(case, "payment") == "2026-12-17"  # 15 days after 12-02, not 11-17


def test_the_prior_notice_and_the_decision_say_how_the_benchmark_was_applied__国办发_2022_27号(
    client, desk, cjk_fonts
):
    """27号 （十二）: the decision states the benchmark, the tier and the range the facts
    chose, and the fine's place in it; the prior notice states the range, not a decision."""
    case = executing(client, desk, served_on="2026-11-16")  # ¥30,000, ordinary circumstances

    def pdf(kind: str) -> str:
        items = client.get(f"/api/v1/cases/{case.id}/documents", headers=desk["officer"]).json
        url = next(d["pdf_url"] for d in items["items"] if d["kind"] == kind)
        drain_documents()  # the document worker, after the action committed
        return pdf_text(client.get(url, headers=desk["officer"]).data)

    decision = pdf("行政处罚决定书")
    for expected in (
        "裁量基准适用说明",
        "行政处罚裁量基准",
        "「一般」档次",
        "罚款幅度为18500元至36500元。决定罚款人民币30000元，在基准幅度内",
    ):
        assert expected in decision, expected
    notice = pdf("行政处罚事先告知书")
    assert "「一般」档次" in notice and "决定罚款" not in notice


# --- decision deadline extension per sector (处罚法 第六十条; 市场监管 第六十四条) -------


def test_urban_management_cannot_extend_the_90_day_decision_deadline__处罚法_第六十条(client, desk):
    case = filed(client, desk)
    due = deadline(case, "decision")
    assert due == (today() + dt.timedelta(days=90)).isoformat()
    refused(case, "extend_deadline", "decision-extension-none", "第六十条", who="head",
            reason="案情复杂")  # fmt: skip


def test_market_regulation_extends_30_days_by_the_head_then_by_collective_discussion__市场监管_第六十四条(
    client, market
):
    case = filed(client, market, matter_code=LICENCE_CHANGE, sector="market_regulation")
    base = dt.date.fromisoformat(deadline(case, "decision"))
    refused(case, "extend_deadline", "role:agency_head", "", reason="案情复杂")
    case.do("extend_deadline", who="head", reason="案情复杂，经负责人批准延长")
    assert deadline(case, "decision") == (base + dt.timedelta(days=30)).isoformat()
    case.do("extend_deadline", who="head", reason="经负责人集体讨论决定", days=20)
    assert deadline(case, "decision") == (base + dt.timedelta(days=50)).isoformat()
    extensions = case.json["details"]["extensions"]
    assert [(e["days"], e["by"]) for e in extensions] == [(30, "head"), (20, "collective")]


def test_a_suspension_stops_the_case_and_where_the_sector_says_so_its_clock__市场监管_第六十四条(
    client, market, desk
):
    """Suspension (中止调查) is the head's decision; the suspended case does nothing but
    keep its record until resumed; market regulation leaves the suspended days out of the
    90 (11-12…11-21: 10 days), the law's floor (urban management) does not."""
    case = filed(client, market, matter_code=LICENCE_CHANGE, sector="market_regulation")
    backdate(case, filed="2026-11-10")  # suspended on 11-12, resumed on 11-21
    assert deadline(case, "decision") == "2027-02-08"
    refused(case, "pause_clock", "role:agency_head", "", kind="suspension", reason="当事人下落不明")
    case.do("pause_clock", who="head", kind="suspension", reason="当事人下落不明",
            started_on="2026-11-12")  # fmt: skip
    paused = next(d for d in case.json["deadlines"] if d["id"] == "decision")
    assert paused["due"] is None and paused["paused"] is True
    assert case.json["allowed_actions"] and "advance" not in case.json["allowed_actions"]
    problem = refused(case, "correction_not_required", "case-suspended", "中止调查",
                      reason="违法行为已经改正完毕。")  # fmt: skip
    assert "当事人下落不明" in problem["detail"]
    case.do("add_evidence", kind="documentary", title="中止期间收到的书证", sha256="c" * 64)
    refused(case, "resume_clock", "resume-before-pause", "第六十条", who="head", status=422,
            kind="suspension", ended_on="2026-11-11")  # fmt: skip
    case.do("resume_clock", who="head", kind="suspension", ended_on="2026-11-21")
    assert deadline(case, "decision") == "2027-02-18"
    case.do("correction_not_required", reason="违法行为已经改正完毕。")

    floor = filed(client, desk)
    floor.do("pause_clock", who="head", kind="suspension", reason="等待检测机构结论")
    assert deadline(floor, "decision") == "2027-02-22"  # the law's 90 days keep running


def test_legal_review_has_the_sectors_10_working_days__市场监管_第五十五条(client, market, desk):
    case = noticed(client, market, matter_code=LICENCE_CHANGE, sector="market_regulation",
                   complex_case=True)  # fmt: skip
    case.do("advance")  # the statement window (served 11-02) closed on 11-09
    assert case.json["stage"] == "legal_review"
    review = next(d for d in case.json["deadlines"] if d["id"] == "legal_review")
    assert review["due"] == "2026-12-08" and "第五十五条" in review["article"]  # from 11-24
    floor = noticed(client, desk, complex_case=True)
    floor.do("advance")
    assert floor.json["stage"] == "legal_review"
    assert deadline(floor, "legal_review") is None  # the law sets no turnaround


def test_the_lead_check_is_extended_once_by_the_sectors_days__市场监管_第十八条(
    client, market, desk
):
    case = Case(client, market, discovered_on="2026-11-16", matter_code=LICENCE_CHANGE,
                sector="market_regulation")  # fmt: skip
    assert deadline(case, "lead_check") == "2026-12-07"
    refused(case, "extend_lead_check", "role:agency_head", "", reason="需调取外地证据")
    case.do("extend_lead_check", who="head", reason="需调取外地证据")
    assert deadline(case, "lead_check") == "2026-12-28"  # + 15 working days
    refused(case, "extend_lead_check", "lead-check-extended", "第十八条", who="head",
            reason="再次延长")  # fmt: skip
    floor = Case(client, desk, discovered_on="2026-11-16")
    refused(floor, "extend_lead_check", "no-lead-check-extension", "", who="head",
            reason="需调取外地证据")  # fmt: skip


def test_housing_extends_30_days_then_at_most_60_by_collective_discussion__住建_第二十九条(
    client, desk
):
    case = filed(client, desk, sector="housing")
    base = dt.date.fromisoformat(deadline(case, "decision"))
    case.do("extend_deadline", who="head", reason="案情复杂")
    refused(case, "extend_deadline", "decision-extension-collective", "第二十九条", who="head",
            reason="集体讨论", days=61)  # fmt: skip
    case.do("extend_deadline", who="head", reason="经集体讨论", days=60)
    assert deadline(case, "decision") == (base + dt.timedelta(days=90)).isoformat()
    refused(case, "extend_deadline", "decision-extension-exhausted", "第二十九条", who="head",
            reason="再延", days=1)  # fmt: skip


# --- compulsory measures (行政强制法 第十九条、第二十五条、第二十八条) --------------------


# What 行政强制法 第十八条 asks done on the spot: ID shown, the party present, told the
# reasons, basis, rights and remedies, heard, and signing the 现场笔录.
ON_SITE = {
    "reason": "涉案物品可能被转移、灭失",
    "basis": "《城镇燃气管理条例》第四十七条",
    "identity_shown": True,
    "party_present": True,
    "told": True,
    "statement": "当事人表示无异议",
    "party_signature": "signed",
}


def measures_case(client, desk) -> Case:
    case = filed(client, desk, measures_needed=True)
    assert case.json["stage"] == "compulsory_measures"
    return case


def _measure(case: Case, n: int = -1) -> dict:
    return case.json["details"]["compulsory_measures"]["measures"][n]


def test_a_seizure_lasts_30_days_extended_once_by_at_most_30_testing_excluded__行政强制法_第二十五条(
    client, desk
):
    case = measures_case(client, desk)
    refused(case, "impose_measure", "role:agency_head", "", kind="seize", items=["液化气罐 2 只"])
    case.do("impose_measure", who="head", kind="seize", items=["液化气罐 2 只"],
            started_on="2026-11-01", **ON_SITE)  # fmt: skip
    measure = _measure(case)
    assert measure["ends_on"] == "2026-12-01"
    assert case.json["next_deadline"] == "2026-12-01"
    assert deadline(case, "seizure") == "2026-12-01"
    case.do("record_testing", measure_id=measure["id"], started_on="2026-11-05",
            ended_on="2026-11-09", what="送检")  # fmt: skip
    assert _measure(case)["ends_on"] == "2026-12-06"  # 5 testing days do not count
    refused(case, "extend_measure", "seizure-extension", "第二十五条", who="head",
            measure_id=measure["id"], days=31, reason="案情复杂")  # fmt: skip
    case.do("extend_measure", who="head", measure_id=measure["id"], days=30, reason="案情复杂")
    assert _measure(case)["ends_on"] == "2027-01-05"
    refused(case, "extend_measure", "seizure-extended-once", "第二十五条", who="head",
            measure_id=measure["id"], days=1, reason="再延")  # fmt: skip
    refused(case, "advance", "measures-open", "第二十八条")
    case.do("lift_measure", measure_id=measure["id"], outcome="confiscated")
    case.do("advance")
    assert case.json["stage"] == "correction_order"


def test_after_the_seizure_period_the_property_can_only_be_released__行政强制法_第二十八条(
    client, desk
):
    case = measures_case(client, desk)
    case.do("impose_measure", who="head", kind="seal", items=["烧烤炉 1 台"],
            started_on="2026-10-01", **ON_SITE)  # fmt: skip
    measure = _measure(case)
    assert measure["ends_on"] == "2026-10-31"
    refused(case, "extend_measure", "seizure-expired", "第二十五条", who="head",
            measure_id=measure["id"], reason="案情复杂")  # fmt: skip
    refused(case, "lift_measure", "seizure-expired", "第二十八条",
            measure_id=measure["id"], outcome="confiscated")  # fmt: skip
    case.do("lift_measure", measure_id=measure["id"], outcome="lifted")
    assert _measure(case)["late"] is True and case.json["flagged"] is True


def test_an_emergency_measure_is_approved_within_24_hours_or_lifted__行政强制法_第十九条(
    client, desk
):
    case = measures_case(client, desk)
    case.do("impose_emergency_measure", kind="seize", items=["渣土车 1 辆"],
            executed_at="2026-11-20T10:00:00+08:00", grounds="当场发现，情况紧急",
            **ON_SITE)  # fmt: skip
    measure = _measure(case)
    assert deadline(case, "measure_approval").startswith("2026-11-2")
    assert case.json["next_deadline"] == "2026-11-21"
    refused(case, "approve_measure", "emergency-approval-late", "第十九条", who="head",
            measure_id=measure["id"], approved=True, at="2026-11-21T10:30:00+08:00")  # fmt: skip
    case.do("approve_measure", who="head", measure_id=measure["id"], approved=True,
            at="2026-11-21T09:30:00+08:00")  # fmt: skip
    assert deadline(case, "measure_approval") is None and deadline(case, "seizure") == "2026-12-20"
    case.do("impose_emergency_measure", kind="seal", items=["摊位"],
            executed_at="2026-11-21T09:00:00+08:00", grounds="紧急", **ON_SITE)  # fmt: skip
    second = _measure(case)
    case.do("approve_measure", who="head", measure_id=second["id"], approved=False)
    assert _measure(case)["outcome"] == "lifted" and _measure(case)["ended_on"]


# --- execution: payment, surcharge, challenges (处罚法 第七十二条、第七十三条) -----------


def test_the_surcharge_is_capped_at_the_fine__处罚法_第七十二条(client, desk):
    case = executing(client, desk, served_on="2026-03-02", fine=1_000_000)
    problem = refused(case, "record_payment", "underpaid", "第七十二条",
                      amount_fen=1_999_999, paid_on="2026-11-20")  # fmt: skip
    assert "20000.00" in problem["detail"]  # fine + surcharge = twice the fine, not more
    case.do("record_payment", amount_fen=2_000_000, paid_on="2026-11-20")
    assert case.json["details"]["execution"]["done"] == "paid"
    case.do("advance")
    assert case.json["stage"] == "closure"


def test_reconsideration_days_do_not_count_towards_the_surcharge__处罚法_第七十三条第三款(
    client, desk
):
    case = executing(client, desk, served_on="2026-03-02", fine=1_000_000)  # pay by 03-17
    case.do(
        "record_challenge", kind="reconsideration", filed_on="2026-03-20", body="玄武区人民政府"
    )
    refused(case, "record_challenge", "challenge-open", "", kind="reconsideration")
    case.do("conclude_challenge", kind="reconsideration", outcome="upheld",
            concluded_on="2026-04-09")  # fmt: skip
    # 24 days overdue on 04-10, 21 of them under reconsideration: 3 days × 3%
    refused(case, "record_payment", "underpaid", "第七十二条",
            amount_fen=1_089_999, paid_on="2026-04-10")  # fmt: skip
    case.do("record_payment", amount_fen=1_090_000, paid_on="2026-04-10")


def test_a_deferral_moves_the_payment_the_surcharge_and_the_court_window__处罚法_第七十二条第二款(
    client, market
):
    case = executing(client, market, served_on="2026-03-02", fine=2_000_000,
                     matter_code=LICENCE_CHANGE, sector="market_regulation")  # fmt: skip
    refused(case, "approve_deferral", "role:agency_head", "", kind="deferral",
            until="2026-11-30", reason="经营困难")  # fmt: skip
    case.do("approve_deferral", who="head", kind="instalments", until="2026-11-30",
            reason="当事人经营确有困难，申请分期缴纳")  # fmt: skip
    assert deadline(case, "payment") == "2026-11-30"
    # No demand while the instalments run (第六十七条; 行政强制法 第三十五条, 第五十四条).
    refused(case, "issue_demand", "payment-period-running", "第六十七条", served_on="2026-11-24")
    case.do("record_payment", amount_fen=2_000_000, paid_on="2026-11-24")  # no surcharge


def test_a_decision_revoked_on_reconsideration_leaves_nothing_to_execute(client, desk):
    case = executing(client, desk, served_on="2026-11-02")
    case.do("record_challenge", kind="reconsideration", filed_on="2026-11-10")
    case.do("conclude_challenge", kind="reconsideration", outcome="revoked")
    case.do("advance")
    assert case.json["stage"] == "closure"


# --- execution paths (行政强制法 第三十五条–第四十六条、第五十三条、第五十四条) ------------


def test_the_court_is_asked_only_10_working_days_after_the_demand__行政强制法_第五十四条(
    client, market
):
    """Path 2 and 5: an agency without execution power applies to the court."""
    case = executing(client, market, served_on="2026-03-02", fine=2_000_000,
                     matter_code=LICENCE_CHANGE, sector="market_regulation")  # fmt: skip
    refused(case, "apply_to_court", "demand-first", "第五十四条", who="head")
    case.do("issue_demand", served_on="2026-11-16")
    assert deadline(case, "demand") == "2026-11-30"  # 10 working days
    assert deadline(case, "court_application") == "2026-12-02"  # litigation due 09-02 + 3 months
    early = refused(case, "apply_to_court", "demand-period-open", "第五十四条", who="head")
    assert "2026-12-01" in early["detail"]  # the first day after the 10 working days
    refused(case, "enforce", "no-execution-power", "第十三条", who="head",
            path="monetary", at=FRIDAY_10AM)  # fmt: skip
    case.do("issue_demand", served_on="2026-11-02")  # a demand served earlier
    case.do("record_challenge", kind="litigation", filed_on="2026-11-03")
    refused(case, "apply_to_court", "challenge-pending", "第五十三条", who="head")
    case.do("conclude_challenge", kind="litigation", outcome="withdrawn", concluded_on="2026-11-05")
    case.do("apply_to_court", who="head")
    docs = client.get(f"/api/v1/cases/{case.id}/documents", headers=market["officer"]).json
    kinds = [d["kind"] for d in docs["items"]]
    assert "催告书" in kinds and "强制执行申请书" in kinds
    case.do("advance")
    assert case.json["stage"] == "closure"


def test_an_unpaid_on_the_spot_fine_goes_to_court_after_the_reconsideration_period__行政强制法_第五十三条(
    client, market, cjk_fonts
):
    """An on-the-spot decision goes to reconsideration first (行政复议法 第二十三条), so
    the period 第五十三条 waits for is the 60-day reconsideration period (decided
    2026-08-03: 10-02 falls in the National Day holiday and rolls to 10-08); the demand
    and its 10 working days apply as in the general procedure; the court application
    settles the case, which closes once filed."""
    company = {**PARTY, "credit_code": _valid_credit_code()}
    licence = "SC-0003"  # 营业执照未置于醒目位置: up to ¥30,000
    case = spot(client, market, party=company, matter=licence, sector="market_regulation",
                violation_started_on="2026-08-01")  # fmt: skip
    case.do("decide_on_spot", penalty_kinds=["fine"], fine_fen=300_000, circumstance="minor",
            decided_on="2026-08-03")  # fmt: skip
    case.do("record_filing", filed_on="2026-08-04")
    assert case.json["status"] == "open"  # filed, but the fine is still owed
    assert {"issue_demand", "apply_to_court"} <= set(case.json["allowed_actions"])
    assert deadline(case, "litigation") is None  # no direct lawsuit: reconsideration first
    refused(case, "apply_to_court", "demand-first", "第五十四条", who="head")
    case.do("issue_demand", served_on="2026-11-02")
    assert deadline(case, "reconsideration") == "2026-10-08"
    assert deadline(case, "court_application") == "2027-01-08"  # 3 months after 10-08
    case.do("apply_to_court", who="head")
    assert case.json["status"] == "closed"
    docs = client.get(f"/api/v1/cases/{case.id}/documents", headers=market["officer"]).json
    by_kind = {d["kind"]: d for d in docs["items"]}
    assert {"当场处罚决定书", "催告书", "强制执行申请书"} <= set(by_kind)
    drain_documents()  # the document worker, after the action committed
    demand = pdf_text(client.get(by_kind["催告书"]["pdf_url"], headers=market["officer"]).data)
    assert f"{by_kind['当场处罚决定书']['number']}《当场处罚决定书》" in demand

    recent = spot(client, market, party=company, matter=licence, sector="market_regulation",
                  violation_started_on="2026-10-19")  # fmt: skip
    recent.do("decide_on_spot", penalty_kinds=["fine"], fine_fen=300_000, circumstance="minor",
              decided_on="2026-10-20")  # fmt: skip
    recent.do("issue_demand", served_on="2026-11-05")  # after the 15 days to pay (11-04)
    problem = refused(recent, "apply_to_court", "court-window", "第五十三条", who="head")
    assert "2026-12-22" in problem["detail"]  # 12-19 is a Saturday: the period ends 12-21


def test_a_late_reconsideration_moves_the_litigation_period_and_the_court_window__行政诉讼法_第四十五条(
    client, market
):
    case = executing(client, market, served_on="2026-03-02", fine=2_000_000,
                     matter_code=LICENCE_CHANGE, sector="market_regulation")  # fmt: skip
    assert deadline(case, "litigation") == "2026-09-02"
    case.do("record_challenge", kind="reconsideration", filed_on="2026-04-20")
    case.do("conclude_challenge", kind="reconsideration", outcome="upheld",
            concluded_on="2026-11-10")  # fmt: skip
    assert deadline(case, "litigation") == "2026-11-25"  # 15 days after the decision
    case.do("issue_demand", served_on="2026-11-02")
    problem = refused(case, "apply_to_court", "court-window", "第五十三条", who="head")
    assert "2026-11-26" in problem["detail"]


def test_the_execution_decision_waits_for_the_demand_period__行政强制法_第三十七条(client, desk):
    """Path 1: an agency with execution power."""
    case = executing(client, desk, served_on="2026-03-02")
    refused(case, "decide_execution", "demand-first", "第三十五条", who="head", content="划拨存款")
    case.do("issue_demand", served_on="2026-11-16")  # performs by 11-30
    refused(case, "decide_execution", "demand-period-open", "第三十七条", who="head",
            content="划拨存款")  # fmt: skip
    refused(case, "decide_execution", "immediate-grounds", "第三十七条第三款", who="head",
            content="划拨存款", immediate=True)  # fmt: skip
    refused(case, "enforce", "execution-decision-first", "第三十七条", who="head",
            path="agency_power", at=FRIDAY_10AM)  # fmt: skip
    case.do("decide_execution", who="head", content="划拨存款", immediate=True,
            grounds="当事人正在转移账户资金", decided_on="2026-11-17")  # fmt: skip
    case.do("enforce", who="head", path="agency_power", at=FRIDAY_10AM)
    kinds = {d["kind"] for d in client.get(f"/api/v1/cases/{case.id}/documents",
                                           headers=desk["officer"]).json["items"]}  # fmt: skip
    assert {"催告书", "强制执行决定书"} <= kinds
    case.do("advance")
    assert case.json["stage"] == "closure"


def test_execution_is_suspended_resumed_and_ended_on_the_laws_grounds__行政强制法_第三十九条_第四十条(
    client, desk
):
    """中止执行 on a ground of 第三十九条 holds every execution step (payment is still
    taken); 不再执行 after three years of suspension only (第三十九条第二款); 终结执行 on a
    ground of 第四十条 ends the stage, so the case can close."""
    case = executing(client, desk, served_on="2026-03-02")
    refused(case, "suspend_execution", "role:agency_head", "", ground="hardship",
            reason="当事人经营困难暂无履行能力")  # fmt: skip
    case.do("suspend_execution", who="head", ground="hardship", reason="当事人经营困难暂无履行能力",
            suspended_on="2026-11-02")  # fmt: skip
    problem = refused(case, "issue_demand", "execution-suspended", "第三十九条",
                      served_on="2026-11-16")  # fmt: skip
    assert "暂无履行能力" in problem["detail"]
    refused(case, "terminate_execution", "suspension-under-3-years", "第三十九条第二款",
            who="head", ground="suspended_3_years", reason="中止已久")  # fmt: skip
    case.do("resume_execution", who="head", resumed_on="2026-11-20")
    case.do("issue_demand", served_on="2026-11-23")  # execution goes on
    assert "advance" not in case.json["allowed_actions"]  # not carried out yet
    case.do("terminate_execution", who="head", ground="dissolved",
            reason="当事人已注销，无财产可供执行，无义务承受人")  # fmt: skip
    assert case.json["details"]["execution"]["done"] == "terminated"
    case.do("advance")
    assert case.json["stage"] == "closure"


def test_substitute_performance_is_decided_warned_3_working_days_ahead_and_recorded__行政强制法_第五十一条(
    client, desk, market, cjk_fonts
):
    """代履行: only after a demand left unperformed (第五十条), by an agency with execution
    power; the decision names reason, target, method and time, cost and performer, and
    reaches the party 3 working days before (Fri 11-20 → from Thu 11-26, not Wed); on
    the day the party or a witness signs; the cost is the party's."""
    body = {
        "harm": "traffic",
        "obligation": "清除占道堆放的建筑垃圾",
        "reason": "当事人逾期未清除占道堆放物，经催告仍不履行，影响道路通行安全",
        "target": "珠江路88号门前人行道上的建筑垃圾约5立方米",
        "method": "委托环卫公司清运",
        "performer": "南京某某环卫服务有限公司",
        "budget_fen": 120_000,
    }
    case = executing(client, desk, served_on="2026-03-02")
    refused(case, "decide_substitute_performance", "demand-first", "第三十五条", who="head",
            served_on="2026-11-17", perform_from="2026-11-23", **body)  # fmt: skip
    case.do("issue_demand", served_on="2026-11-02")  # performs by 11-16: not performed
    refused(case, "decide_substitute_performance", "substitute-notice-period", "第五十一条",
            who="head", status=422, served_on="2026-11-17", perform_from="2026-11-20", **body)  # fmt: skip
    case.do("decide_substitute_performance", who="head", served_on="2026-11-17",
            perform_from="2026-11-23", **body)  # 18, 19, 20 November between  # fmt: skip
    refused(case, "record_substitute_performance", "substitute-too-early", "第五十一条",
            who="head", status=422, performed_on="2026-11-20", supervisor="张伟",
            cost_fen=110_000)  # fmt: skip
    refused(case, "record_substitute_performance", "substitute-signatures", "第五十一条",
            who="head", performed_on="2026-11-23", supervisor="张伟", cost_fen=110_000)  # fmt: skip
    case.do("record_substitute_performance", who="head", performed_on="2026-11-23",
            supervisor="张伟", witness="社区网格员李某", cost_fen=110_000)  # fmt: skip
    assert case.json["details"]["execution"]["done"] == "substituted"
    docs = client.get(f"/api/v1/cases/{case.id}/documents", headers=desk["officer"]).json
    decision = next(d for d in docs["items"] if d["kind"] == "代履行决定书")
    drain_documents()  # the document worker, after the action committed
    text = pdf_text(client.get(decision["pdf_url"], headers=desk["officer"]).data)
    for expected in ("南京某某环卫服务有限公司", "1,200.00", "2026年11月23日", "危害交通安全"):
        assert expected in text, expected
    case.do("advance")
    assert case.json["stage"] == "closure"

    no_power = executing(client, market, served_on="2026-03-02", fine=2_000_000,
                         matter_code=LICENCE_CHANGE, sector="market_regulation")  # fmt: skip
    no_power.do("issue_demand", served_on="2026-11-02")
    refused(no_power, "decide_substitute_performance", "no-execution-power", "第五十条",
            who="head", served_on="2026-11-17", perform_from="2026-11-23", **body)  # fmt: skip


def test_an_execution_agreement_holds_execution_and_may_waive_surcharge_for_a_remedy__行政强制法_第四十二条(
    client, desk
):
    """Served 03-02, ¥30,000 unpaid: the surcharge reached the fine long ago (¥60,000
    owed). An agreement made after the party restored the site waives ¥20,000 of it —
    never more than accrued, never without a remedy; while it is kept no execution step;
    a breach brings execution and the whole surcharge back."""
    case = executing(client, desk, served_on="2026-03-02")
    terms = "当事人于2026年12月31日前分两期缴清罚款及加处罚款"
    refused(case, "record_execution_agreement", "remedy-required", "第四十二条", who="head",
            terms=terms, waived_fen=2_000_000)  # fmt: skip
    refused(case, "record_execution_agreement", "waiver-over-surcharge", "第四十二条",
            who="head", terms=terms, waived_fen=3_000_001, remedy="已拆除违法设施")  # fmt: skip
    case.do("record_execution_agreement", who="head", terms=terms, waived_fen=2_000_000,
            remedy="已拆除违法设施并恢复原状", stages=["2026-12-15", "2026-12-31"])  # fmt: skip
    refused(case, "issue_demand", "execution-agreement", "第四十二条", served_on="2026-11-24")
    refused(case, "record_payment", "underpaid", "第七十二条", amount_fen=3_999_999)
    case.do("record_payment", amount_fen=4_000_000)  # ¥30,000 + ¥30,000 − ¥20,000
    assert case.json["details"]["execution"]["done"] == "paid"

    broken = executing(client, desk, served_on="2026-03-02")
    broken.do("record_execution_agreement", who="head", terms=terms, waived_fen=1_000_000,
              remedy="已拆除违法设施")  # fmt: skip
    broken.do("agreement_breached", who="head", note="第一期未按期缴纳")
    broken.do("issue_demand", served_on="2026-11-24")  # execution resumes
    refused(broken, "record_payment", "underpaid", "第七十二条", amount_fen=5_000_000)


def test_no_execution_at_night_or_on_a_rest_day__行政强制法_第四十三条(client, desk):
    case = executing(client, desk, served_on="2026-03-02")
    case.do("issue_demand", served_on="2026-11-02")
    case.do("decide_execution", who="head", content="强制执行", decided_on="2026-11-17")
    refused(case, "enforce", "execution-at-night", "第四十三条", who="head",
            path="agency_power", at="2026-11-20T23:00:00+08:00")  # fmt: skip
    refused(case, "enforce", "execution-on-holiday", "第四十三条", who="head",
            path="agency_power", at="2026-11-21T10:00:00+08:00")  # a Saturday  # fmt: skip
    late_evening = "2026-11-20T21:30:00+08:00"
    with _district_setting(
        desk, "execution_night_start", 21
    ):  # the district's night starts at 21:00
        refused(case, "enforce", "execution-at-night", "第四十三条", who="head",
                path="agency_power", at=late_evening)  # fmt: skip
    refused(case, "enforce", "execution-at-night", "第四十三条", who="head", path="agency_power",
            at="2026-11-20T23:00:00+08:00", emergency="紧急")  # a bare word is no emergency  # fmt: skip
    assert case.json["flagged"] is False
    case.do("enforce", who="head", path="agency_power", at="2026-11-20T23:00:00+08:00",
            emergency="当事人正在连夜转移已责令停止使用的设备，情况紧急")  # fmt: skip
    assert case.json["flagged"] is True  # executed at night: supervision sees it
    assert case.json["details"]["execution"]["emergency"].startswith("当事人正在连夜转移")


@contextlib.contextmanager
def _district_setting(desk, key: str, value):
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.directory import Tenant

    tenant_id = desk["tenant_id"]

    def put(v):
        with tenant_scope(tenant_id), db.new_session() as s:
            tenant = s.get(Tenant, tenant_id)
            settings = dict(tenant.settings or {})
            settings.pop(key, None) if v is None else settings.__setitem__(key, v)
            tenant.settings = settings
            s.commit()

    put(value)
    try:
        yield
    finally:
        put(None)


def test_a_fine_is_enforced_only_after_30_days_of_surcharge__行政强制法_第四十六条(client, desk):
    """Path 4: monetary payment, by an agency with execution power."""
    case = executing(client, desk, served_on="2026-10-20")  # pay by 11-04
    case.do("issue_demand", served_on="2026-11-05")
    case.do("decide_execution", who="head", content="划拨存款", immediate=True, grounds="转移财产",
            decided_on="2026-11-17")  # fmt: skip
    refused(case, "enforce", "surcharge-under-30-days", "第四十六条", who="head",
            path="monetary", at=FRIDAY_10AM)  # fmt: skip
    refused(case, "enforce", "surcharge-under-30-days", "第四十六条", who="head",
            path="agency_power", at=FRIDAY_10AM)  # a fine owed is a monetary obligation  # fmt: skip
    early = executing(client, desk, served_on="2026-03-02")
    early.do("issue_demand", served_on="2026-11-02")
    early.do("decide_execution", who="head", content="划拨存款", decided_on="2026-11-17")
    early.do("enforce", who="head", path="monetary", at=FRIDAY_10AM)
    assert early.json["details"]["execution"]["done"] == "enforced"


def test_forced_demolition_waits_for_the_notice_and_every_challenge_period__行政强制法_第四十四条(
    client, desk
):
    """Path 3: demolition of an illegal structure."""
    served_late = executing(client, desk, served_on="2026-06-01")  # litigation until 12-01
    served_late.do("issue_demand", served_on="2026-11-02")
    served_late.do(
        "decide_execution", who="head", content="强制拆除违法搭建", decided_on="2026-11-17"
    )
    refused(served_late, "enforce", "demolition-notice-first", "第四十四条", who="head",
            path="demolition", at=FRIDAY_10AM)  # fmt: skip
    served_late.do("publish_demolition_notice", who="head", demolish_by="2026-11-10",
                   published_on="2026-11-01")  # fmt: skip
    refused(served_late, "enforce", "forced-demolition-early", "第四十四条", who="head",
            path="demolition", at=FRIDAY_10AM)  # fmt: skip

    case = executing(client, desk, served_on="2026-03-02")
    case.do("issue_demand", served_on="2026-11-02")
    case.do("decide_execution", who="head", content="强制拆除违法搭建", decided_on="2026-11-17")
    case.do("publish_demolition_notice", who="head", demolish_by="2026-11-30")
    refused(case, "enforce", "forced-demolition-early", "第四十四条", who="head",
            path="demolition", at=FRIDAY_10AM)  # the notice's own deadline runs  # fmt: skip
    case.do("publish_demolition_notice", who="head", demolish_by="2026-11-10",
            published_on="2026-11-01")  # fmt: skip
    case.do("record_challenge", kind="litigation", filed_on="2026-11-12")
    refused(case, "enforce", "forced-demolition-early", "第四十四条", who="head",
            path="demolition", at=FRIDAY_10AM)  # fmt: skip
    case.do("conclude_challenge", kind="litigation", outcome="upheld", concluded_on="2026-11-19")
    case.do("enforce", who="head", path="demolition", at=FRIDAY_10AM)
    assert case.json["details"]["execution"]["path"] == "demolition"
