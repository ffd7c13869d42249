"""The complainant is told to the end (issue 13, item 10): a text message and a line on
the progress page when the case made from their clue is filed, declined, decided and
closed — in plain words, never the party's name — "已立案" only when the head approved
the filing, and each agency a clue is transferred to has its own acceptance period from
the transfer while the first promise stays in view (处罚法 第五十四条第二款、第五十七条;
《市场监督管理行政处罚程序规定》第十九条、第二十条)."""

from __future__ import annotations

import datetime as dt
import random
import re
import uuid

import pytest
from sqlalchemy import select, update

from tests.integration.conftest import _agency_client
from tests.integration.test_case_lifecycle import OIL_FUMES, Case, _valid_credit_code
from tests.integration.test_case_outcomes import to_decision

PARTY = "南京告知测试餐饮有限公司"  # the party's name: never in the complainant's texts


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
        "reviewer_id": by_name["赵敏"],
        "ids": {a["code"]: a["id"] for a in agencies["items"]},
    }


def _tenant_id(slug: str):
    from yimen.platform.kernel.db import db
    from yimen.platform.kernel.directory import Tenant

    with db.new_session() as s:
        return s.execute(select(Tenant.id).where(Tenant.slug == slug)).scalar_one()


def _texts(desk, clue_id: str) -> list[tuple[str, str]]:
    """(template, the text as the complainant reads it) of every message for the clue."""
    from yimen.gateway.outbox.model import OutboxMessage
    from yimen.platform.intake import sms
    from yimen.platform.kernel.db import db, tenant_scope

    with tenant_scope(_tenant_id(desk["slug"])), db.new_session() as s:
        rows = s.execute(
            select(OutboxMessage.topic, OutboxMessage.payload)
            .where(OutboxMessage.idempotency_key.like(f"clue:{clue_id}:%"))
            .order_by(OutboxMessage.created_at)
        ).all()
    return [(topic, sms.render(topic, payload["params"])) for topic, payload in rows]


def _complaint(client, desk) -> dict:
    phone = "139" + "".join(random.choices("0123456789", k=8))
    r = client.post(
        f"/api/v1/public/{desk['slug']}/complaints",
        json={
            "matter_code": OIL_FUMES,
            "description": "楼下饭店油烟直排，窗户都不敢开",
            "place": "玄武区珠江路88号",
            "phone": phone,
            "agency_id": desk["ids"]["zhzf"],
        },
    )
    assert r.status_code == 201, r.json
    clue = next(
        c
        for c in client.get("/api/v1/clues?page_size=100", headers=desk["officer"]).json["items"]
        if c["receipt_code"] == r.json["receipt_code"]
    )
    return {**clue, "phone": phone}


def _progress(client, desk, clue) -> dict:
    r = client.post(
        f"/api/v1/public/{desk['slug']}/progress",
        json={"code": clue["receipt_code"], "phone4": clue["phone"][-4:]},
    )
    assert r.status_code == 200, r.json
    return r.json


def _draft(client, desk, clue) -> Case:
    """The clue accepted and turned into a case draft, completed as the officer would."""
    assert client.post(f"/api/v1/clues/{clue['id']}/accept", headers=desk["officer"]).json
    r = client.post(f"/api/v1/clues/{clue['id']}/file-case", headers=desk["officer"])
    assert r.status_code == 201, r.json
    draft = client.get(f"/api/v1/cases/{r.json['id']}", headers=desk["officer"]).json
    completed = client.patch(
        f"/api/v1/cases/{draft['id']}",
        json={
            "version": draft["version"],
            "matter_code": OIL_FUMES,
            "facts": draft["facts"],
            "place": "玄武区珠江路88号",
            "violation_started_on": "2026-10-01",
            "parties": [
                {
                    "kind": "organisation",
                    "name": PARTY,
                    "credit_code": _valid_credit_code(),
                    "address": "玄武区珠江路88号",
                }
            ],
            "officer_ids": desk["officers"],
        },
        headers=desk["officer"],
    )
    assert completed.status_code == 200, completed.json
    case = Case.__new__(Case)
    case.client, case.desk, case.json = client, desk, completed.json
    return case


def _page(client, desk, clue) -> str:
    path = f"/t/{desk['slug']}/progress"
    form = client.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    asked = {"csrf_token": token, "code": clue["receipt_code"], "phone4": clue["phone"][-4:]}
    return client.post(path, data=asked).get_data(as_text=True)


def _lines(progress: dict) -> list[str]:
    return [st["step"] for st in progress["steps"]]


