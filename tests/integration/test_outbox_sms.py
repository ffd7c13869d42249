"""The transactional outbox delivers SMS through a real Redis broker to the SMS
simulator over HTTP: exactly once, after commit, through outages."""

from __future__ import annotations

import time
import uuid

import pytest
import requests
from sqlalchemy import select

from tests.conftest import bearer
from tests.integration.test_worker_redis import redis_broker  # noqa: F401 - fixture
from yimen.gateway.outbox import service as outbox
from yimen.gateway.outbox.model import DEAD, SENT, OutboxMessage
from yimen.gateway.worker.runner import InProcessWorker
from yimen.platform.kernel.db import db, tenant_scope


@pytest.fixture
def worker(redis_broker, monkeypatch):  # noqa: F811
    monkeypatch.setitem(outbox.deliver.options, "min_backoff", 20)
    monkeypatch.setitem(outbox.deliver.options, "max_backoff", 200)
    runner = InProcessWorker(redis_broker, threads=2)
    runner.worker.start()
    yield runner
    runner.worker.stop()


@pytest.fixture
def district_id(app, own_district):
    """The module's own district, whose outbox the tests fill."""
    return own_district["tenant_id"]


@pytest.fixture
def sms(app, live_server):
    state = app.extensions["yimen.sms_simulator"]
    return state, f"{live_server.url}/_sim/sms"


@pytest.fixture
def operator(machine_token) -> dict:
    return bearer(machine_token("platform", ["platform_operator"]))


def _publish(tenant_id, key, phone="13812345678", commit=True):
    with tenant_scope(tenant_id), db.new_session() as s:
        outbox.publish(
            s,
            "sms",
            "complaint.accepted",
            {
                "to": phone,
                "template": "SMS_CLUE_ACCEPTED",
                "params": {"code": "YM1", "agency": "某局"},
            },
            key,
        )
        if commit:
            s.commit()
        else:
            s.rollback()


