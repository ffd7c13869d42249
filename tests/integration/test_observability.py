"""Operators see structured logs with request ids, metrics, and honest health checks."""

from __future__ import annotations

import json
import logging

from yimen.platform.kernel.logs import mask_pii


def test_healthz_answers_while_the_process_lives(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_checks_database_broker_and_issuers(client, backend):
    r = client.get("/readyz")
    assert r.status_code == 200
    checks = r.json["checks"]
    assert checks["database"]["ok"] and checks["broker"]["ok"] and checks["issuers"]["ok"]
    assert checks["issuers"]["districts"] >= 2 and checks["issuers"]["outside"] == []
    if backend == "postgresql":
        assert checks["database"]["rls"] == "enforced"


def test_readyz_is_503_when_the_broker_is_unreachable(app, client, monkeypatch):
    from yimen.gateway.worker.broker import BrokerHandle

    dead = BrokerHandle(broker=None, kind="rabbitmq", url="amqp://guest:guest@127.0.0.1:1/")
    monkeypatch.setitem(app.extensions, "yimen.broker", dead)
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json["checks"]["broker"]["ok"] is False


def test_metrics_count_requests_by_endpoint(client):
    client.get("/healthz")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'yimen_http_requests_total{endpoint="health.healthz",method="GET",status="200"}' in text
    assert "yimen_http_request_seconds_bucket" in text


def test_each_request_gets_an_id_and_a_json_log_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="yimen.access"):
        r = client.get("/healthz")
    request_id = r.headers["X-Request-ID"]
    assert len(request_id) == 32
    record = next(rec for rec in caplog.records if rec.name == "yimen.access")
    assert record.request_id == request_id and record.status == 200


def test_log_lines_are_json(capfd):
    from yimen.platform.kernel.logs import configure_logging

    configure_logging("INFO")
    logging.getLogger("yimen.test").info("投诉人 张三 电话 13812345678 身份证 11010519491231002X")
    line = capfd.readouterr().err.strip().splitlines()[-1]
    entry = json.loads(line)
    assert entry["level"] == "INFO"
    assert "13812345678" not in line and "11010519491231002X" not in line
    assert "138****5678" in entry["message"]


def test_personal_numbers_are_masked():
    assert mask_pii("电话13812345678") == "电话138****5678"
    assert mask_pii("11010519491231002X") == "110105********002X"
    assert mask_pii("订单号 20261122000012345678") == "订单号 20261122000012345678"


def test_readyz_is_503_when_an_outside_issuer_does_not_answer(app, client, monkeypatch):
    validator = app.extensions["yimen.token_validator"]
    from yimen.platform.auth.tokens import IssuerTemplates

    templates = IssuerTemplates(("http://127.0.0.1:1/realms/{slug}",), "http://127.0.0.1:9/oidc/")
    monkeypatch.setattr(validator, "templates", templates)
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json["checks"]["issuers"]["outside"][0]["ok"] is False