def test_filed_is_texted_once_when_the_head_approves_the_filing_not_when_drafted(client, desk):
    clue = _complaint(client, desk)
    case = _draft(client, desk, clue)
    assert not [t for t, _ in _texts(desk, clue["id"]) if t == "SMS_CLUE_CASE_FILED"]
    drafted = _progress(client, desk, clue)
    assert drafted["status_label"] == "立案审查中" and drafted["feedback_until"] is None
    assert "已立案查处" not in _lines(drafted)
    assert "已转为案件，正在审查是否立案" in _lines(drafted)

    case.do("approve_filing", who="head")
    filed = [text for t, text in _texts(desk, clue["id"]) if t == "SMS_CLUE_CASE_FILED"]
    assert len(filed) == 1 and "已立案查处" in filed[0] and clue["receipt_code"] in filed[0]
    assert all(PARTY not in text for _, text in _texts(desk, clue["id"]))
    shown = _progress(client, desk, clue)
    line = next(st for st in shown["steps"] if st["step"] == "已立案查处")
    at = dt.datetime.fromisoformat(line["at"])
    assert abs(dt.datetime.now(dt.UTC) - at) < dt.timedelta(minutes=5)  # dated today
    assert shown["status_label"] == "案件办理中" and PARTY not in str(shown)
    assert "已立案查处" in _page(client, desk, clue)


def test_a_declined_draft_sends_no_filed_text_but_says_why_in_plain_words(client, desk):
    clue = _complaint(client, desk)
    case = _draft(client, desk, clue)
    case.do(
        "decline_filing",
        who="head",
        ground="no_violation",
        reason=f"经核查{PARTY}已安装油烟净化设施，检测达标。",
    )
    texts = _texts(desk, clue["id"])
    assert not [t for t, _ in texts if t == "SMS_CLUE_CASE_FILED"]
    declined = [text for t, text in texts if t == "SMS_CLUE_CASE_NOT_FILED"]
    assert len(declined) == 1 and "没有发现违法行为" in declined[0] and "不予立案" in declined[0]
    assert all(PARTY not in text and "净化设施" not in text for _, text in texts)
    shown = _progress(client, desk, clue)
    assert "经审查不予立案：没有发现违法行为" in _lines(shown)
    assert "已立案查处" not in _lines(shown) and shown["outcome"] == "经审查不予立案"


def test_the_decision_and_the_closure_are_texted_and_shown(client, desk):
    clue = _complaint(client, desk)
    case = _draft(client, desk, clue)
    case.do("approve_filing", who="head")
    case.do("add_evidence", kind="audio_visual", title="现场视频", sha256="c" * 64)
    case.do("add_record", kind="现场检查笔录", content="现场检查情况……")
    case.do("add_record", kind="询问笔录", content="当事人陈述……")
    case.do("advance")
    case.do("correction_not_required", reason="违法事实不能成立，无需改正。")
    case.do("choose_outcome", who="head", outcome="not_established", reason="检测达标")
    case.do("advance")
    to_decision(case)
    case.do("decide_no_penalty", who="head")
    decided = [text for t, text in _texts(desk, clue["id"]) if t == "SMS_CLUE_CASE_DECIDED"]
    assert len(decided) == 1 and "违法事实不能成立" in decided[0]
    shown = _progress(client, desk, clue)
    assert "已作出处理决定：经调查违法事实不能成立，不予处罚" in _lines(shown)
    assert shown["feedback_until"] is None  # the case is not over yet

    case.do("serve_decision", method="direct")
    case.do("approve_closure", who="head")
    texts = _texts(desk, clue["id"])
    closed = [text for t, text in texts if t == "SMS_CLUE_CASE_CLOSED"]
    assert len(closed) == 1 and "办结" in closed[0]
    assert [t for t, _ in texts].count("SMS_CLUE_CASE_FILED") == 1
    assert all(PARTY not in text for _, text in texts)
    shown = _progress(client, desk, clue)
    assert _lines(shown)[-1] == "案件已办结" and shown["status_label"] == "已办结"
    assert shown["outcome"] == "案件已办结" and shown["feedback_until"] is not None


def test_a_transferred_clue_shows_the_new_agencys_deadline_and_the_first_promise(client, desk):
    from yimen.platform.intake.model import Clue, ClueStep
    from yimen.platform.kernel.db import db, tenant_scope

    clue = _complaint(client, desk)
    promised = _progress(client, desk, clue)["promised_accept_by"]
    assert promised == clue["accept_due"]
    # the complaint came in some days ago: its promise was an earlier day
    earlier = (dt.date.fromisoformat(promised) - dt.timedelta(days=3)).isoformat()
    clue_id, day = uuid.UUID(clue["id"]), dt.date.fromisoformat(earlier)
    with tenant_scope(_tenant_id(desk["slug"])), db.new_session() as s:
        s.execute(update(ClueStep).where(ClueStep.clue_id == clue_id).values(due=day))
        s.execute(update(Clue).where(Clue.id == clue_id).values(accept_due=day))
        s.commit()
    moved = client.post(
        f"/api/v1/clues/{clue['id']}/transfer",
        json={"to_agency_id": desk["ids"]["scjg"], "reason": "属市场监管职责"},
        headers=desk["officer"],
    )
    assert moved.status_code == 200, moved.json
    new_due = moved.json["accept_due"]
    assert new_due == promised  # its own period, counted from the transfer (today)
    shown = _progress(client, desk, clue)
    assert shown["promised_accept_by"] == earlier
    transfer = next(st for st in shown["steps"] if st["step"] == "已移送其他部门")
    assert transfer["accept_by"] == new_due and transfer["agency"]
    page = _page(client, desk, clue)
    assert earlier in page and new_due in page and "投诉时承诺的受理期限" in page