def _status(tenant_id, key, wanted, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with tenant_scope(tenant_id), db.new_session() as s:
            row = s.execute(
                select(OutboxMessage).where(OutboxMessage.idempotency_key == key)
            ).scalar_one_or_none()
        if row is not None and row.status == wanted:
            return row
        time.sleep(0.05)
    raise AssertionError(
        f"{key} never reached {wanted}: {row and (row.status, row.attempts, row.last_error)}"
    )


def _sent_with(state, key):
    return [m for m in state["messages"] if m["key"] == key]


def test_a_committed_message_is_delivered_once_and_listed_masked(
    worker, district_id, sms, operator
):
    state, url = sms
    key = f"k-{uuid.uuid4()}"
    _publish(district_id, key)
    row = _status(district_id, key, SENT)
    assert row.receipt == _sent_with(state, key)[0]["id"] and row.attempts == 1
    listed = requests.get(f"{url}/v1/messages", headers=operator, timeout=5).json()
    listed = [m for m in listed if m["key"] == key]
    assert listed[0]["to"] == "138****5678"


def test_a_rolled_back_change_sends_nothing(worker, district_id, sms):
    state, _ = sms
    key = f"k-{uuid.uuid4()}"
    _publish(district_id, key, commit=False)
    time.sleep(0.5)
    assert _sent_with(state, key) == []


def test_a_retried_use_case_does_not_duplicate_the_message(worker, district_id, sms):
    state, _ = sms
    key = f"k-{uuid.uuid4()}"
    _publish(district_id, key)
    _publish(district_id, key)
    _status(district_id, key, SENT)
    time.sleep(0.3)
    assert len(_sent_with(state, key)) == 1


def test_an_outage_is_ridden_out_with_retries_and_the_sms_arrives_once(
    worker, district_id, sms, operator
):
    state, url = sms
    switch = requests.post(
        f"{url}/_control/fail", json={"count": 2, "status": 503}, headers=operator, timeout=5
    )
    assert switch.status_code == 200
    key = f"k-{uuid.uuid4()}"
    _publish(district_id, key)
    row = _status(district_id, key, SENT)
    assert row.attempts == 3 and len(_sent_with(state, key)) == 1


def test_a_redelivery_after_a_crash_is_harmless(worker, district_id, sms):
    """The worker died after the gateway took the SMS but before the row was marked
    sent: the same message goes out again with the same idempotency key."""
    state, url = sms
    key = f"k-{uuid.uuid4()}"
    from yimen.connectors.sms.connector import HttpSmsConnector
    from yimen.gateway.ports import Outbound

    message = Outbound("sms", "t", {"to": "13900001111", "template": "SMS_CLUE_MERGED"}, key)
    api_key = outbox._connectors["sms"].api_key  # the platform's own key for its gateway
    first = HttpSmsConnector(url, api_key).deliver(message)
    assert HttpSmsConnector(url, api_key).deliver(message) == first
    assert len(_sent_with(state, key)) == 1


def test_a_refused_message_is_dead_at_once_and_can_be_re_driven(worker, district_id, sms):
    state, _ = sms
    key = f"k-{uuid.uuid4()}"
    _publish(district_id, key, phone="12345")
    row = _status(district_id, key, DEAD)
    assert row.attempts == 1 and "refused" in row.last_error
    with tenant_scope(district_id), db.new_session() as s:
        message = s.get(OutboxMessage, row.id)
        message.payload = {**message.payload, "to": "13812340000"}
        outbox.redrive(s, message)
    assert _status(district_id, key, SENT).attempts == 1


def test_the_relay_sends_a_message_whose_first_send_was_lost(worker, district_id, sms):
    state, _ = sms
    key = f"k-{uuid.uuid4()}"
    with tenant_scope(district_id), db.new_session() as s:  # a row without the after-commit send
        s.add(
            OutboxMessage(
                connector="sms",
                topic="t",
                payload={"to": "13700001234", "template": "SMS_CLUE_MERGED"},
                idempotency_key=key,
            )
        )
        s.commit()
    assert outbox.relay() >= 1
    _status(district_id, key, SENT)
    assert len(_sent_with(state, key)) == 1


def test_the_complainant_reads_the_registered_chinese_text_and_an_unknown_template_is_refused(
    worker, district_id, sms, client, own_district
):
    state, _ = sms
    r = client.post(
        f"/api/v1/public/{own_district['slug']}/complaints",
        json={
            "matter_code": "CG-0014",
            "description": "饭店油烟直排，影响居民生活",
            "place": "玄武区珠江路88号",
            "phone": "13655550000",
        },
    )
    code = r.json["receipt_code"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        texts = [m["text"] for m in state["messages"] if code in m["text"]]
        if texts:
            break
        time.sleep(0.05)
    assert texts == [
        f"【一门执法】您的投诉举报已收到，回执码{code}，已交测试区综合行政执法局办理，"
        "可凭回执码查询进度。"
    ]
    key = f"k-{uuid.uuid4()}"
    with tenant_scope(district_id), db.new_session() as s:
        outbox.publish(s, "sms", "t", {"to": "13812345678", "template": "SMS_NOPE"}, key)
        s.commit()
    assert "refused" in _status(district_id, key, DEAD).last_error


def test_the_mounted_simulator_answers_only_the_platform_operator(sms, machine_token, own_district):
    """Its messages carry every district's receipt codes: no one else reads them, flips
    its fault switch or sends through it without the key."""
    state, url = sms
    officer = bearer(machine_token(own_district["slug"], ["district_admin"]))
    assert requests.get(f"{url}/v1/messages", timeout=5).status_code == 401
    assert requests.get(f"{url}/v1/messages", headers=officer, timeout=5).status_code == 403
    for headers in ({}, officer):
        flipped = requests.post(
            f"{url}/_control/fail", json={"count": 5}, headers=headers, timeout=5
        )
        assert flipped.status_code in (401, 403)
    assert state["fail"] == 0
    sent = requests.post(
        f"{url}/v1/messages",
        json={"to": "13812345678", "template": "SMS_CLUE_ACCEPTED", "params": {}},
        headers={"Idempotency-Key": f"k-{uuid.uuid4()}", **officer},
        timeout=5,
    )
    assert sent.status_code == 401
