"""The full-process record of a case (全过程记录, 处罚法 第四十七条; 国办发〔2018〕118号 (九)
防删改): append-only hash-chained events, verified by `verify`, `yimen audit verify` and
the API; offline records synced idempotently; on PostgreSQL a row edited or deleted by
someone with the database's keys is found, the application role cannot change a row,
and ten officers appending at once get seqs 1..10."""

from __future__ import annotations

import json
import threading
import uuid

import psycopg
import pytest
from sqlalchemy import select

from tests import support
from tests.conftest import bearer
from yimen.platform.cases.record import chain
from yimen.platform.cases.record import log as events
from yimen.platform.cases.record.log import CaseEvent
from yimen.platform.cases.record.model import Case
from yimen.platform.cases.service import take_part
from yimen.platform.kernel.db import db, tenant_scope
from yimen.platform.kernel.db.agency_scope import ParticipationRole
from yimen.platform.kernel.directory import Agency
from yimen.platform.kernel.errors import Conflict

ACTOR = "test.zhangsan"
DISTRICT: dict = {}  # the module's own district, where the helpers below write and read


@pytest.fixture(autouse=True)
def district(own_district, monkeypatch) -> dict:
    monkeypatch.setitem(DISTRICT, "slug", own_district["slug"])
    monkeypatch.setitem(DISTRICT, "tenant_id", own_district["tenant_id"])
    return own_district


def _tenant_id() -> uuid.UUID:
    return DISTRICT["tenant_id"]


def _new_case(events_count: int = 0, agency: str = "zhzf", number=None) -> uuid.UUID:
    """A draft case of the district's agency, with its first events in the same transaction."""
    with tenant_scope(_tenant_id()), db.new_session() as s:
        agency_id = s.execute(select(Agency.id).where(Agency.code == agency)).scalar_one()
        case = Case(
            agency_id=agency_id, facts="珠江路88号饭店油烟直排", created_by=ACTOR, number=number
        )
        s.add(case)
        take_part(s, case, agency_id, ParticipationRole.LEAD)  # as the use case does
        for n in range(events_count):
            events.append(s, case, "evidence_added", "filing", ACTOR, _photo(n))
        s.commit()
        return case.id


def _photo(n: int) -> dict:
    return {"evidence": f"现场照片{n}", "sha256": chain.genesis(f"photo-{n}")}


def _append(case_id, kind="evidence_added", payload=None, client_id=None) -> CaseEvent:
    with tenant_scope(_tenant_id()), db.new_session() as s:
        case = s.get(Case, case_id)
        event = events.append(s, case, kind, case.stage, ACTOR, payload or _photo(0), client_id)
        s.commit()
        return event


def _verify(case_id=None) -> events.Report:
    with tenant_scope(_tenant_id()), db.new_session() as s:
        return events.verify(s, case_id)


def _stored(case_id) -> list[CaseEvent]:
    with tenant_scope(_tenant_id()), db.new_session() as s:
        query = select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
        return list(s.execute(query).scalars())


def test_every_action_is_a_numbered_link_of_a_chain_that_verifies(app):
    case_id = _new_case(events_count=2)
    _append(case_id, "document_issued", {"kind": "立案审批表", "sha256": "a" * 64})
    stored = _stored(case_id)
    assert [e.seq for e in stored] == [1, 2, 3]
    assert stored[0].prev_hash == chain.genesis(case_id)
    assert [e.prev_hash for e in stored[1:]] == [e.hash for e in stored[:-1]]
    assert stored[2].payload == {"kind": "立案审批表", "sha256": "a" * 64}
    report = _verify(case_id)
    assert (report.ok, report.cases, report.events) == (True, 1, 3)
    assert report.heads[case_id] == stored[-1].hash


def test_the_application_cannot_change_or_delete_an_event(app):
    case_id = _new_case(events_count=1)
    with tenant_scope(_tenant_id()), db.new_session() as s:
        event = s.execute(select(CaseEvent).where(CaseEvent.case_id == case_id)).scalar_one()
        event.actor = "someone.else"
        with pytest.raises(PermissionError, match="append-only"):
            s.flush()
        s.rollback()
        s.delete(s.get(CaseEvent, event.id))
        with pytest.raises(PermissionError, match="append-only"):
            s.flush()
    assert _verify(case_id).ok


def test_an_offline_record_synced_twice_is_written_once(app):
    case_id = _new_case(events_count=1)
    client_id = f"app-{uuid.uuid4()}"
    payload = {
        "evidence": "询问笔录照片",
        "sha256": "b" * 64,
        "captured_at": "2026-03-02T09:30+08:00",
    }
    first = _append(case_id, payload=payload, client_id=client_id)
    again = _append(case_id, payload=dict(reversed(payload.items())), client_id=client_id)
    assert again.id == first.id and again.seq == first.seq == 2
    assert [e.client_id for e in _stored(case_id)] == [None, client_id]


