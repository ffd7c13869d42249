"""What the documents say and why the engine refuses (issue 13, items 1–3), in a district
of this module's own: the hearing notice's time and the no-show item (处罚法 第六十四条第
(二)(六)项), the order to correct with its deadline (第二十八条), the decision made on the
hearing record (第六十五条) naming the agency's account (第六十七条), the reviewer's name,
the case's real source; refusals naming the rule that applies; the major-decision flag
following the draft's matter (第五十八条); the hearing thresholds a district confirms as
its own, the engine erring toward the party until it does (第六十三条)."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from sqlalchemy import select, update

from tests.conftest import bearer
from tests.integration import test_case_rules_engine as engine
from tests.integration.conftest import _agency_client
from tests.integration.test_case_documents import _text as pdf_text
from tests.integration.test_case_lifecycle import Case
from tests.support import drain_documents

pytestmark = pytest.mark.usefixtures("case_day")
OIL_FUMES = "CG-0014"  # 大气污染防治法 第一百一十八条 (综合执法)
SPILL = "CG-0018"  # 运输散装物料未密闭: a fine only, not a major decision
LICENCE_CHANGE = "SC-0002"  # 登记事项变更未办理 (市场监管)
ACCOUNT = {
    "name": "测试区财政局非税收入专户",
    "bank": "中国工商银行南京分行",
    "number": "4301 0110 0900 1234 567",
}
THRESHOLDS = "/api/v1/cases/hearing-thresholds"


def _tenant_id(slug: str) -> uuid.UUID:
    from yimen.platform.kernel.db import db
    from yimen.platform.kernel.directory import Tenant

    with db.new_session() as s:
        return s.execute(select(Tenant.id).where(Tenant.slug == slug)).scalar_one()


@pytest.fixture
def district(own_district):
    """The module's district (the timeline helpers backdate a case in its desk's district)."""
    return own_district


def _desk(live_server, app, client, slug: str, code: str, names: tuple[str, str]) -> dict:
    officer = _agency_client(live_server, app, code, ["officer"], slug)
    people = client.get("/api/v1/officers?page_size=100", headers=officer).json["items"]
    by_name = {o["name"]: o["id"] for o in people}
    return {
        "officer": officer,
        "head": _agency_client(live_server, app, code, ["agency_head", "officer"], slug),
        "reviewer": _agency_client(live_server, app, code, ["legal_reviewer"], slug),
        "officers": [by_name[n] for n in names],
        "presider": by_name.get("李强"),
        "reviewer_id": by_name.get("赵敏"),
        "slug": slug,
        "tenant_id": _tenant_id(slug),
    }


@pytest.fixture
def desk(live_server, app, client, district):
    return _desk(live_server, app, client, district["slug"], "zhzf", ("张伟", "王芳"))


@pytest.fixture
def market(live_server, app, client, district):
    return _desk(live_server, app, client, district["slug"], "scjg", ("刘洋", "黄欣"))


@pytest.fixture
def admin(district, machine_token):
    return bearer(machine_token(district["slug"], ["district_admin"]))


def _pdfs(client, case: Case) -> dict[str, str]:
    drain_documents()
    items = client.get(f"/api/v1/cases/{case.id}/documents", headers=case.desk["officer"]).json
    return {
        d["kind"]: pdf_text(client.get(d["pdf_url"], headers=case.desk["officer"]).data)
        for d in items["items"]
    }


# --- item 1: the documents ---------------------------------------------------------------


def test_the_documents_say_what_was_entered_and_what_happened__处罚法_第六十四条_第六十五条(
    client, desk, admin, cjk_fonts
):
    agency = next(
        a
        for a in client.get("/api/v1/agencies?page_size=100", headers=admin).json["items"]
        if a["code"] == "zhzf"
    )
    r = client.patch(
        f"/api/v1/agencies/{agency['id']}", json={"payment_account": ACCOUNT}, headers=admin
    )
    assert r.status_code == 200 and r.json["payment_account"] == ACCOUNT, r.json
    case = Case(client, desk, matter_code=OIL_FUMES)
    refused = case.do("approve_filing", expect=409)  # an officer, not the head
    assert refused["code"] == "role:agency_head" and "第十九条" in refused["detail"]
    case.do("approve_filing", who="head")
    early = case.do("decide", who="head", expect=409)  # the investigation comes first
    assert early["code"] == "out-of-order" and "第五十五条" in early["detail"]
    assert "第五章" not in early["detail"]
    case.do("add_evidence", kind="audio_visual", title="现场油烟直排视频", sha256="a" * 64)
    case.do("add_record", kind="现场检查笔录", content="现场检查发现未安装油烟净化设施。")
    case.do("add_record", kind="询问笔录", content="当事人承认未安装净化设施。")
    case.do("advance")
    case.do("order_correction", content="安装油烟净化设施并正常使用", correct_by="2026-12-01")
    case.do("advance")
    case.do("propose_penalty", penalty_kinds=["fine", "order_suspension"], fine_fen=3_000_000,
            circumstance="ordinary", first_violation=True)  # fmt: skip
    engine.backdate(case, filed="2026-11-02")
    case.do("serve_prior_notice", served_on="2026-11-02")
    case.do("request_hearing", requested_on="2026-11-05")
    case.do("record_statement", statement="已在整改中，请求从轻处罚",
            reexamination="经复核，维持拟处罚意见。")  # fmt: skip
    case.do("advance")
    untimed = case.do("schedule_hearing", expect=422, hearing_on="2026-11-20",
                      noticed_on="2026-11-09", presider_id=desk["presider"], place="听证室")  # fmt: skip
    assert "hearing_time" in {e["field"] for e in untimed["errors"]}
    case.do("schedule_hearing", hearing_on="2026-11-20", hearing_time="14:30",
            noticed_on="2026-11-09", presider_id=desk["presider"], place="区综合执法局听证室")  # fmt: skip
    case.do("record_hearing", transcript="听证笔录：当事人陈述整改情况……", held_on="2026-11-20")
    case.do("advance")
    assert case.json["stage"] == "legal_review"  # a hearing was held (第五十八条第一款第(二)项)
    officer = case.do("legal_review", expect=409, result="passed", opinion="同意。")
    assert officer["code"] == "role:legal_reviewer" and "第五十八条" in officer["detail"]
    case.do("legal_review", who="reviewer", result="passed", opinion="事实清楚，程序合法。",
            reviewer_id=desk["reviewer_id"])  # fmt: skip
    case.do("advance")
    if case.json["stage"] == "collective_discussion":  # 责令停业: a serious penalty
        case.do("record_discussion", who="head", minutes="讨论记录……", conclusion="同意。")
        case.do("advance")
    case.do("decide", who="head", fine_fen=3_000_000)

    pdf = _pdfs(client, case)
    filing = pdf["立案审批表"]
    assert "执法人员检查发现" in filing and "投诉举报、巡查发现" not in filing
    order = pdf["责令改正通知书"]
    assert "于2026年12月1日前改正" in order and "立即" not in order
    notice = pdf["听证通知书"]
    assert "2026年11月20日14时30分在区综合执法局听证室" in notice
    assert "第六十四条第（六）项" in notice and "第（八）项" not in notice
    review = pdf["法制审核意见书"]
    assert "审核人员赵敏" in review
    decision = pdf["行政处罚决定书"]
    assert "2026年11月20日依法举行了听证" in decision and "根据听证笔录" in decision
    assert "第六十五条" in decision
    assert "户名：测试区财政局非税收入专户" in decision
    assert "开户银行：中国工商银行南京分行" in decision and "43010110090012345" in decision


# --- item 1: refusals that give the right reason ------------------------------------------


def test_the_court_is_not_asked_on_the_day_of_the_demand_and_the_refusal_says_when__行政强制法_第五十四条(
    client, market
):
    case = engine.executing(client, market, served_on="2026-05-06", fine=2_000_000,
                            matter_code=LICENCE_CHANGE, sector="market_regulation")  # fmt: skip
    case.do("issue_demand", served_on="2026-11-24")  # today
    problem = case.do("apply_to_court", who="head", expect=409)
    assert problem["code"] == "demand-period-open", problem
    assert "第五十四条" in problem["detail"] and "第五十三条" not in problem["detail"]
    assert "2026-12-09" in problem["detail"]  # 10 working days end 12-08: from 12-09


def test_a_litigation_period_ending_in_an_unloaded_year_refuses_only_what_is_certainly_early__行政强制法_第五十三条(
    client, market, district, live_server, app, time_machine
):
    """Served 2026-07-01: the six months end on 2027-01-01 or the next working day, and
    2027 has no calendar. Before 2027-01-01 the period certainly runs; in February 2027 it
    has certainly ended, whatever the holidays — the court may be asked."""
    case = engine.executing(client, market, served_on="2026-07-01", fine=2_000_000,
                            matter_code=LICENCE_CHANGE, sector="market_regulation")  # fmt: skip
    litigation = next(d for d in case.json["deadlines"] if d["id"] == "litigation")
    assert litigation["due"] is None and litigation["flagged"]  # flagged, never guessed
    case.do("issue_demand", served_on="2026-11-02")  # its 10 working days end 11-16
    early = case.do("apply_to_court", who="head", expect=409)
    assert early["code"] == "court-window" and "2027-01-01" in early["detail"], early
    assert "第五十三条" in early["detail"]

    time_machine.move_to(dt.datetime(2027, 2, 10, 2, 0, tzinfo=dt.UTC), tick=True)
    head = _agency_client(live_server, app, "scjg", ["agency_head", "officer"], district["slug"])
    r = client.post(f"/api/v1/cases/{case.id}/actions/apply_to_court", json={}, headers=head)
    assert r.status_code == 200, r.json
    assert r.json["details"]["execution"]["done"] == "court"


# --- item 2: the major-decision flag --------------------------------------------------------


def test_the_major_decision_flag_follows_the_drafts_matter__处罚法_第五十八条(client, desk):
    case = Case(client, desk, matter_code=OIL_FUMES)  # 责令停业 possible: a major decision
    assert case.json["major"] is True
    r = client.patch(
        f"/api/v1/cases/{case.id}",
        json={"matter_code": SPILL, "version": case.json["version"]},
        headers=desk["officer"],
    )
    assert r.status_code == 200, r.json
    assert r.json["major"] is False  # a fine only, not on the list: no review on that ground
    r = client.patch(
        f"/api/v1/cases/{case.id}",
        json={"matter_code": OIL_FUMES, "version": r.json["version"]},
        headers=desk["officer"],
    )
    assert r.json["major"] is True


# --- item 3: the district's own hearing thresholds -------------------------------------------


def _set_unconfirmed(slug: str, organisation_fen: int) -> None:
    """The district's table as seeded from another province's figures (an organisation's
    fine from ¥100,000, as 粤府令294号 第七条), not confirmed by its administrator."""
    from yimen.platform.cases.law.model import HearingThreshold
    from yimen.platform.kernel.db import db, tenant_scope

    with tenant_scope(_tenant_id(slug)), db.new_session() as s:
        s.execute(
            update(HearingThreshold)
            .where(HearingThreshold.party_kind == "organisation")
            .values(amount_fen=organisation_fen, confirmed_at=None, confirmed_by="")
        )
        s.commit()


def _proposed(client, desk, fine_fen: int) -> dict:
    case = engine.filed(client, desk, matter_code=LICENCE_CHANGE, sector="market_regulation")
    case.do("correction_not_required", reason="违法行为已经改正完毕。")
    case.do("advance")
    case.do("propose_penalty", penalty_kinds=["fine"], fine_fen=fine_fen, circumstance="ordinary",
            justification="依裁量基准，结合情节确定。")  # fmt: skip
    return case.json["details"]["prior_notice"]


def test_a_district_confirms_its_own_thresholds_and_until_then_the_party_keeps_the_hearing__处罚法_第六十三条(
    client, market, admin, district
):
    rows = client.get(THRESHOLDS, headers=admin).json["items"]
    assert rows and not any(r["confirmed"] for r in rows)  # a new district: not its own yet
    page = client.get("/console/admin/hearing-thresholds", headers=admin).get_data(as_text=True)
    assert "尚未确认" in page and "未确认" in page

    _set_unconfirmed(district["slug"], 100_000_00)
    rows = {
        (r["party_kind"], r["kind"]): r for r in client.get(THRESHOLDS, headers=admin).json["items"]
    }
    assert rows[("organisation", "fine")]["in_force_fen"] == 50_000_00  # the lowest known
    owed = _proposed(client, market, 6_000_000)  # ¥60,000: below 100,000, above 50,000
    assert owed["hearing_right"] is True and "尚未经区管理员确认" in owed["hearing_right_reason"]

    body = {
        "items": [
            {"party_kind": "person", "kind": "fine", "amount_fen": 5_000_00},
            {"party_kind": "person", "kind": "confiscation", "amount_fen": 5_000_00},
            {"party_kind": "organisation", "kind": "fine", "amount_fen": 100_000_00},
            {"party_kind": "organisation", "kind": "confiscation", "amount_fen": 100_000_00},
        ]
    }
    _wrong_source_in_the_form(client, admin)
    uncited = client.put(THRESHOLDS, json=body, headers=admin)
    assert uncited.status_code == 422
    assert {"items.0.source", "items.0.source_number"} <= {
        e["field"] for e in uncited.json["errors"]
    }
    cited = {**body, "source": "《广东省行政处罚听证程序实施办法》第七条",
             "source_number": "广东省人民政府令第294号"}  # fmt: skip
    r = client.put(THRESHOLDS, json=cited, headers=admin)
    assert r.status_code == 200, r.json
    assert all(x["confirmed"] and x["in_force_fen"] == x["amount_fen"] for x in r.json["items"])
    assert r.json["items"][2]["source_number"] == "广东省人民政府令第294号"
    page = client.get("/console/admin/hearing-thresholds", headers=admin).get_data(as_text=True)
    assert "尚未确认" not in page and "广东省人民政府令第294号" in page
    confirmed = _proposed(client, market, 6_000_000)
    assert confirmed["hearing_right"] is False  # the district's own figure now applies


def _wrong_source_in_the_form(client, admin) -> None:
    """The console form: a source that does not name the rule is shown by its field, and
    nothing is written."""
    page = client.get("/console/admin/hearing-thresholds", headers=admin).get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    form = {
        "csrf_token": token,
        "person_fine": "5000",
        "person_confiscation": "5000",
        "organisation_fine": "100000",
        "organisation_confiscation": "100000",
        "source": "广东省的规定",  # no 《》: not the rule's name
        "source_number": "广东省人民政府令第294号",
    }
    html = {**admin, "Accept": "text/html"}
    r = client.post("/console/admin/hearing-thresholds", data=form, headers=html)
    assert r.status_code == 422
    assert 'id="e-source"' in r.get_data(as_text=True)
    assert not any(x["confirmed"] for x in client.get(THRESHOLDS, headers=admin).json["items"])
