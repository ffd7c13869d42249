"""12345 hotline work orders over REST (issue 14, item 3): the city hotline's simulator
runs as a real HTTP server; orders dispatched to the district are pulled by the gateway's
job into its inbox, acknowledged once they are durable, and become clues through the one
door (one clue per order number, whoever entered it first); our acceptance, return and
result go back once each however often they are delivered, and the complainant's
satisfaction from the hotline's callback comes back to the clue."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid

import pytest
import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.conftest import bearer
from tests.integration.conftest import _agency_client
from yimen.connectors.hotline12345.connector import HotlineClient, HotlineConnector, HotlineOrders
from yimen.connectors.hotline12345.simulator import HotlineSimulator
from yimen.gateway.contracts import ClueAnswered
from yimen.gateway.inbox import service as inbox
from yimen.gateway.inbox.model import InboxRecord, PullCursor
from yimen.gateway.ports import AmbiguousDelivery, ConnectorError, Outbound
from yimen.platform.intake.model import Clue
from yimen.platform.kernel.db import db, tenant_scope
from yimen.platform.kernel.directory import Tenant

KEY = "hotline-test-key"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
PHONE = "13912345678"


@pytest.fixture(scope="module")
def hotline(tmp_path_factory):
    """The 12345 simulator on a free port, its state in a file (one per module)."""
    simulator = HotlineSimulator(tmp_path_factory.mktemp("hotline") / "state.json", (KEY,))
    server = make_server("127.0.0.1", 0, simulator, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield simulator, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def upstream(hotline):
    """The simulator's URL, its fault switches cleared for the test."""
    url = hotline[1]
    requests.post(f"{url}/_control/faults", json={}, timeout=5).raise_for_status()
    return url


@pytest.fixture
def district(app, own_district) -> dict:
    with db.new_session() as s:
        tenant = s.execute(select(Tenant).where(Tenant.slug == own_district["slug"])).scalar_one()
        return {"id": tenant.id, "code": tenant.division_code, "slug": tenant.slug}


def _client(url: str) -> HotlineClient:
    return HotlineClient(url, KEY, timeout=2)


def _dispatch(url: str, district: dict, level: str = "普通", admin: str = "", **fields) -> dict:
    """The hotline dispatches a work order to the district."""
    order = {
        "order_no": f"GD{uuid.uuid4().hex[:12].upper()}",
        "district": district["code"],
        "level": level,
        "deadline": (dt.datetime.now(SHANGHAI) + dt.timedelta(days=3))
        .replace(microsecond=0)
        .isoformat(),
        "category": "餐饮油烟",
        "address": "中山路18号楼下",
        "content": "楼下餐馆油烟直排，晚上尤其严重",
        "reporter": {"name": "王女士", "phone": PHONE},
        **fields,
    }
    headers = bearer(admin) if admin else {}
    response = requests.post(f"{url}/_control/orders", json=order, headers=headers, timeout=5)
    assert response.status_code == 201, response.text
    return order


def _pull(url: str, district: dict) -> inbox.Pulled:
    return inbox.pull(district["id"], HotlineOrders(_client(url)), district["code"])


def _clues(district: dict, order_no: str) -> list[Clue]:
    with tenant_scope(district["id"]), db.new_session() as s:
        return list(s.execute(select(Clue).where(Clue.source_ref == order_no)).scalars())


def _inbox(district: dict, key: str) -> list[InboxRecord]:
    with tenant_scope(district["id"]), db.new_session() as s:
        return list(s.execute(select(InboxRecord).where(InboxRecord.natural_key == key)).scalars())


def _effects(url: str, order_no: str, effect: str) -> int:
    ledger = requests.get(f"{url}/_control/ledger", timeout=5).json()
    return sum(1 for e in ledger if e["order_no"] == order_no and e["effect"] == effect)


def _faults(url: str, **faults) -> None:
    requests.post(f"{url}/_control/faults", json=faults, timeout=5).raise_for_status()