def test_an_offline_id_reused_for_different_facts_is_refused_and_nothing_is_written(app):
    case_id = _new_case(events_count=1)
    client_id = f"app-{uuid.uuid4()}"
    _append(case_id, payload={"sha256": "c" * 64}, client_id=client_id)
    with pytest.raises(Conflict) as refused:  # 409 over HTTP
        _append(case_id, payload={"sha256": "d" * 64}, client_id=client_id)
    assert refused.value.code == "client-id-reused"
    assert "已同步" in refused.value.zh and "already synced" in refused.value.en
    assert len(_stored(case_id)) == 2 and _verify(case_id).ok


def test_another_district_sees_none_of_the_record(app, new_district):
    case_id = _new_case(events_count=2)
    other = new_district("秦淮测试区")
    with tenant_scope(other.id), db.new_session() as s:
        report = events.verify(s, case_id)
        seen = s.execute(select(CaseEvent).where(CaseEvent.case_id == case_id)).all()
    assert (report.cases, report.events, seen) == (0, 0, [])


# --- the API and the command line ----------------------------------------------------


def test_the_case_page_shows_the_record_oldest_first_with_personal_numbers_masked(client, desks):
    case_id = _new_case(events_count=1)
    _append(case_id, "party_added", {"name": "王某", "id_number": "320102199003074518"})
    body = client.get(
        f"/api/v1/cases/{case_id}/events?page_size=1&page=2", headers=desks["zhzf"]
    ).json
    assert (body["total"], body["pages"]) == (2, 2)
    (event,) = body["items"]
    assert event["seq"] == 2 and event["kind"] == "party_added"
    assert event["payload"]["id_number"] == "320102********4518"
    first = client.get(f"/api/v1/cases/{case_id}/events", headers=desks["zhzf"]).json["items"][0]
    assert first["payload"]["sha256"] == _photo(0)["sha256"]  # hashes shown whole


def test_the_chain_state_of_a_case_is_shown_to_its_agency_and_the_district_only(
    client, desks, machine_token, new_district
):
    case_id = _new_case(events_count=3)
    chain_url = f"/api/v1/cases/{case_id}/chain"
    state = client.get(chain_url, headers=desks["zhzf"])
    assert state.status_code == 200, state.json
    assert state.json["ok"] is True and state.json["state"] == "ok"
    assert state.json["events"] == 3 and state.json["first_break"] is None
    assert client.get(chain_url, headers=desks["legal"]).status_code == 200
    assert client.get(chain_url, headers=desks["scjg"]).status_code == 404  # another agency
    outsider = bearer(machine_token(new_district().slug, ["district_admin"]))
    assert client.get(chain_url, headers=outsider).status_code == 404
    assert client.get(f"/api/v1/cases/{case_id}/events", headers=outsider).status_code == 404
    hotline = bearer(machine_token(desks["slug"], ["hotline_operator"]))
    assert client.get(chain_url, headers=hotline).status_code == 403


def test_the_command_line_says_a_case_is_intact_and_exits_0(app):
    case_id = _new_case(events_count=2)
    result = app.test_cli_runner().invoke(
        args=["audit", "verify", "--district", DISTRICT["slug"], "--case", str(case_id)]
    )
    assert result.exit_code == 0, result.output
    assert "1 件案件 / cases, 2 条记录 / events — 完整 / intact" in result.output


def test_the_command_line_refuses_an_unknown_district_or_case(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["audit", "verify", "--district", "nowhere"]).exit_code != 0
    missing = runner.invoke(args=["audit", "verify", "--case", str(uuid.uuid4())])
    assert missing.exit_code == 2 and "没有记录" in missing.output


# --- PostgreSQL: tampering, the append-only trigger, concurrency ---------------------


@pytest.fixture
def pg(backend, pg_database):
    if backend != "postgresql":
        pytest.skip("PostgreSQL only: triggers, row locks and the database's own roles")
    return pg_database


def _as_superuser(pg_database, *statements: tuple[str, tuple]) -> None:
    """What someone holding the database's admin keys can do, past the application."""
    info = psycopg.conninfo.conninfo_to_dict(support.PG_ADMIN_DSN)
    info["dbname"] = pg_database.name
    with psycopg.connect(**info) as conn:
        for sql, params in statements:
            conn.execute(sql, params)


