"""Every routing path of a clue through the API (seed 000 一(一); issue: One door)."""

from __future__ import annotations

import datetime as dt

from tests.integration.conftest import _agency_client  # noqa: F401 - used by other tests

DESCRIPTION = "某餐馆油烟直排，影响居民生活"


def _register(client, desks, **extra):
    body = {
        "description": DESCRIPTION,
        "place": "玄武区珠江路88号",
        "complainant_phone": "13812345678",
        **extra,
    }
    body.setdefault("agency_id", desks["ids"]["zhzf"])
    r = client.post("/api/v1/clues", json=body, headers=desks["zhzf"])
    assert r.status_code == 201, r.json
    return r.json


def test_a_clue_offered_to_an_agency_is_accepted_with_a_receipt_and_a_masked_phone(client, desks):
    clue = _register(client, desks)
    assert clue["receipt_code"].startswith("YM") and clue["complainant_phone"] == "138****5678"
    assert clue["status"] == "offered" and clue["accept_due"] is not None
    r = client.post(f"/api/v1/clues/{clue['id']}/accept", headers=desks["zhzf"])
    assert r.json["status"] == "accepted" and [s["action"] for s in r.json["steps"]] == [
        "offered",
        "accepted",
    ]


def test_transfer_once_then_twice_then_the_third_refusal_must_go_to_arbitration(client, desks):
    clue = _register(client, desks)
    ids = desks["ids"]
    r = client.post(
        f"/api/v1/clues/{clue['id']}/transfer",
        json={"to_agency_id": ids["scjg"], "reason": "属无照经营"},
        headers=desks["zhzf"],
    )
    assert r.json["transfers"] == 1 and r.json["agency_id"] == ids["scjg"]
    r = client.post(
        f"/api/v1/clues/{clue['id']}/transfer",
        json={"to_agency_id": ids["sthj"], "reason": "属油烟污染"},
        headers=desks["scjg"],
    )
    assert r.json["transfers"] == 2
    refused = client.post(
        f"/api/v1/clues/{clue['id']}/transfer",
        json={"to_agency_id": ids["yjgl"], "reason": "不属本局"},
        headers=desks["sthj"],
    )
    assert (
        refused.status_code == 409
        and refused.json["code"] == "transfer-limit"
        and "法制办" in refused.json["detail"]
    )
    r = client.post(
        f"/api/v1/clues/{clue['id']}/submit", json={"reason": "职责不清"}, headers=desks["sthj"]
    )
    assert r.json["status"] == "arbitration" and r.json["agency_id"] is None
    queue = client.get(
        "/api/v1/clues?status=arbitration&page_size=100", headers=desks["legal"]
    ).json["items"]
    assert clue["id"] in [c["id"] for c in queue]


def test_the_legal_affairs_office_designates_a_lead_and_joint_agencies(client, desks):
    clue = _register(client, desks)
    client.post(
        f"/api/v1/clues/{clue['id']}/submit", json={"reason": "涉及多个部门"}, headers=desks["zhzf"]
    )
    ids = desks["ids"]
    r = client.post(
        f"/api/v1/clues/{clue['id']}/designate",
        json={
            "handler_agency_id": ids["sthj"],
            "joint_agency_ids": [ids["zhzf"], ids["scjg"]],
            "reason": "生态环境局牵头，城管、市场监管配合",
        },
        headers=desks["legal"],
    )
    assert r.status_code == 200 and r.json["designated"] and r.json["agency_id"] == ids["sthj"]
    assert set(r.json["joint_agency_ids"]) == {ids["zhzf"], ids["scjg"]}
    # the designation gives the handler jurisdiction over the case it files (处罚法 第二十五条)
    client.post(f"/api/v1/clues/{clue['id']}/accept", headers=desks["sthj"])
    draft = client.post(f"/api/v1/clues/{clue['id']}/file-case", headers=desks["sthj"])
    assert draft.status_code == 201, draft.json
    case = client.get(f"/api/v1/cases/{draft.json['id']}", headers=desks["sthj"]).json
    assert case["agency_id"] == ids["sthj"] and case["details"]["designated"]
    _assert_may_file(desks["tenant_id"], draft.json["id"])
    refused = client.post(
        f"/api/v1/clues/{clue['id']}/transfer",
        json={"to_agency_id": ids["yjgl"], "reason": "再移送"},
        headers=desks["sthj"],
    )
    assert refused.status_code == 409


