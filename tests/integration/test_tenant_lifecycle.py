"""The platform operator brings districts on and off the platform without a restart."""

from __future__ import annotations

import uuid

import pytest
import requests

from tests import support
from tests.conftest import bearer


@pytest.fixture
def operator(machine_token):
    return bearer(machine_token("platform", ["platform_operator"]))


def _create(client, operator, slug=None, code=None, name="测试新区"):
    slug = slug or f"new{uuid.uuid4().hex[:6]}"
    return client.post(
        "/api/v1/tenants",
        json={"slug": slug, "name": name, "division_code": code or support.unique_division_code()},
        headers=operator,
    )


def test_an_operator_creates_a_district_whose_issuer_works_at_once(client, operator, live_server):
    r = _create(client, operator)
    assert r.status_code == 201, r.json
    tenant = r.json
    assert tenant["issuer"] == f"{live_server.url}/oidc/{tenant['slug']}"
    discovery = requests.get(
        f"{tenant['issuer']}/.well-known/openid-configuration", timeout=10
    ).json()
    assert discovery["issuer"] == tenant["issuer"]


def test_a_wrong_division_code_is_refused_with_the_field(client, operator):
    r = _create(client, operator, code="999999")
    assert r.status_code == 422
    assert r.json["errors"][0]["field"] == "division_code"
    assert "GB/T 2260" in r.json["errors"][0]["message"]


def test_a_slug_is_unique(client, operator):
    first = _create(client, operator)
    r = _create(client, operator, slug=first.json["slug"])
    assert r.status_code == 409 and r.json["errors"][0]["field"] == "slug"


def test_a_suspended_districts_officers_are_refused_with_the_reason(
    client, operator, new_district, machine_token
):
    tenant = new_district()
    admin = bearer(machine_token(tenant.slug, ["district_admin"]))
    assert client.get("/api/v1/agencies", headers=admin).status_code == 200
    r = client.post(
        f"/api/v1/tenants/{tenant.id}/suspend",
        json={"reason": "机构改革，暂停使用"},
        headers=operator,
    )
    assert r.status_code == 200 and r.json["status"] == "suspended"
    refused = client.get("/api/v1/agencies", headers=admin)
    assert refused.status_code == 403
    assert refused.json["code"] == "tenant-suspended" and "机构改革" in refused.json["detail"]
    assert client.get(f"/t/{tenant.slug}/").status_code == 200  # public pages stay readable
    client.post(f"/api/v1/tenants/{tenant.id}/resume", headers=operator)
    assert client.get("/api/v1/agencies", headers=admin).status_code == 200


def test_suspension_is_in_the_districts_audit_trail(client, operator, new_district, machine_token):
    tenant = new_district()
    client.post(
        f"/api/v1/tenants/{tenant.id}/suspend", json={"reason": "测试暂停"}, headers=operator
    )
    client.post(f"/api/v1/tenants/{tenant.id}/resume", headers=operator)
    admin = bearer(machine_token(tenant.slug, ["district_admin"]))
    entries = client.get(f"/api/v1/audit?entity=tenant&entity_id={tenant.id}", headers=admin).json[
        "items"
    ]
    assert [e["after"]["status"] for e in entries if e["action"] == "update"] == [
        "active",
        "suspended",
    ]


def test_the_hundredth_district_needs_no_restart(client, operator, machine_token, backend):
    total = client.get("/api/v1/tenants", headers=operator).json["total"]
    last = None
    for _ in range(max(0, 100 - total)):
        last = _create(client, operator)
        assert last.status_code == 201
    assert client.get("/api/v1/tenants", headers=operator).json["total"] >= 100
    slug = last.json["slug"] if last else _create(client, operator).json["slug"]
    admin = bearer(machine_token(slug, ["district_admin"]))
    assert client.get("/api/v1/agencies", headers=admin).status_code == 200


def test_the_operator_reads_a_districts_audit_trail_and_the_read_is_recorded(
    client, operator, new_district, machine_token
):
    tenant = new_district()
    admin = bearer(machine_token(tenant.slug, ["district_admin"]))
    client.post(
        "/api/v1/tenants/" + str(tenant.id) + "/suspend",
        json={"reason": "审计测试"},
        headers=operator,
    )
    entries = client.get(f"/api/v1/tenants/{tenant.id}/audit", headers=operator).json["items"]
    assert any(e["entity"] == "tenant" and e["action"] == "update" for e in entries)
    client.post("/api/v1/tenants/" + str(tenant.id) + "/resume", headers=operator)
    seen_by_district = client.get("/api/v1/audit?entity=audit_entry", headers=admin).json["items"]
    assert seen_by_district[0]["action"] == "read" and seen_by_district[0]["actor"].startswith(
        "service-account-"
    )
