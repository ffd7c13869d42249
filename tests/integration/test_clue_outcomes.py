"""Outcomes of a clue, duplicates, reopening, escalation and inbound clues (issue: One
door, 4-8): honest closure, a case draft for the case engine, groups whose complainants
are all told, "not resolved" that counts against the agency, and an overdue clue
escalated across the National Day holiday."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.conftest import bearer
from tests.integration.test_clue_routing_api import _register

OIL_FUMES = "CG-0014"  # 餐饮油烟, held by 综合执法局 (zhzf)


def _phone() -> str:
    return "139" + "".join(random.choices("0123456789", k=8))


def _outbox(desks, prefix: str) -> list[tuple[str, dict]]:
    from yimen.gateway.outbox.model import OutboxMessage
    from yimen.platform.kernel.db import db, tenant_scope

    with tenant_scope(desks["tenant_id"]), db.new_session() as s:
        rows = s.execute(
            select(OutboxMessage.topic, OutboxMessage.payload)
            .where(OutboxMessage.idempotency_key.like(f"{prefix}%"))
            .order_by(OutboxMessage.created_at)
        ).all()
    return [(topic, payload) for topic, payload in rows]


def _accepted(client, desks, **extra):
    clue = _register(client, desks, **extra)
    assert (
        client.post(f"/api/v1/clues/{clue['id']}/accept", headers=desks["zhzf"]).status_code == 200
    )
    return clue


def _file(client, slug: str, **extra) -> dict:
    phone = extra.pop("phone", _phone())
    body = {
        "matter_code": OIL_FUMES,
        "description": "楼下饭店油烟直排，窗户都不敢开",
        "place": "玄武区珠江路88号",
        "phone": phone,
        **extra,
    }
    r = client.post(f"/api/v1/public/{slug}/complaints", json=body)
    assert r.status_code == 201, r.json
    return {**r.json, "phone": phone}


def _clue_by_code(client, desks, code):
    items = client.get("/api/v1/clues?page_size=100", headers=desks["legal"]).json["items"]
    return next(c for c in items if c["receipt_code"] == code)


def test_closing_says_what_happened_and_a_bare_done_is_refused(client, desks):
    clue = _accepted(client, desks)
    bare = client.post(
        f"/api/v1/clues/{clue['id']}/close", json={"outcome": "done"}, headers=desks["zhzf"]
    )
    assert bare.status_code == 422 and {e["field"] for e in bare.json["errors"]} == {
        "outcome",
        "note",
    }
    assert "请选择办理结果" in bare.json["errors"][0]["message"] or "请选择办理结果" in str(
        bare.json["errors"]
    )
    r = client.post(
        f"/api/v1/clues/{clue['id']}/close",
        json={"outcome": "no_violation", "note": "现场核查，油烟净化设施运行正常，检测达标"},
        headers=desks["zhzf"],
    )
    assert r.status_code == 200
    assert (r.json["status"], r.json["outcome"], r.json["outcome_label"]) == (
        "closed",
        "no_violation",
        "经核查未发现违法行为",
    )
    assert r.json["steps"][-1]["action"] == "not_filed" and r.json["closed_at"]
    topics = [t for t, _ in _outbox(desks, f"clue:{clue['id']}:")]
    assert topics[-1] == "SMS_CLUE_NOT_FILED"


def test_corrected_on_the_spot_is_a_closure_not_a_decision_not_to_file(client, desks):
    clue = _accepted(client, desks)
    r = client.post(
        f"/api/v1/clues/{clue['id']}/close",
        json={"outcome": "corrected_on_spot", "note": "当场责令清理，店主已安装净化器"},
        headers=desks["zhzf"],
    )
    assert r.json["steps"][-1]["action"] == "closed"
    assert [t for t, _ in _outbox(desks, f"clue:{clue['id']}:")][-1] == "SMS_CLUE_CLOSED"


def test_a_clue_converted_to_a_case_hands_a_draft_with_its_facts_to_the_case_engine(
    client,
    desks,
):
    clue = _accepted(client, desks, matter_code=OIL_FUMES)
    r = client.post(f"/api/v1/clues/{clue['id']}/file-case", headers=desks["zhzf"])
    assert r.status_code == 201
    draft = r.json
    assert (draft["stage"], draft["status"], draft["clue_id"], draft["matter_code"]) == (
        "filing",
        "draft",
        clue["id"],
        OIL_FUMES,
    )
    assert "油烟直排" in draft["facts"] and "玄武区珠江路88号" in draft["facts"]
    assert clue["receipt_code"] in draft["facts"]
    case = client.get(f"/api/v1/cases/{draft['id']}", headers=desks["zhzf"])
    assert case.status_code == 200, case.json  # the engine reads it: its workflow is pinned
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert case.json["allowed_actions"] and case.json["discovered_on"] == today  # received
    after = client.get(f"/api/v1/clues/{clue['id']}", headers=desks["zhzf"]).json
    assert (after["status"], after["outcome"]) == ("closed", "case_review")  # not filed yet
    again = client.post(f"/api/v1/clues/{clue['id']}/file-case", headers=desks["zhzf"])
    assert again.status_code == 409  # no second draft


def test_complaints_about_the_same_thing_are_proposed_as_a_group_and_all_are_told(
    client,
    desks,
):
    lead = _file(
        client,
        desks["slug"],
        place="玄武区珠江路88号门口",
        description="饭店油烟直排，熏得窗户发黑",
    )
    same = _file(
        client, desks["slug"], place="珠江路88号", description="珠江路88号饭店油烟直排，窗户发黑"
    )
    other_matter = _file(client, desks["slug"], matter_code="CG-0001", place="珠江路88号")
    far = _file(
        client, desks["slug"], place="仙林大道1号", description="饭店油烟直排，熏得窗户发黑"
    )
    lead_clue = _clue_by_code(client, desks, lead["receipt_code"])
    same_clue = _clue_by_code(client, desks, same["receipt_code"])

    proposed = client.get(f"/api/v1/clues/{same_clue['id']}/duplicates", headers=desks["zhzf"])
    ids = [p["clue"]["id"] for p in proposed.json["items"]]
    assert lead_clue["id"] in ids
    codes = {p["clue"]["receipt_code"] for p in proposed.json["items"]}
    assert other_matter["receipt_code"] not in codes and far["receipt_code"] not in codes

    merged = client.post(
        f"/api/v1/clues/{same_clue['id']}/merge",
        json={"into_clue_id": lead_clue["id"]},
        headers=desks["zhzf"],
    )
    assert merged.status_code == 200 and merged.json["status"] == "merged"
    queue = client.get("/api/v1/clues?page_size=100&status=offered", headers=desks["zhzf"])
    assert same_clue["id"] not in [c["id"] for c in queue.json["items"]]  # one queue: archive

    client.post(f"/api/v1/clues/{lead_clue['id']}/accept", headers=desks["zhzf"])
    told = _outbox(desks, f"clue:{same_clue['id']}:group:")
    assert [t for t, _ in told] == ["SMS_GROUP_MOVED"]
    assert told[0][1]["params"] == {"code": same["receipt_code"], "step": "已受理"}

    progress = client.post(
        f"/api/v1/public/{desks['slug']}/progress",
        json={"code": same["receipt_code"], "phone4": same["phone"][-4:]},
    ).json
    assert [s["step"] for s in progress["steps"]][-2:] == ["已与同一事项的投诉合并办理", "已受理"]
    assert progress["status"] == "accepted"


def test_a_citizen_sees_open_complaints_nearby_and_joins_one(client, desks):
    first = _file(client, desks["slug"], place="玄武区太平北路120号", description="烧烤摊油烟很大")
    nearby = client.get(
        f"/api/v1/public/{desks['slug']}/nearby?matter_code={OIL_FUMES}&place=太平北路120号"
    )
    assert nearby.status_code == 200
    # Other people's complaints show the road, never the house (the trust issue, item 2).
    item = next(i for i in nearby.json["items"] if i["place"] == "玄武区太平北路")
    assert "120号" not in str(nearby.json)
    assert set(item) == {"id", "matter", "place", "status", "status_en", "since"}
    assert item["matter"] == "餐饮服务业经营者未安装油烟净化设施或者超标排放油烟"
    assert "烧烤" not in str(nearby.json) and first["phone"] not in str(nearby.json)

    joined = _file(
        client, desks["slug"], place="太平北路120号", description="同样被油烟困扰", join=item["id"]
    )
    assert joined["status"] == "merged"
    clue = _clue_by_code(client, desks, joined["receipt_code"])
    lead = _clue_by_code(client, desks, first["receipt_code"])
    assert clue["group_id"] and clue["group_id"] == lead["group_id"]
    assert [t for t, _ in _outbox(desks, f"clue:{clue['id']}:")] == ["SMS_CLUE_MERGED"]


def test_not_resolved_reopens_with_the_same_owner_and_counts_against_the_agency(
    client,
    desks,
):
    filed = _file(client, desks["slug"])
    clue = _clue_by_code(client, desks, filed["receipt_code"])
    client.post(f"/api/v1/clues/{clue['id']}/accept", headers=desks["zhzf"])
    client.post(
        f"/api/v1/clues/{clue['id']}/close",
        json={"outcome": "corrected_on_spot", "note": "已责令整改"},
        headers=desks["zhzf"],
    )
    before = _figures(client, desks)["zhzf"]
    progress = client.post(
        f"/api/v1/public/{desks['slug']}/progress",
        json={"code": filed["receipt_code"], "phone4": filed["phone"][-4:]},
    ).json
    assert progress["outcome"] == "当场责令改正，已整改到位" and progress["feedback_until"]

    r = client.post(
        f"/api/v1/public/{desks['slug']}/feedback",
        json={
            "code": filed["receipt_code"],
            "phone4": filed["phone"][-4:],
            "resolved": False,
            "satisfaction": 1,
            "comment": "晚上还在排油烟",
        },
    )
    assert r.status_code == 200 and r.json["status"] == "accepted"
    assert r.json["steps"][-1]["step"] == "投诉人反馈未解决，已重新办理"
    again = client.get(f"/api/v1/clues/{clue['id']}", headers=desks["zhzf"]).json
    assert (again["agency_id"], again["reopened"], again["satisfaction"]) == (
        desks["ids"]["zhzf"],
        1,
        1,
    )
    after = _figures(client, desks)["zhzf"]
    assert after["reopened"] == before["reopened"] + 1 and after["satisfaction"] is not None
    assert [t for t, _ in _outbox(desks, f"clue:{clue['id']}:")][-1] == "SMS_CLUE_REOPENED"

    not_closed = client.post(
        f"/api/v1/public/{desks['slug']}/feedback",
        json={"code": filed["receipt_code"], "phone4": filed["phone"][-4:], "resolved": False},
    )
    assert not_closed.status_code == 409


def test_feedback_after_the_districts_period_is_refused(app, client, desks):
    from yimen.platform.intake.model import Clue
    from yimen.platform.kernel.db import db, tenant_scope

    filed = _file(client, desks["slug"])
    clue = _clue_by_code(client, desks, filed["receipt_code"])
    client.post(f"/api/v1/clues/{clue['id']}/accept", headers=desks["zhzf"])
    client.post(
        f"/api/v1/clues/{clue['id']}/close",
        json={"outcome": "no_violation", "note": "未发现"},
        headers=desks["zhzf"],
    )
    with tenant_scope(desks["tenant_id"]), db.new_session() as s:
        row = s.get(Clue, __import__("uuid").UUID(clue["id"]))
        row.closed_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=16)
        s.commit()
    r = client.post(
        f"/api/v1/public/{desks['slug']}/feedback",
        json={"code": filed["receipt_code"], "phone4": filed["phone"][-4:], "resolved": False},
    )
    assert r.status_code == 409 and "15日" in r.json["detail"]


def _figures(client, desks):
    r = client.get("/api/v1/clues/figures?page_size=100", headers=desks["legal"])
    assert r.status_code == 200
    return {row["agency_code"]: row for row in r.json["items"]}


def test_an_overdue_clue_is_escalated_once_counting_working_days_across_national_day(
    client,
    desks,
):
    """Offered on 2026-09-30 with 3 working days: 10-01..10-08 are the holiday, 10-09 is
    a Friday, 10-10 a make-up working Saturday — due 10-10, escalated from 10-11."""
    from yimen.platform.intake import service
    from yimen.platform.intake.model import Clue
    from yimen.platform.kernel.db import db, tenant_scope

    clue = _register(client, desks)
    with tenant_scope(desks["tenant_id"]), db.new_session() as s:
        row = s.get(Clue, __import__("uuid").UUID(clue["id"]))
        row.accept_due = service.accept_due(s, 3, today=dt.date(2026, 9, 30))
        s.commit()
        assert row.accept_due == dt.date(2026, 10, 10)
    escalate = service.intake.escalate_overdue  # its own unit of work, as the hourly job
    assert clue["id"] not in [
        str(c.id) for c in escalate(desks["tenant_id"], dt.date(2026, 10, 10))
    ]
    escalated = escalate(desks["tenant_id"], dt.date(2026, 10, 11))
    assert clue["id"] in [str(c.id) for c in escalated]
    assert escalate(desks["tenant_id"], dt.date(2026, 10, 12)) == [] or clue["id"] not in [
        str(c.id) for c in escalate(desks["tenant_id"], dt.date(2026, 10, 12))
    ]
    inbox = client.get("/api/v1/clues?escalated=true&page_size=100", headers=desks["zhzf"]).json
    assert clue["id"] in [c["id"] for c in inbox["items"]]
    first = client.get("/api/v1/clues?page_size=1", headers=desks["zhzf"]).json["items"][0]
    assert first["escalated_at"] is not None  # escalated clues come first
    steps = client.get(f"/api/v1/clues/{clue['id']}", headers=desks["zhzf"]).json["steps"]
    assert steps[-1]["action"] == "escalated" and "2026-10-10" in steps[-1]["reason"]


def test_an_inbound_clue_is_keyed_by_the_senders_id_so_a_replay_makes_nothing_new(
    client,
    desks,
    machine_token,
):
    gateway = bearer(machine_token(desks["slug"], ["gateway_client"]))
    body = {
        "source": "police",
        "source_ref": f"GA-{random.randrange(10**9)}",
        "description": "巡逻发现某仓库违规储存危险化学品",
        "place": "玄武区红山路1号",
        "agency_id": desks["ids"]["yjgl"],
    }
    first = client.post("/api/v1/clues/inbound", json=body, headers=gateway)
    replay = client.post("/api/v1/clues/inbound", json=body, headers=gateway)
    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.json["id"] == first.json["id"] and first.json["source"] == "police"
    wrong = client.post(
        "/api/v1/clues/inbound", json={**body, "source": "hotline"}, headers=gateway
    )
    assert wrong.status_code == 422 and wrong.json["errors"][0]["field"] == "source"
    assert client.post("/api/v1/clues/inbound", json=body, headers=desks["zhzf"]).status_code == 403


@pytest.mark.parametrize("rating", [0, 6])
def test_a_rating_is_one_to_five(client, own_district, rating):
    r = client.post(
        f"/api/v1/public/{own_district['slug']}/feedback",
        json={"code": "YMAAAAAAAAAA", "phone4": "1234", "resolved": True, "satisfaction": rating},
    )
    assert r.status_code == 422 and r.json["errors"][0]["message"] == "满意度为1至5分。"


def test_the_hourly_job_escalates_overdue_clues_of_every_district(client, desks):
    from yimen.platform.intake.model import Clue
    from yimen.platform.intake.tasks import escalate_all
    from yimen.platform.kernel.db import db, tenant_scope

    clue = _register(client, desks)
    with tenant_scope(desks["tenant_id"]), db.new_session() as s:
        s.get(Clue, __import__("uuid").UUID(clue["id"])).accept_due = dt.date(2026, 11, 2)
        s.commit()
    assert escalate_all(dt.date(2026, 11, 4)) >= 1
    after = client.get(f"/api/v1/clues/{clue['id']}", headers=desks["zhzf"]).json
    assert after["escalated_at"] is not None
    assert escalate_all(dt.date(2026, 11, 4)) == 0  # once


def test_on_the_progress_page_the_complainant_says_not_resolved_and_rates(client, desks):
    import re

    filed = _file(client, desks["slug"])
    clue = _clue_by_code(client, desks, filed["receipt_code"])
    client.post(f"/api/v1/clues/{clue['id']}/accept", headers=desks["zhzf"])
    client.post(
        f"/api/v1/clues/{clue['id']}/close",
        json={"outcome": "corrected_on_spot", "note": "已责令整改"},
        headers=desks["zhzf"],
    )
    form = client.get(f"/t/{desks['slug']}/progress").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    asked = {"csrf_token": token, "code": filed["receipt_code"], "phone4": filed["phone"][-4:]}
    page = client.post(f"/t/{desks['slug']}/progress", data=asked).get_data(as_text=True)
    assert 'id="feedback-form"' in page and "当场责令改正，已整改到位" in page
    r = client.post(
        f"/t/{desks['slug']}/progress/feedback",
        data={
            "csrf_token": token,
            "code": filed["receipt_code"],
            "phone4": filed["phone"][-4:],
            "resolved": "no",
            "satisfaction": "2",
            "comment": "整改后又反弹",
        },
    )
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and "已重新交承办部门办理。" in text
    assert "投诉人反馈未解决，已重新办理" in text
    again = client.get(f"/api/v1/clues/{clue['id']}", headers=desks["zhzf"]).json
    assert (again["status"], again["satisfaction"], again["reopened"]) == ("accepted", 2, 1)