def _bypassing_trigger(sql: str, params: tuple) -> list[tuple[str, tuple]]:
    return [
        ("ALTER TABLE case_event DISABLE TRIGGER case_event_append_only", ()),
        (sql, params),
        ("ALTER TABLE case_event ENABLE TRIGGER case_event_append_only", ()),
    ]


def test_tamper_an_edited_row_is_found_at_its_seq_by_verify_the_cli_and_the_api(
    pg, app, client, desks, machine_token
):
    number = f"测综执立〔2026〕{uuid.uuid4().int % 10**6}号"
    case_id = _new_case(events_count=5, number=number)
    target = _stored(case_id)[2]
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        _as_superuser(pg, ("UPDATE case_event SET payload = '{}' WHERE id = %s", (target.id,)))
    forged = json.dumps({"evidence": "现场照片2", "sha256": "0" * 64}, ensure_ascii=False)
    _as_superuser(
        pg,
        *_bypassing_trigger(
            "UPDATE case_event SET payload = %s::json WHERE id = %s", (forged, target.id)
        ),
    )
    assert _stored(case_id)[2].payload["sha256"] == "0" * 64  # the edit went through

    report = _verify(case_id)
    assert not report.ok and report.events == 5
    (broken,) = report.breaks
    assert (broken.case_id, broken.seq, broken.event_id) == (case_id, 3, target.id)
    assert broken.fault == chain.Fault.HASH_MISMATCH and broken.found == target.hash

    result = app.test_cli_runner().invoke(
        args=["audit", "verify", "--district", DISTRICT["slug"], "--case", str(case_id)]
    )
    assert result.exit_code == 1
    assert f"案件 {number} case {case_id} 第 3 条 / seq 3 (event {target.id})" in result.output
    assert "写入后被改动" in result.output and "hash mismatch" in result.output

    state = client.get(f"/api/v1/cases/{case_id}/chain", headers=desks["zhzf"]).json
    assert (state["ok"], state["state"], state["events"]) == (False, "broken", 5)
    assert state["first_break"]["seq"] == 3 and state["first_break"]["event_id"] == str(target.id)
    assert state["first_break"]["fault"] == "hash_mismatch"

    district = client.get(
        "/api/v1/audit/case-chains?page_size=100",
        headers=bearer(machine_token(desks["slug"], ["legal_affairs"])),
    ).json
    assert district["ok"] is False
    assert {"case_id": str(case_id), "seq": 3} in [
        {"case_id": b["case_id"], "seq": b["seq"]} for b in district["breaks"]["items"]
    ]


def test_tamper_a_deleted_middle_row_is_a_gap_at_its_seq(pg, app):
    case_id = _new_case(events_count=5)
    stored = _stored(case_id)
    _as_superuser(pg, *_bypassing_trigger("DELETE FROM case_event WHERE id = %s", (stored[1].id,)))
    (broken,) = _verify(case_id).breaks
    assert (broken.seq, broken.fault, broken.event_id) == (2, chain.Fault.SEQ_GAP, stored[2].id)
    assert "应为第 2 条，实为第 3 条" in broken.message


def test_the_application_role_cannot_update_delete_truncate_or_disable_the_trigger(pg, app):
    case_id = _new_case(events_count=2)
    refused = {
        "UPDATE case_event SET actor = 'someone.else' WHERE case_id = %s": "append-only",
        "DELETE FROM case_event WHERE case_id = %s": "append-only",
        "TRUNCATE case_event": "permission denied",
        "ALTER TABLE case_event DISABLE TRIGGER case_event_append_only": "must be owner",
    }
    for sql, message in refused.items():
        with pg.connect_as_app() as conn:
            conn.execute("select set_config('app.tenant_id', %s, false)", (str(_tenant_id()),))
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match=message):
                conn.execute(sql, (case_id,) if "%s" in sql else ())
    assert _verify(case_id).ok and len(_stored(case_id)) == 2


def test_ten_officers_appending_at_once_get_seqs_1_to_10_and_the_chain_holds(pg, app):
    case_id = _new_case()
    tenant_id = _tenant_id()
    start, failures = threading.Barrier(10), []

    def officer(n: int) -> None:
        try:
            with tenant_scope(tenant_id), db.new_session() as s:
                case = s.get(Case, case_id)
                start.wait(10)
                events.append(s, case, "inquiry_recorded", "investigation", f"test.o{n}", {"n": n})
                s.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=officer, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert failures == []
    stored = _stored(case_id)
    assert [e.seq for e in stored] == list(range(1, 11))
    assert sorted(e.payload["n"] for e in stored) == list(range(10))
    report = _verify(case_id)
    assert report.ok and report.events == 10
