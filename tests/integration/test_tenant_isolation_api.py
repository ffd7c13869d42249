"""With district A's token the API never shows, changes or finds district B's data."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from tests.conftest import bearer
from yimen.platform.kernel.db import db, tenant_scope
from yimen.platform.kernel.directory import Agency, Tenant


def _agency_of(slug: str) -> Agency:
    with db.new_session() as s:
        tenant_id = s.execute(select(Tenant.id).where(Tenant.slug == slug)).scalar_one()
    with tenant_scope(tenant_id), db.new_session() as s:
        return s.execute(select(Agency).where(Agency.code == "sthj")).scalar_one()


# District A is the module's own (测试区); district B, only ever looked at, the demo's qinhuai.


@pytest.fixture
def admin_a(machine_token, own_district):
    return bearer(machine_token(own_district["slug"], ["district_admin"]))


def test_a_district_lists_only_its_own_agencies(live_server, admin_a):
    body = requests.get(
        f"{live_server.url}/api/v1/agencies?page_size=100", headers=admin_a, timeout=10
    ).json()
    names = {a["name"] for a in body["items"]}
    assert body["total"] == len(body["items"]) >= 5
    assert all(name.startswith("测试区") or "街道" in name for name in names)
    assert not any("秦淮区" in name for name in names)


def test_another_districts_agency_is_not_found_by_id(live_server, admin_a):
    qinhuai_agency = _agency_of("qinhuai")
    r = requests.get(
        f"{live_server.url}/api/v1/agencies/{qinhuai_agency.id}", headers=admin_a, timeout=10
    )
    assert r.status_code == 404
    assert r.headers["Content-Type"] == "application/problem+json"


def test_another_districts_agency_cannot_be_updated(live_server, admin_a):
    qinhuai_agency = _agency_of("qinhuai")
    r = requests.patch(
        f"{live_server.url}/api/v1/agencies/{qinhuai_agency.id}",
        json={"name": "被篡改的名称"},
        headers=admin_a,
        timeout=10,
    )
    assert r.status_code == 404
    assert _agency_of("qinhuai").name == qinhuai_agency.name


def test_searching_for_another_districts_agency_finds_nothing(live_server, admin_a):
    r = requests.get(
        f"{live_server.url}/api/v1/agencies", params={"q": "秦淮"}, headers=admin_a, timeout=10
    )
    assert r.json()["total"] == 0
    officers = requests.get(
        f"{live_server.url}/api/v1/officers",
        params={"q": "qinhuai"},
        headers=admin_a,
        timeout=10,
    ).json()
    assert officers["total"] == 0


def test_a_district_admin_updates_an_agency_of_their_own_district(
    live_server, own_district, machine_token
):
    admin = bearer(machine_token(own_district["slug"], ["district_admin"]))
    agency = _agency_of(own_district["slug"])
    r = requests.patch(
        f"{live_server.url}/api/v1/agencies/{agency.id}",
        json={"staffing_quota": 45},
        headers=admin,
        timeout=10,
    )
    assert r.status_code == 200, r.text
    assert _agency_of(own_district["slug"]).staffing_quota == 45


def test_a_read_only_client_may_not_update(live_server, own_district):
    token = live_server.client_token(own_district["slug"])
    agency = _agency_of(own_district["slug"])
    r = requests.patch(
        f"{live_server.url}/api/v1/agencies/{agency.id}",
        json={"staffing_quota": 1},
        headers=bearer(token),
        timeout=10,
    )
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"


def test_the_issuer_decides_the_district_not_a_header(live_server, admin_a):
    headers = {**admin_a, "X-Tenant": "qinhuai", "X-District": "qinhuai"}
    body = requests.get(
        f"{live_server.url}/api/v1/agencies", params={"q": "秦淮"}, headers=headers, timeout=10
    ).json()
    assert body["total"] == 0