def test_an_officer_cannot_designate_and_another_agency_cannot_act(client, desks):
    clue = _register(client, desks)
    assert (
        client.post(
            f"/api/v1/clues/{clue['id']}/designate",
            json={"handler_agency_id": desks["ids"]["scjg"], "reason": "越权"},
            headers=desks["zhzf"],
        ).status_code
        == 403
    )
    # Another agency does not even learn that the clue exists.
    r = client.post(f"/api/v1/clues/{clue['id']}/accept", headers=desks["scjg"])
    assert r.status_code == 404 and r.json["code"] == "not-found"


def test_a_clue_without_agency_goes_to_the_holder_of_its_matter(client, desks):
    body = {
        "description": DESCRIPTION,
        "place": "玄武区中山路1号",
        "matter_code": "CG-0014",
        "agency_id": None,
    }
    r = client.post(
        "/api/v1/clues",
        json={k: v for k, v in body.items() if v is not None},
        headers=desks["zhzf"],
    )
    assert (
        r.status_code == 201 and r.json["agency_id"] == desks["ids"]["zhzf"]
    )  # 餐饮油烟 held by 综合执法局


def test_a_wrong_phone_number_is_a_chinese_field_error_and_nothing_is_written(client, desks):
    before = client.get("/api/v1/clues", headers=desks["legal"]).json["total"]
    r = client.post(
        "/api/v1/clues",
        json={"description": DESCRIPTION, "place": "某地", "complainant_phone": "12345"},
        headers=desks["zhzf"],
    )
    assert r.status_code == 422 and r.json["errors"][0] == {
        "field": "complainant_phone",
        "message": "请输入正确的11位手机号码。",
        "message_en": "Enter a valid mainland mobile number.",
    }
    assert client.get("/api/v1/clues", headers=desks["legal"]).json["total"] == before


def test_the_complainant_is_texted_through_the_outbox(app, client, desks):
    from sqlalchemy import select

    from yimen.gateway.outbox.model import OutboxMessage
    from yimen.platform.kernel.db import db, tenant_scope

    clue = _register(client, desks)
    client.post(f"/api/v1/clues/{clue['id']}/accept", headers=desks["zhzf"])
    with tenant_scope(desks["tenant_id"]), db.new_session() as s:
        topics = (
            s.execute(
                select(OutboxMessage.topic).where(
                    OutboxMessage.idempotency_key.like(f"clue:{clue['id']}:%")
                )
            )
            .scalars()
            .all()
        )
    assert sorted(topics) == ["SMS_CLUE_ACCEPTED", "SMS_CLUE_RECEIVED"]


def test_the_acceptance_deadline_counts_working_days_across_the_national_day_holiday(app):
    from yimen.platform.intake.service import accept_due
    from yimen.platform.kernel.db import db

    with db.new_session() as s:
        assert accept_due(s, 3, today=dt.date(2026, 9, 30)) == dt.date(
            2026, 10, 10
        )  # 10-10 is 调休上班
        assert (
            accept_due(s, 3, today=dt.date(2027, 12, 30)) is None
        )  # 2028 not loaded: flagged, not guessed


def _assert_may_file(tenant_id, case_id: str) -> None:
    import uuid

    from yimen.platform.cases import service
    from yimen.platform.cases.record.model import Case
    from yimen.platform.kernel.db import db, tenant_scope

    with tenant_scope(tenant_id), db.new_session() as s:
        assert service.jurisdiction_refusal(s, s.get(Case, uuid.UUID(case_id))) is None