def test_an_order_becomes_a_clue_with_its_level_deadline_and_reporter(
    upstream, district, live_server, app, client, caplog
):
    caplog.set_level(logging.DEBUG)
    order = _dispatch(upstream, district, level="紧急")

    pulled = _pull(upstream, district)

    assert (pulled.new, pulled.acknowledged, pulled.processed, pulled.error) == (1, 1, 1, "")
    (clue,) = _clues(district, order["order_no"])
    assert clue.source == "hotline_12345"
    assert (clue.complainant_name, clue.complainant_phone) == ("王女士", PHONE)
    assert "餐馆油烟直排" in clue.description and clue.place == "中山路18号楼下"
    (row,) = _inbox(district, order["order_no"])
    assert row.result == clue.receipt_code and row.processed_at is not None
    assert _effects(upstream, order["order_no"], "ack") == 1
    legal = _agency_client(live_server, app, "sfj", ["legal_affairs"], slug=district["slug"])
    shown = client.get(f"/api/v1/clues/{clue.id}", headers=legal).json
    assert shown["urgency"] == "urgent"
    assert dt.datetime.fromisoformat(shown["reply_due"]) == dt.datetime.fromisoformat(
        order["deadline"]
    )
    assert shown["status"] == "arbitration"  # no matter named: the legal-affairs office
    assert PHONE not in caplog.text and "王女士" not in caplog.text


def test_an_order_is_in_the_inbox_before_the_hotline_is_told_we_have_it(upstream, district):
    order = _dispatch(upstream, district)
    durable_when_acknowledged = []

    class Watched(HotlineOrders):
        def acknowledge(self, record):
            # what another process (a fresh session) sees at the moment of the ack
            durable_when_acknowledged.append(len(_inbox(district, record.natural_key)))
            super().acknowledge(record)

    inbox.pull(district["id"], Watched(_client(upstream)), district["code"])

    assert durable_when_acknowledged == [1]
    assert _effects(upstream, order["order_no"], "ack") == 1


def test_an_order_pulled_twice_and_listed_twice_is_one_clue(upstream, district):
    _faults(upstream, duplicate_listing=True)
    order = _dispatch(upstream, district)

    first = _pull(upstream, district)
    with tenant_scope(district["id"]), db.new_session() as s:  # the cursor lost: all again
        s.execute(select(PullCursor)).scalar_one().cursor = ""
        s.commit()
    second = _pull(upstream, district)

    assert first.new == 1 and second.new == 0 and second.listed >= 1
    assert len(_clues(district, order["order_no"])) == 1
    assert len(_inbox(district, order["order_no"])) == 1
    assert _effects(upstream, order["order_no"], "ack") == 1


def test_an_order_an_operator_already_typed_is_the_same_clue(
    upstream, district, live_server, app, client
):
    order = _dispatch(upstream, district)
    operator = _agency_client(live_server, app, "zhzf", ["hotline_operator"], district["slug"])
    typed = client.post(
        "/api/v1/clues",
        json={
            "source": "hotline_12345",
            "source_ref": " " + order["order_no"].lower() + " ",  # as the operator typed it
            "description": "市民来电反映楼下餐馆油烟直排",
            "place": "中山路18号",
            "complainant_name": "王女士",
            "complainant_phone": PHONE,
        },
        headers=operator,
    )
    assert typed.status_code == 201, typed.json

    _pull(upstream, district)

    (clue,) = _clues(district, order["order_no"])
    assert str(clue.id) == typed.json["id"]
    assert clue.urgency == "normal" and clue.reply_due is not None  # the order completes it
    assert _inbox(district, order["order_no"])[0].result == clue.receipt_code


