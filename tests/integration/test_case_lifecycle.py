"""One general-procedure case from filing to archive through the API, with a hearing and
a legal review; steps out of order are refused naming the rule and the article (issue:
Case engine; seed 000 一(三): 完成规定的上一环节才能进入下一环节)."""

from __future__ import annotations

import threading

import pytest

from tests.integration.conftest import _agency_client

pytestmark = pytest.mark.usefixtures("case_day")  # the dated timeline below runs on its day

OIL_FUMES = "CG-0014"  # 餐饮油烟: 大气污染防治法 第一百一十八条, ¥5,000–50,000
PARTY = {
    "kind": "organisation",
    "name": "南京味道餐饮管理有限公司",
    "credit_code": "91320102MA1MXXXX0X",
    "address": "玄武区珠江路88号",
}


@pytest.fixture
def desk(live_server, app, client, own_district):
    """The comprehensive bureau (zhzf) of the module's own district: its officer, head and
    legal reviewer (bearer headers), officer ids by role, the district's slug and id."""
    slug = own_district["slug"]
    officer = _agency_client(live_server, app, "zhzf", ["officer"], slug)
    head = _agency_client(live_server, app, "zhzf", ["agency_head", "officer"], slug)
    reviewer = _agency_client(live_server, app, "zhzf", ["legal_reviewer"], slug)
    officers = client.get("/api/v1/officers?page_size=100", headers=officer).json["items"]
    by_name = {o["name"]: o["id"] for o in officers}
    return {
        "officer": officer,
        "head": head,
        "reviewer": reviewer,
        "officers": [by_name["张伟"], by_name["王芳"]],
        "presider": by_name["李强"],
        "reviewer_id": by_name["赵敏"],  # the legal reviewer the reviewer client acts for
        "slug": slug,
        "tenant_id": own_district["tenant_id"],
    }


def _valid_credit_code() -> str:
    from stdnum.cn import uscc

    body = "91320102MA1MXXX90"
    return body + uscc.calc_check_digit(body)


class Case:
    """A case driven through the API as an officer would (reads like the steps)."""

    def __init__(self, client, desk, **draft):
        self.client, self.desk = client, desk
        body = {
            "matter_code": OIL_FUMES,
            "facts": "当事人在玄武区珠江路88号经营餐馆，未安装油烟净化设施直排油烟。",
            "place": "玄武区珠江路88号",
            "violation_started_on": "2026-10-01",
            "parties": [{**PARTY, "credit_code": _valid_credit_code()}],
            "officer_ids": desk["officers"],
            **draft,
        }
        r = client.post("/api/v1/cases", json=body, headers=desk["officer"])
        assert r.status_code == 201, r.json
        self.json = r.json

    @property
    def id(self):
        return self.json["id"]

    def do(self, action: str, who: str = "officer", expect: int = 200, **body):
        r = self.client.post(
            f"/api/v1/cases/{self.id}/actions/{action}", json=body, headers=self.desk[who]
        )
        assert r.status_code == expect, (action, r.json)
        if expect == 200:
            self.json = r.json
        return r.json


