"""Provisioning jobs over a real Redis broker: written with the change, done by the
worker, retried with backoff, failed after the last attempt, re-driven by the API."""

from __future__ import annotations

import time
import uuid

import pytest
import requests

from tests.conftest import bearer
from tests.integration.oidc_flow import sign_in
from tests.integration.test_worker_redis import redis_broker  # noqa: F401 - fixture
from yimen.gateway.worker.runner import InProcessWorker
from yimen.tenants.identity import tasks
from yimen.tenants.identity.builtin import BuiltinProvisioner
from yimen.tenants.identity.ports import IdentityProvisioner, ProvisioningError


class Recording(IdentityProvisioner):
    """Stands in for a provider: remembers what it was asked, or fails like one."""

    def __init__(self, fail: bool = False) -> None:
        self.fail, self.officers, self.calls_at = fail, [], []

    def issuer_for(self, slug):
        return f"https://sso.example.gov.cn/realms/{slug}"

    def ensure_district(self, district):
        pass

    def ensure_agency(self, district, agency):
        pass

    def ensure_officer(self, district, officer, roles):
        self.calls_at.append(time.monotonic())
        if self.fail:
            raise ProvisioningError("keycloak create user failed (503)")
        self.officers.append((officer.username, tuple(roles)))
        return f"kc-{officer.username}"

    def set_roles(self, district, officer, roles):
        pass

    def set_enabled(self, district, officer, enabled):
        pass

    def revoke_sessions(self, session, district, officer):
        pass

    def unlock_sign_in(self, session, district, officer):
        return None

    def locked_user_names(self, session, district, usernames):
        return set()

    def set_initial_password(self, session, district, officer, password):
        pass


@pytest.fixture
def worker(redis_broker):  # noqa: F811
    """Starts a worker on the Redis broker when the test says so."""
    runner = InProcessWorker(redis_broker, threads=1)
    yield runner.worker.start
    runner.worker.stop()


@pytest.fixture
def slug(own_district) -> str:
    """The module's own district: its officers are created, provisioned and changed."""
    return own_district["slug"]


@pytest.fixture
def admin(machine_token, slug):
    return bearer(machine_token(slug, ["district_admin"]))


def _jobs(client, admin, entity_id) -> list[dict]:
    return client.get(f"/api/v1/provisioning?entity_id={entity_id}", headers=admin).json["items"]


def _wait_for(client, admin, entity_id, status, seconds=20) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        items = _jobs(client, admin, entity_id)
        if items and items[0]["status"] == status:
            return items[0]
        time.sleep(0.05)
    raise AssertionError(f"job of {entity_id} did not reach {status}: {items}")


def _new_officer(client, admin, username) -> str:
    agency = client.get("/api/v1/agencies?q=zhzf", headers=admin).json["items"][0]["id"]
    r = client.post(
        "/api/v1/officers",
        json={"agency_id": agency, "username": username, "name": "开通测试", "roles": ["officer"]},
        headers=admin,
    )
    assert r.status_code == 201, r.json
    return r.json["id"]


def test_a_new_officer_waits_as_a_pending_job_that_the_worker_makes_done(
    client, admin, worker, monkeypatch, backend, slug
):
    recorder = Recording()
    monkeypatch.setattr(tasks, "_provisioner", recorder)
    username = f"{slug}.kaitong{backend[:2]}"
    officer_id = _new_officer(client, admin, username)
    (job,) = _jobs(client, admin, officer_id)
    assert (job["entity"], job["operation"], job["status"], job["attempts"]) == (
        "officer",
        "ensure",
        "pending",
        0,
    )
    worker()
    job = _wait_for(client, admin, officer_id, "done")
    assert job["attempts"] == 1 and job["last_error"] == ""
    assert recorder.officers == [(username, ("officer",))]


def test_a_failing_provider_is_retried_with_backoff_then_failed_and_re_driven(
    client, admin, worker, monkeypatch, backend, slug
):
    failing = Recording(fail=True)
    monkeypatch.setattr(tasks, "_provisioner", failing)
    monkeypatch.setattr(tasks, "MAX_ATTEMPTS", 3)
    monkeypatch.setitem(tasks.provision.options, "max_retries", 2)
    monkeypatch.setitem(tasks.provision.options, "min_backoff", 200)
    monkeypatch.setitem(tasks.provision.options, "max_backoff", 5_000)
    worker()
    officer_id = _new_officer(client, admin, f"{slug}.shibai{backend[:2]}")
    job = _wait_for(client, admin, officer_id, "failed")
    assert job["attempts"] == 3 and job["last_error"] == "keycloak create user failed (503)"
    first, second = (b - a for a, b in zip(failing.calls_at, failing.calls_at[1:], strict=False))
    assert first >= 0.2 and second >= 0.4  # dramatiq's backoff: 200 ms × 2^n × jitter [1, 2)
    failed = client.get("/api/v1/provisioning?status=failed", headers=admin).json["items"]
    assert job["id"] in [j["id"] for j in failed]

    healthy = Recording()
    monkeypatch.setattr(tasks, "_provisioner", healthy)
    r = client.post(f"/api/v1/provisioning/{job['id']}/retry", headers=admin)
    assert r.status_code == 200 and r.json["status"] == "pending" and r.json["attempts"] == 0
    done = _wait_for(client, admin, officer_id, "done")
    assert done["attempts"] == 1 and done["last_error"] == ""
    assert client.post(f"/api/v1/provisioning/{job['id']}/retry", headers=admin).status_code == 409


def test_with_the_built_in_provider_the_new_officer_signs_in_and_must_change_the_password(
    client, admin, worker, monkeypatch, backend, live_server, slug, own_district
):
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.tenants.identity.required_actions import pending

    monkeypatch.setattr(tasks, "_provisioner", BuiltinProvisioner(live_server.url))
    worker()
    username = f"{slug}.denglu{backend[:2]}"
    officer_id = _new_officer(client, admin, username)
    _wait_for(client, admin, officer_id, "done")
    issued = client.post(f"/api/v1/officers/{officer_id}/initial-password", headers=admin)
    assert issued.status_code == 201

    tenant_id = own_district["tenant_id"]
    with tenant_scope(tenant_id), db.new_session() as s:
        assert pending(s, uuid.UUID(officer_id)) == ["UPDATE_PASSWORD"]
    tokens = sign_in(
        live_server.url, slug, username, issued.json["password"], new_password="Own-pass-2026"
    )
    me = requests.get(
        f"{live_server.url}/api/v1/me", headers=bearer(tokens["access_token"]), timeout=10
    )
    assert me.status_code == 200 and me.json()["username"] == username
    with tenant_scope(tenant_id), db.new_session() as s:
        assert pending(s, uuid.UUID(officer_id)) == []  # done: the officer chose their own


def test_a_role_change_and_a_deactivation_are_jobs_of_their_own(
    client, admin, monkeypatch, backend, slug
):
    monkeypatch.setattr(tasks, "_provisioner", Recording())
    officer_id = _new_officer(client, admin, f"{slug}.biangeng{backend[:2]}")
    r = client.put(
        f"/api/v1/officers/{officer_id}/roles",
        json={"roles": ["officer", "agency_head"]},
        headers=admin,
    )
    assert r.status_code == 200
    assert (
        client.post(f"/api/v1/officers/{officer_id}/deactivate", headers=admin).status_code == 200
    )
    operations = [j["operation"] for j in _jobs(client, admin, officer_id)]
    assert operations == ["disable", "roles", "ensure"]
    bad = client.get("/api/v1/provisioning?status=stuck", headers=admin)
    assert bad.status_code == 422