def test_a_lost_reply_to_the_acknowledgement_still_makes_one_clue(upstream, district):
    _faults(upstream, drop_after_commit={"ack": 1})
    order = _dispatch(upstream, district)

    first = _pull(upstream, district)
    assert "did not answer" in first.error  # the connection was reset under the reply
    assert first.new == 1  # durable before the acknowledgement was tried
    assert _effects(upstream, order["order_no"], "ack") == 1  # the hotline took it
    second = _pull(upstream, district)  # the cursor did not move: listed and acked again

    assert (second.new, second.acknowledged, second.error) == (0, 1, "")
    assert len(_clues(district, order["order_no"])) == 1
    assert _effects(upstream, order["order_no"], "ack") == 1


def _answer(clue: Clue, answer: str, note: str = "") -> Outbound:
    event = ClueAnswered(
        aggregate_id=clue.id,
        sequence=len(clue.steps) + 1,
        agency_code="zhzf",
        occurred_at=dt.datetime.now(dt.UTC),
        receipt_code=clue.receipt_code,
        source=clue.source,
        source_ref=clue.source_ref or "",
        answer=answer,
        note=note,
        at=dt.datetime.now(dt.UTC),
    )
    return Outbound("hotline_12345", event.TYPE, event.payload(), f"{event.event_id}:hotline")


def _order_with_clue(url: str, district: dict) -> tuple[dict, Clue]:
    order = _dispatch(url, district)
    _pull(url, district)
    (clue,) = _clues(district, order["order_no"])
    return order, clue


def test_acceptance_return_and_result_reach_the_hotline_once_each(upstream, district):
    connector = HotlineConnector(_client(upstream))
    order, clue = _order_with_clue(upstream, district)
    returned_order, returned_clue = _order_with_clue(upstream, district)
    accepted, result = (
        _answer(clue, "accepted"),
        _answer(clue, "result", "已责令整改，油烟净化器已安装"),
    )
    returned = _answer(returned_clue, "returned", "不属于本区管辖，请转鼓楼区")

    receipts = [connector.deliver(m) for m in (accepted, accepted, result, result)]
    receipts += [connector.deliver(returned), connector.deliver(returned)]

    assert receipts[0] == receipts[1] and receipts[2] == receipts[3] and receipts[4] == receipts[5]
    no = order["order_no"]
    assert [_effects(upstream, no, kind) for kind in ("accept", "result")] == [1, 1]
    assert _effects(upstream, returned_order["order_no"], "return") == 1
    shown = requests.get(f"{upstream}/orders/{no}", headers={"X-API-Key": KEY}, timeout=5).json()
    assert shown["status"] == "已办结"
    assert [f["kind"] for f in shown["feedback"]] == ["accept", "result"]


def test_feedback_whose_reply_was_lost_is_found_not_sent_again(upstream, district):
    connector = HotlineConnector(_client(upstream))
    order, clue = _order_with_clue(upstream, district)
    accepted = _answer(clue, "accepted")
    _faults(upstream, drop_after_commit={"feedback": 1})

    with pytest.raises(AmbiguousDelivery):
        connector.deliver(accepted)
    found = connector.find(accepted)

    assert found and found == connector.deliver(accepted)  # a redelivery names the same receipt
    assert _effects(upstream, order["order_no"], "accept") == 1


def test_a_return_without_a_reason_is_refused_for_good(upstream, district):
    connector = HotlineConnector(_client(upstream))
    order, clue = _order_with_clue(upstream, district)

    with pytest.raises(ConnectorError) as refused:
        connector.deliver(_answer(clue, "returned"))

    assert not refused.value.retryable and "422" in str(refused.value)
    assert _effects(upstream, order["order_no"], "return") == 0


