"""A clue turned into a case is completed in the console — the matter chosen by name from
the district's catalog, the party, two certified officers — and the head approves it
there; a filed case's party is corrected before the decision, with the reason, into
the record, and no longer after it (issue 13, item 5; 处罚法 第四十二条、第五十八条、
第五十九条)."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from tests.integration.conftest import _agency_client
from tests.integration.test_case_lifecycle import OIL_FUMES, Case, _valid_credit_code
from tests.integration.test_case_rules_engine import decide, to_decision

CASES = "/console/cases/"
ID_NUMBER = "11010519491231002X"  # valid (GB 11643)


@pytest.fixture
def desk(live_server, app, client, own_district):
    slug = own_district["slug"]
    people = {
        "officer": _agency_client(live_server, app, "zhzf", ["officer"], slug),
        "head": _agency_client(live_server, app, "zhzf", ["agency_head", "officer"], slug),
        "reviewer": _agency_client(live_server, app, "zhzf", ["legal_reviewer"], slug),
    }
    officers = client.get("/api/v1/officers?page_size=100", headers=people["officer"]).json
    by_name = {o["name"]: o["id"] for o in officers["items"]}
    agencies = client.get("/api/v1/agencies?page_size=100", headers=people["officer"]).json
    return {
        **people,
        "slug": slug,
        "officers": [by_name["张伟"], by_name["王芳"]],
        "reviewer_id": by_name["赵敏"],  # the agency's legal reviewer
        "zhzf": next(a["id"] for a in agencies["items"] if a["code"] == "zhzf"),
    }


def _text(response) -> str:
    return response.get_data(as_text=True)


def _csrf(client, headers) -> str:
    page = _text(client.get(CASES, headers=headers))
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def _post(client, headers, path, **form):
    data = {"csrf_token": _csrf(client, headers), **form}
    return client.post(path, data=data, headers={**headers, "Accept": "text/html"})


def _case(client, desk, case_id) -> dict:
    return client.get(f"/api/v1/cases/{case_id}", headers=desk["officer"]).json


def _events(client, desk, case_id) -> list[dict]:
    return client.get(f"/api/v1/cases/{case_id}/events", headers=desk["head"]).json["items"]


def _draft_from_a_clue(client, desk) -> str:
    """A clue registered with no matter, turned into a case in the console: its draft."""
    clue = client.post(
        "/api/v1/clues",
        json={
            "description": "巡查发现某饭店油烟直排",
            "place": "玄武区珠江路88号",
            "agency_id": desk["zhzf"],
        },
        headers=desk["officer"],
    ).json
    assert client.post(f"/api/v1/clues/{clue['id']}/accept", headers=desk["officer"]).json
    path = f"/console/clues/{clue['id']}"
    version = re.search(
        r'id="file-case-form".*?name="version" value="(\d+)"',
        _text(client.get(path, headers=desk["officer"])),
        re.S,
    ).group(1)
    converted = _post(client, desk["officer"], f"{path}/file-case", version=version)
    assert converted.status_code == 302, _text(converted)
    page = _text(client.get(path, headers=desk["officer"]))
    return re.search(r'id="clue-case"><a href="/console/cases/([0-9a-f-]+)"', page).group(1)


def _completed(desk, case: dict, **changes) -> dict:
    return {
        "version": str(case["version"]),
        "matter_code": OIL_FUMES,
        "facts": case["facts"],
        "place": "玄武区珠江路88号",
        "violation_started_on": "2026-10-01",
        "party_kind": "person",
        "party_name": "王某",
        "party_id_number": ID_NUMBER,
        "party_address": "玄武区珠江路88号",
        "officer_ids": desk["officers"],
        **changes,
    }


def test_a_clue_turned_into_a_case_is_completed_in_the_console_and_the_head_approves_it(
    client, desk
):
    case_id = _draft_from_a_clue(client, desk)
    draft = _case(client, desk, case_id)
    assert (draft["status"], draft["matter_code"], draft["parties"]) == ("draft", None, [])
    detail = _text(client.get(f"{CASES}{case_id}", headers=desk["officer"]))
    assert 'id="complete-draft"' in detail and "立案前须补充" in detail
    form = _text(client.get(f"{CASES}{case_id}/draft", headers=desk["officer"]))
    # the matter by name in its domain's group, no raw code shown; the party's kinds in
    # Chinese; the officers listed by name, the legal reviewer not among them
    assert '<optgroup label="城市管理"' in form and "餐饮" in form
    assert not re.search(r">[^<]*CG-\d{4}", form)
    assert ">法人及非法人组织<" in form and ">自然人<" in form and ">个体工商户<" in form
    assert "张伟" in form and "王芳" in form and "赵敏" not in form

    saved = _post(client, desk["officer"], f"{CASES}{case_id}/draft", **_completed(desk, draft))
    assert saved.status_code == 302, _text(saved)
    page = _text(client.get(saved.location, headers=desk["officer"]))
    assert "立案信息已保存，待部门负责人批准立案。" in page and "王某" in page
    assert "110105********002X" in page and ID_NUMBER not in page

    version = _case(client, desk, case_id)["version"]
    approved = _post(
        client,
        desk["head"],
        f"{CASES}{case_id}/actions/approve_filing",
        version=str(version),
        opinion="同意立案",
    )
    assert approved.status_code == 302, _text(approved)
    filed = _case(client, desk, case_id)
    assert filed["status"] == "open" and filed["number"] and filed["stage"] == "investigation"
    assert [p["name"] for p in filed["parties"]] == ["王某"]


def test_a_wrong_draft_shows_each_message_under_its_field_and_writes_nothing(client, desk):
    case_id = _draft_from_a_clue(client, desk)
    before = _case(client, desk, case_id)
    events = len(_events(client, desk, case_id))
    wrong = _completed(
        desk,
        before,
        party_id_number="110105194912310021",  # wrong check digit
        officer_ids=[desk["officers"][0]],  # one officer only
    )
    refused = _post(client, desk["officer"], f"{CASES}{case_id}/draft", **wrong)
    assert refused.status_code == 422
    html = _text(refused)
    assert re.search(r'id="d-e-party_id_number"[^>]*>[^<]*GB 11643', html)
    assert re.search(r'id="d-e-officer_ids"[^>]*>[^<]*不得少于两人[^<]*第四十二条', html)
    assert 'value="王某"' in html  # what was typed is kept
    reviewer = _completed(desk, before, officer_ids=[*desk["officers"], desk["reviewer_id"]])
    refused = _post(client, desk["officer"], f"{CASES}{case_id}/draft", **reviewer)
    assert refused.status_code == 422
    assert re.search(r'id="d-e-officer_ids"[^>]*>[^<]*赵敏[^<]*第五十八条', _text(refused))
    no_party = _completed(desk, before, party_kind="person", party_name="", party_id_number="")
    no_party = {k: v for k, v in no_party.items() if k != "party_address"}
    refused = _post(client, desk["officer"], f"{CASES}{case_id}/draft", **no_party)
    assert refused.status_code == 422 and 'id="d-e-parties"' in _text(refused)
    after = _case(client, desk, case_id)
    assert (after["version"], after["matter_code"], after["parties"], after["officers"]) == (
        before["version"],
        None,
        [],
        [],
    )
    assert len(_events(client, desk, case_id)) == events


def _filed(client, desk, **party) -> Case:
    body = {"kind": "organisation", "name": "南京味道餐饮管理有限公司"}
    case = Case(client, desk, parties=[{**body, "credit_code": _valid_credit_code(), **party}])
    case.do("approve_filing", who="head")
    return case


def test_a_filed_cases_party_is_corrected_with_its_reason_into_the_record(client, desk):
    case = _filed(client, desk, phone="13912345678")
    party_id = case.json["parties"][0]["id"]
    page = _text(client.get(f"{CASES}{case.id}", headers=desk["officer"]))
    assert 'id="correct-party"' in page and 'id="action-correct_party"' not in page
    form = _text(client.get(f"{CASES}{case.id}/party", headers=desk["officer"]))
    assert "139****5678" in form and "13912345678" not in form  # the phone kept, masked
    no_reason = _post(
        client,
        desk["officer"],
        f"{CASES}{case.id}/party",
        version=str(case.json["version"]),
        party_id=party_id,
        kind="organisation",
        name="南京味道餐饮管理有限公司",
        address="玄武区珠江路88号",
    )
    assert no_reason.status_code == 422 and 'id="p-e-reason"' in _text(no_reason)
    corrected = _post(
        client,
        desk["officer"],
        f"{CASES}{case.id}/party",
        version=str(case.json["version"]),
        party_id=party_id,
        kind="organisation",
        name="南京味道餐饮管理有限公司",
        address="玄武区珠江路88号",
        phone="13800001111",
        reason="立案时遗漏当事人地址，经核对营业执照补正；联系电话有误。",
    )
    assert corrected.status_code == 302, _text(corrected)
    after = client.get(f"/api/v1/cases/{case.id}", headers=desk["officer"]).json
    assert after["parties"][0]["address"] == "玄武区珠江路88号"
    event = _events(client, desk, case.id)[-1]
    assert event["kind"] == "correct_party" and event["stage"] == "investigation"
    assert event["payload"]["reason"].startswith("立案时遗漏当事人地址")
    changes = {c["field"]: (c["old"], c["new"]) for c in event["payload"]["changes"]}
    assert changes == {
        "address": ("", "玄武区珠江路88号"),
        "phone": ("139****5678", "138****1111"),  # masked as shown
    }
    record = _text(client.get(f"{CASES}{case.id}", headers=desk["officer"]))
    assert "地址：「—」→「玄武区珠江路88号」" in record and "立案时遗漏当事人地址" in record
    assert "13912345678" not in record and "139****5678" in record
    chain = client.get(f"/api/v1/cases/{case.id}/chain", headers=desk["head"]).json
    assert chain["ok"] is True


def test_a_wrong_id_number_in_a_correction_is_a_field_error_and_nothing_changes(client, desk):
    case = Case(client, desk, parties=[{"kind": "person", "name": "王某", "id_number": ID_NUMBER}])
    case.do("approve_filing", who="head")
    before = len(_events(client, desk, case.id))
    r = client.post(
        f"/api/v1/cases/{case.id}/actions/correct_party",
        json={
            "party_id": case.json["parties"][0]["id"],
            "id_number": "110105194912310021",
            "reason": "身份证号码录入有误",
        },
        headers=desk["officer"],
    )
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "id_number"
    assert "GB 11643" in r.json["errors"][0]["message"]
    assert len(_events(client, desk, case.id)) == before


def _backdate_filing(case: Case, slug: str, day: str) -> None:
    """As if the case had been filed on `day` (a notice served then follows the filing)."""
    from sqlalchemy import select
    from sqlalchemy.orm.attributes import flag_modified

    from yimen.platform.cases.record.model import Case as Row
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.directory import Tenant

    with db.new_session() as s:
        tenant = s.execute(select(Tenant.id).where(Tenant.slug == slug)).scalar_one()
    with tenant_scope(tenant), db.new_session() as s:
        row = s.get(Row, uuid.UUID(case.id))
        row.filed_on = dt.date.fromisoformat(day)
        row.details.setdefault("dates", {})["filed"] = day
        flag_modified(row, "details")
        s.commit()
    case.json = case.client.get(f"/api/v1/cases/{case.id}", headers=case.desk["officer"]).json


@pytest.mark.usefixtures("case_day")
def test_an_address_missing_no_longer_stops_the_decision_and_after_it_the_party_is_fixed(
    client, desk
):
    case = _filed(client, desk)  # the party's address was not entered
    case.do("add_evidence", kind="audio_visual", title="现场视频", sha256="b" * 64)
    case.do("add_record", kind="现场检查笔录", content="现场检查情况……")
    case.do("add_record", kind="询问笔录", content="当事人陈述……")
    case.do("advance")
    _backdate_filing(case, desk["slug"], "2026-11-02")
    case.do("correction_not_required", reason="违法行为已经改正完毕。")
    case.do("advance")
    case.do(
        "propose_penalty",
        penalty_kinds=["fine"],
        fine_fen=1_000_000,
        circumstance="ordinary",
        justification="依裁量基准，结合情节确定。",
    )
    case.do("serve_prior_notice", served_on="2026-11-02")
    to_decision(case)
    stuck = case.do("decide", who="head", expect=422)
    assert "当事人的地址" in stuck["detail"]  # the decision must state it (第五十九条)
    party_id = case.json["parties"][0]["id"]
    case.do(
        "correct_party",
        party_id=party_id,
        address="玄武区珠江路88号",
        reason="当事人地址漏填，经核对营业执照补正。",
    )
    decide(case, fine_fen=1_000_000)
    assert case.json["stage"] == "service"

    refused = case.do(
        "correct_party",
        expect=409,
        party_id=party_id,
        name="南京某某餐饮有限公司",
        reason="决定作出后发现名称有误",
    )
    assert refused["code"] == "party-fixed-by-decision"
    assert "《行政处罚法》第五十九条" in refused["detail"]
    assert "correct_party" not in case.json["allowed_actions"]
    page = _text(client.get(f"{CASES}{case.id}", headers=desk["officer"]))
    assert 'id="correct-party"' not in page
    console = _post(
        client,
        desk["officer"],
        f"{CASES}{case.id}/party",
        version=str(case.json["version"]),
        party_id=party_id,
        name="南京某某餐饮有限公司",
        reason="决定作出后发现名称有误",
    )
    assert console.status_code == 409 and "第五十九条" in _text(console)
    assert _case(client, desk, case.id)["parties"][0]["name"] == "南京味道餐饮管理有限公司"
