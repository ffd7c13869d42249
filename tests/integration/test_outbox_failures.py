"""Whatever goes wrong in a connector, the outbox row moves on: retried with backoff,
then dead with the reason — never stuck pending and re-sent by the relay forever."""

from __future__ import annotations

import threading
import uuid

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from tests.support import free_port
from yimen.connectors.sms.connector import HttpSmsConnector
from yimen.gateway.outbox import service as outbox
from yimen.gateway.outbox.model import DEAD, PENDING, OutboxMessage
from yimen.gateway.ports import Connector
from yimen.platform.kernel.db import db, tenant_scope


class BuggyConnector(Connector):
    name = "buggy"

    def deliver(self, message):
        return {}["id"]  # a connector's own KeyError


@pytest.fixture
def district_id(app, own_district):
    """The module's own district, whose outbox the tests fill."""
    return own_district["tenant_id"]


@pytest.fixture
def connectors(monkeypatch):
    def use(connector):
        monkeypatch.setitem(outbox._connectors, connector.name, connector)

    return use


def _message(tenant_id, connector: str) -> uuid.UUID:
    with tenant_scope(tenant_id), db.new_session() as s:
        row = outbox.publish(
            s,
            connector,
            "t",
            {"to": "13812345678", "template": "SMS_CLUE_MERGED"},
            uuid.uuid4().hex,
        )
        s.info.pop("yimen_outbox", None)  # delivered by hand below, not after commit
        s.commit()
        return row.id


def _row(tenant_id, message_id) -> OutboxMessage:
    with tenant_scope(tenant_id), db.new_session() as s:
        return s.get(OutboxMessage, message_id)


def _deliver_until_settled(tenant_id, message_id) -> int:
    tries = 0
    while _row(tenant_id, message_id).status == PENDING and tries < outbox.MAX_ATTEMPTS + 2:
        tries += 1
        try:
            outbox.deliver_now(tenant_id, message_id)
        except Exception:  # noqa: BLE001 - dramatiq would retry; the row is what matters
            pass
    return tries


def test_a_connectors_own_key_error_is_retried_then_dead_not_no_such_connector(
    district_id, connectors
):
    connectors(BuggyConnector())
    message_id = _message(district_id, "buggy")
    with pytest.raises(KeyError):
        outbox.deliver_now(district_id, message_id)
    first = _row(district_id, message_id)
    assert (first.status, first.attempts) == (PENDING, 1)
    assert first.last_error.startswith("KeyError") and "no such connector" not in first.last_error
    _deliver_until_settled(district_id, message_id)
    dead = _row(district_id, message_id)
    assert (dead.status, dead.attempts) == (DEAD, outbox.MAX_ATTEMPTS)


def test_an_unknown_connector_is_dead_at_once(district_id):
    message_id = _message(district_id, "nowhere")
    assert outbox.deliver_now(district_id, message_id) == DEAD
    assert _row(district_id, message_id).last_error == "no such connector"


@pytest.fixture
def gateway_answering_plain_text():
    port = free_port()

    def app(environ, start_response):
        return Response("OK", 200, content_type="text/plain")(environ, start_response)

    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


def test_an_sms_gateway_answering_200_without_json_is_retried_then_dead(
    district_id, connectors, gateway_answering_plain_text
):
    connector = HttpSmsConnector(gateway_answering_plain_text)
    connector.name = "sms-plain"
    connectors(connector)
    message_id = _message(district_id, "sms-plain")
    tries = _deliver_until_settled(district_id, message_id)
    row = _row(district_id, message_id)
    assert row.status == DEAD and tries == outbox.MAX_ATTEMPTS
    assert "without a message id" in row.last_error