def test_the_complainants_satisfaction_comes_back_to_the_clue(upstream, district):
    connector = HotlineConnector(_client(upstream))
    order, clue = _order_with_clue(upstream, district)
    connector.deliver(_answer(clue, "accepted"))
    connector.deliver(_answer(clue, "result", "已责令整改"))
    assert _pull(upstream, district).followed_up == 0  # not called back yet
    requests.post(
        f"{upstream}/_control/orders/{order['order_no']}/satisfaction",
        json={"satisfaction": "基本满意", "comment": "处理及时"},
        timeout=5,
    ).raise_for_status()

    first, second = _pull(upstream, district), _pull(upstream, district)

    assert (first.followed_up, second.followed_up) == (1, 0)
    (clue,) = _clues(district, order["order_no"])
    rated = [st for st in clue.steps if st.action == "hotline_rated"]
    assert [st.reason for st in rated] == ["12345回访：基本满意；处理及时"]
    assert clue.satisfaction == 3


def test_the_simulator_wants_its_key_and_a_valid_body(upstream, district):
    order = _dispatch(upstream, district)
    no = order["order_no"]

    anonymous = requests.post(f"{upstream}/orders/{no}/ack", timeout=5)
    wrong = requests.get(
        f"{upstream}/orders", params={"district": district["code"]}, headers=bearer("x"), timeout=5
    )
    bad = requests.post(
        f"{upstream}/orders/{no}/feedback",
        json={"feedback_id": "short", "kind": "approve"},
        headers=bearer(KEY),
        timeout=5,
    )

    assert (anonymous.status_code, wrong.status_code) == (401, 401)
    assert bad.status_code == 422
    assert {f["field"] for f in bad.json()["fields"]} >= {"feedback_id", "kind", "$"}
    with pytest.raises(ConnectorError) as refused:
        HotlineOrders(HotlineClient(upstream, "wrong")).list_since(district["code"], "")
    assert not refused.value.retryable


def test_while_the_hotline_is_down_nothing_is_lost(upstream, district):
    order = _dispatch(upstream, district)
    _faults(upstream, error_rate=1.0)
    failing = _pull(upstream, district)
    _faults(upstream, down_for_s=30)
    down = _pull(upstream, district)
    assert "500" in failing.error and "503" in down.error
    assert failing.new == down.new == 0 and not _clues(district, order["order_no"])
    assert _effects(upstream, order["order_no"], "ack") == 0

    _faults(upstream)  # back up
    back = _pull(upstream, district)

    assert back.error == ""
    assert len(_clues(district, order["order_no"])) == 1
    assert _effects(upstream, order["order_no"], "ack") == 1


def test_the_periodic_job_pulls_every_district_from_the_registered_hotline(
    upstream, district, monkeypatch
):
    order = _dispatch(upstream, district)
    monkeypatch.setitem(inbox._sources, "hotline_12345", HotlineOrders(_client(upstream)))

    inbox.pull_all()

    assert len(_clues(district, order["order_no"])) == 1


def test_the_simulator_runs_on_its_own_and_remembers_after_a_restart(tmp_path):
    import subprocess
    import sys
    import time

    from tests.support import free_port

    state, port = tmp_path / "hotline.json", free_port()
    command = [sys.executable, "-m", "yimen.connectors.hotline12345.simulator"]
    command += ["--port", str(port), "--state", str(state), "--api-key", KEY]
    command += ["--admin-token", "admin-t"]
    url, order = f"http://127.0.0.1:{port}", None
    for _ in range(2):  # started, stopped, started again on the same state file
        process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    requests.get(f"{url}/_control/ledger", timeout=1)
                    break
                except requests.ConnectionError:
                    time.sleep(0.05)
            if order is None:
                refused = requests.post(f"{url}/_control/faults", json={}, timeout=5)
                assert refused.status_code == 401  # the hotline's side wants the admin token
                order = _dispatch(url, {"code": "320102"}, admin="admin-t")
            listed = HotlineOrders(_client(url)).list_since("320102", "")
        finally:
            process.terminate()
            process.wait(5)
        assert [r.natural_key for r in listed.records] == [order["order_no"]]
        assert listed.records[0].payload["reporter"]["phone"] == PHONE