def test_a_general_procedure_case_from_filing_to_archive_with_hearing_and_legal_review(
    client, desk
):
    case = Case(client, desk, complex_case=True)
    assert case.json["stage"] == "filing" and "approve_filing" in case.json["allowed_actions"]
    refused = case.do("approve_filing", who="officer", expect=409)
    assert refused["code"] == "role:agency_head"

    case.do("approve_filing", who="head")
    assert case.json["status"] == "open" and case.json["number"]
    assert case.json["stage"] == "investigation"

    early = case.do("decide", who="head", expect=409)
    assert early["code"] == "out-of-order" and "调查取证" in early["detail"]

    case.do("add_evidence", kind="audio_visual", title="现场油烟直排视频", sha256="a" * 64)
    case.do("add_record", kind="现场检查笔录", content="现场检查发现未安装油烟净化设施。")
    case.do("add_record", kind="询问笔录", content="当事人承认未安装净化设施。")
    case.do("advance")
    assert case.json["stage"] == "correction_order"
    case.do("order_correction", content="责令于2026年12月1日前安装油烟净化设施")
    case.do("advance")
    assert case.json["stage"] == "prior_notice"

    case.do(
        "propose_penalty",
        penalty_kinds=["fine", "order_suspension"],  # 责令停业: a hearing right (第六十三条)
        fine_fen=3_000_000,
        circumstance="ordinary",
        first_violation=True,
    )
    from tests.integration.test_case_rules_engine import backdate

    backdate(case, filed="2026-11-02")  # the notice is served on the day of filing at the earliest
    case.do("serve_prior_notice", served_on="2026-11-02")
    assert case.json["stage"] == "statement"
    case.do("request_hearing", requested_on="2026-11-05")
    case.do(
        "record_statement",
        statement="已在整改中，请求从轻处罚",
        reexamination="经复核，当事人所述整改属实，维持拟处罚意见。",
    )
    case.do("advance")
    assert case.json["stage"] == "hearing"
    investigator = case.do(
        "schedule_hearing",
        expect=409,
        hearing_on="2026-11-20",
        hearing_time="09:30",
        noticed_on="2026-11-09",
        presider_id=desk["officers"][0],
        place="区综合执法局听证室",
    )
    assert investigator["code"] == "presider-is-investigator"
    case.do(
        "schedule_hearing",
        hearing_on="2026-11-20",
        hearing_time="09:30",
        noticed_on="2026-11-09",
        presider_id=desk["presider"],
        place="区综合执法局听证室",
    )
    case.do("record_hearing", transcript="听证笔录：当事人陈述整改情况……", held_on="2026-11-20")
    case.do("advance")
    assert case.json["stage"] == "legal_review"
    not_passed = case.do("advance", expect=409)
    assert "第五十八条" in not_passed["detail"]
    case.do(
        "legal_review",
        who="reviewer",
        result="passed",
        opinion="事实清楚，证据充分，程序合法。",
        reviewer_id=desk["reviewer_id"],
    )
    case.do("advance")
    assert case.json["stage"] == "collective_discussion"
    case.do(
        "record_discussion",
        who="head",
        minutes="集体讨论记录……",
        conclusion="同意罚款三万元并责令停业整顿",
    )
    case.do("advance")
    assert case.json["stage"] == "decision"

    heavier = case.do("decide", who="head", expect=409, fine_fen=3_500_000)
    assert heavier["code"] == "heavier-than-notified" and "第四十五条" in heavier["detail"]
    case.do("decide", who="head", fine_fen=3_000_000)
    assert case.json["stage"] == "service" and case.json["decided_on"]
    case.do("serve_decision", method="direct")
    assert case.json["stage"] == "execution"
    case.do("record_payment", amount_fen=3_000_000)
    case.do("advance")
    case.do("approve_closure", who="head")
    assert (case.json["status"], case.json["stage"]) == ("closed", "archive")
    case.do("archive")
    assert case.json["status"] == "archived" and case.json["allowed_actions"] == []

    chain = client.get(f"/api/v1/cases/{case.id}/chain", headers=desk["head"]).json
    assert chain["ok"] is True and chain["events"] >= 20


def test_two_officers_advancing_the_same_case_at_once_get_one_success_and_one_409(
    app, client, desk
):
    case = Case(client, desk)
    version = case.json["version"]
    results = []

    def approve():
        with app.test_client() as c:
            r = c.post(
                f"/api/v1/cases/{case.id}/actions/approve_filing",
                json={"version": version},
                headers=desk["head"],
            )
            results.append(r.status_code)

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409]


def test_filing_needs_two_qualified_officers__处罚法_第四十二条(client, desk):
    case = Case(client, desk, officer_ids=desk["officers"][:1])
    refused = case.do("approve_filing", who="head", expect=409)
    assert refused["code"] == "two-officers" and "第四十二条" in refused["detail"]


def test_a_party_is_identified_by_a_valid_id_number__GB_11643(client, desk):
    r = client.post(
        "/api/v1/cases",
        json={
            "matter_code": OIL_FUMES,
            "parties": [{"kind": "person", "name": "王某", "id_number": "110105194912310021"}],
        },
        headers=desk["officer"],
    )
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "parties[0].id_number"
    ok = client.post(
        "/api/v1/cases",
        json={
            "matter_code": OIL_FUMES,
            "parties": [{"kind": "person", "name": "王某", "id_number": "11010519491231002x"}],
        },
        headers=desk["officer"],
    )
    assert ok.status_code == 201
    assert ok.json["parties"][0]["id_number"] == "110105********002X"
