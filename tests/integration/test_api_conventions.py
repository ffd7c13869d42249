"""Every API error is RFC 7807 problem+json with field-level Chinese and English; never a 500."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import bearer
from yimen.platform.kernel.db import db, tenant_scope
from yimen.platform.kernel.directory import Agency

PROBLEM = "application/problem+json"


@pytest.fixture
def admin(machine_token, own_district):
    return bearer(machine_token(own_district["slug"], ["district_admin"]))


@pytest.fixture
def agency_url(app, own_district):
    with tenant_scope(own_district["tenant_id"]), db.new_session() as s:
        agency_id = s.execute(select(Agency.id).where(Agency.code == "yjgl")).scalar_one()
    return f"/api/v1/agencies/{agency_id}"


def _field(body: dict, name: str) -> dict:
    return next(e for e in body["errors"] if e["field"] == name)


def test_malformed_json_is_a_400_problem(client, admin, agency_url):
    r = client.patch(
        agency_url, data='{"name": "应急', headers=admin, content_type="application/json"
    )
    assert r.status_code == 400
    assert r.content_type == PROBLEM
    assert r.json["code"] == "malformed-json"
    assert r.json["detail"] == "请求体不是有效的 JSON。"
    assert r.json["detail_en"] == "The request body is not valid JSON."


def test_an_unknown_field_is_named_in_chinese_and_english(client, admin, agency_url):
    r = client.patch(agency_url, json={"name": "区应急管理局", "credit_code": "x"}, headers=admin)
    assert r.status_code == 422
    assert r.content_type == PROBLEM
    error = _field(r.json, "credit_code")
    assert error == {
        "field": "credit_code",
        "message": "不允许的未知字段。",
        "message_en": "Unknown field.",
    }


def test_a_wrong_type_is_a_field_error(client, admin, agency_url):
    r = client.patch(agency_url, json={"staffing_quota": "很多"}, headers=admin)
    assert r.status_code == 422
    assert _field(r.json, "staffing_quota")["message"] == "应为整数。"


def test_a_range_violation_is_explained(client, admin, agency_url):
    r = client.patch(agency_url, json={"staffing_quota": -1}, headers=admin)
    assert _field(r.json, "staffing_quota")["message"] == "应在 0 到 100000 之间。"


def test_a_json_body_that_is_not_an_object_is_refused(client, admin, agency_url):
    r = client.patch(agency_url, json=["区应急管理局"], headers=admin)
    assert r.status_code == 422
    assert r.content_type == PROBLEM


def test_an_oversize_body_is_a_413_problem(client, admin, agency_url, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    r = client.patch(
        agency_url, data="x" * (limit + 1), headers=admin, content_type="application/json"
    )
    assert r.status_code == 413
    assert r.content_type == PROBLEM
    assert r.json["detail"] == "请求体超过允许的大小。"


def test_a_bad_query_parameter_is_a_field_error(client, admin):
    r = client.get("/api/v1/agencies?page_size=1000", headers=admin)
    assert r.status_code == 422
    assert (
        _field(r.json, "query.page_size")["message_en"]
        == "Must be greater than or equal to 1 and less than or equal to 100."
    )


def test_a_bad_id_in_the_path_is_a_404_problem(client, admin):
    r = client.get("/api/v1/agencies/not-a-uuid", headers=admin)
    assert (r.status_code, r.content_type) == (404, PROBLEM)


def test_an_unsupported_method_is_a_405_with_allow(client, admin):
    r = client.delete("/api/v1/agencies", headers=admin)
    assert r.status_code == 405
    assert r.content_type == PROBLEM
    assert "GET" in r.headers["Allow"]


def test_a_missing_token_is_a_401_problem_with_a_challenge(client):
    r = client.get("/api/v1/agencies")
    assert r.status_code == 401
    assert r.content_type == PROBLEM
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_lists_carry_page_number_and_totals(client, admin):
    r = client.get("/api/v1/officers?page=2&page_size=5", headers=admin)
    body = r.json
    assert (body["page"], body["page_size"], len(body["items"])) == (2, 5, 5)
    assert body["total"] > 10 and body["pages"] == -(-body["total"] // 5)


def test_every_problem_carries_the_request_id(client):
    r = client.get("/api/v1/agencies", headers={"X-Request-ID": "req-1234567890"})
    assert r.json["request_id"] == "req-1234567890"
    assert r.headers["X-Request-ID"] == "req-1234567890"


def test_an_unexpected_error_is_a_500_problem_without_internals(client, admin, monkeypatch):
    from yimen.tenants.directory import service

    def explode(*args, **kwargs):
        raise RuntimeError("postgres://secret@db")

    monkeypatch.setattr(service, "agency_query", explode)
    r = client.get("/api/v1/agencies", headers=admin)
    assert (r.status_code, r.content_type) == (500, PROBLEM)
    assert "secret" not in r.get_data(as_text=True)
    assert r.json["request_id"]