def test_a_listing_slower_than_our_patience_loses_nothing(upstream, district):
    order = _dispatch(upstream, district)
    _faults(upstream, latency_ms=400)
    impatient = HotlineOrders(HotlineClient(upstream, KEY, timeout=0.2))
    timed_out = inbox.pull(district["id"], impatient, district["code"])
    assert timed_out.error  # the listing itself timed out: nothing kept, nothing acked
    _faults(upstream)

    _pull(upstream, district)

    assert len(_clues(district, order["order_no"])) == 1
    assert _effects(upstream, order["order_no"], "ack") == 1


def test_an_order_the_one_door_cannot_take_waits_in_the_inbox_with_its_reason(district):
    from yimen.gateway.ports import Received

    key = f"GD{uuid.uuid4().hex[:12].upper()}"
    payload = {
        "order_no": key,
        "level": "特急",  # not a level the hotline has
        "deadline": "2026-12-20T18:00:00+08:00",
        "address": "中山路1号",
        "content": "噪声扰民",
        "reporter": {"name": "赵先生", "phone": PHONE},
    }
    with tenant_scope(district["id"]), db.new_session() as s:
        assert inbox.receive(s, "hotline_12345", Received(key, "hotline_12345.order", payload))
        assert not inbox.receive(s, "hotline_12345", Received(key, "hotline_12345.order", {}))
        s.commit()

    inbox.process(district["id"], "hotline_12345")
    inbox.process(district["id"], "hotline_12345")

    (row,) = _inbox(district, key)
    assert row.processed_at is None and row.attempts == 2
    assert row.error.startswith("invalid-work-order")
    assert PHONE not in row.error and "赵先生" not in row.error
    assert row.payload["level"] == "特急"  # the first one kept, the replay a no-op
    assert not _clues(district, key)


def test_an_answer_sent_through_the_outbox_reaches_the_hotline_once(
    upstream, district, monkeypatch
):
    from yimen.gateway.outbox import service as outbox
    from yimen.gateway.outbox.model import SENT

    monkeypatch.setitem(outbox._connectors, "hotline_12345", HotlineConnector(_client(upstream)))
    order, clue = _order_with_clue(upstream, district)
    accepted = _answer(clue, "accepted")
    with tenant_scope(district["id"]), db.new_session() as s:
        for _ in range(2):  # published twice (a retried use case): one row
            message = outbox.publish(
                s, "hotline_12345", accepted.topic, accepted.payload, accepted.idempotency_key
            )
        s.commit()
        message_id = message.id

    assert outbox.deliver_now(district["id"], message_id) == SENT
    assert outbox.deliver_now(district["id"], message_id) == SENT

    assert _effects(upstream, order["order_no"], "accept") == 1


def test_another_district_never_sees_this_districts_orders(upstream, district, new_district):
    order = _dispatch(upstream, district)
    _pull(upstream, district)
    other = new_district("邻区")

    with tenant_scope(other.id), db.new_session() as s:
        assert s.execute(select(InboxRecord)).scalars().all() == []
        assert s.execute(select(PullCursor)).scalars().all() == []
    assert inbox.pull(other.id, HotlineOrders(_client(upstream)), other.division_code).listed == 0
    assert len(_inbox(district, order["order_no"])) == 1


def test_an_answer_before_the_order_is_acknowledged_is_retried_not_dropped(upstream, district):
    connector = HotlineConnector(_client(upstream))
    order = _dispatch(upstream, district)

    class AckFails(HotlineOrders):
        def acknowledge(self, record):
            raise ConnectorError("12345 answered 503")

    inbox.pull(district["id"], AckFails(_client(upstream)), district["code"])
    (clue,) = _clues(district, order["order_no"])  # made, though the hotline is not told yet
    accepted = _answer(clue, "accepted")

    with pytest.raises(ConnectorError) as early:
        connector.deliver(accepted)
    assert early.value.retryable
    _pull(upstream, district)  # the next pull acknowledges it
    connector.deliver(accepted)

    assert _effects(upstream, order["order_no"], "accept") == 1
