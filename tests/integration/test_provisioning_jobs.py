"""Provisioning jobs over a real Redis broker: queued after commit, retried, re-drivable."""

from __future__ import annotations

import time

import pytest

from tests.conftest import bearer
from tests.integration.test_worker_redis import redis_broker  # noqa: F401 - fixture
from yimen.gateway.worker.runner import InProcessWorker
from yimen.tenants.identity import tasks
from yimen.tenants.identity.ports import IdentityProvisioner, ProvisioningError


class Recording(IdentityProvisioner):
    def __init__(self, fail: bool = False) -> None:
        self.fail, self.officers = fail, []

    def ensure_district(self, slug, name):
        pass

    def ensure_agency(self, slug, code, name):
        pass

    def ensure_officer(self, slug, officer):
        if self.fail:
            raise ProvisioningError("keycloak create user failed (503)")
        self.officers.append(officer["username"])
        return f"kc-{officer['username']}"

    def set_enabled(self, slug, subject, enabled):
        pass


@pytest.fixture
def worker(redis_broker):  # noqa: F811
    runner = InProcessWorker(redis_broker, threads=1)
    runner.worker.start()
    yield runner
    runner.worker.stop()


def _wait_for(client, admin, entity_id, status, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        items = client.get(f"/api/v1/provisioning?entity_id={entity_id}", headers=admin).json[
            "items"
        ]
        if items and items[0]["status"] == status:
            return items[0]
        time.sleep(0.1)
    raise AssertionError(f"job of {entity_id} did not reach {status}: {items}")


def _new_officer(client, admin, demo_agency_id, username):
    r = client.post(
        "/api/v1/officers",
        json={"agency_id": demo_agency_id, "username": username, "name": "开通测试"},
        headers=admin,
    )
    assert r.status_code == 201, r.json
    return r.json["id"]


def _agency(client, admin):
    return client.get("/api/v1/agencies?q=zhzf", headers=admin).json["items"][0]["id"]


def test_a_new_officer_is_provisioned_by_the_worker(
    client, machine_token, worker, monkeypatch, backend
):
    recorder = Recording()
    monkeypatch.setattr(tasks, "_provisioner", recorder)
    admin = bearer(machine_token("xuanwu", ["district_admin"]))
    officer_id = _new_officer(client, admin, _agency(client, admin), f"xuanwu.kaitong{backend[:2]}")
    job = _wait_for(client, admin, officer_id, "done")
    assert job["attempts"] == 1 and recorder.officers == [f"xuanwu.kaitong{backend[:2]}"]
    officer = client.get(f"/api/v1/officers/{officer_id}", headers=admin).json
    assert officer["status"] == "active"


def test_a_failing_provider_is_retried_then_marked_failed_and_can_be_re_driven(
    client, machine_token, worker, monkeypatch, backend
):
    monkeypatch.setattr(tasks, "_provisioner", Recording(fail=True))
    monkeypatch.setattr(tasks, "MAX_ATTEMPTS", 3)
    monkeypatch.setitem(tasks.provision.options, "max_retries", 2)
    monkeypatch.setitem(tasks.provision.options, "min_backoff", 20)
    monkeypatch.setitem(tasks.provision.options, "max_backoff", 100)
    admin = bearer(machine_token("xuanwu", ["district_admin"]))
    officer_id = _new_officer(client, admin, _agency(client, admin), f"xuanwu.shibai{backend[:2]}")
    job = _wait_for(client, admin, officer_id, "failed")
    assert job["attempts"] == 3 and job["last_error"] == "keycloak create user failed (503)"
    healthy = Recording()
    monkeypatch.setattr(tasks, "_provisioner", healthy)
    r = client.post(f"/api/v1/provisioning/{job['id']}/retry", headers=admin)
    assert r.status_code == 200 and r.json["status"] == "pending"
    assert _wait_for(client, admin, officer_id, "done")["attempts"] == 1
    assert client.post(f"/api/v1/provisioning/{job['id']}/retry", headers=admin).status_code == 409
