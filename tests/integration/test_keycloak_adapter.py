"""The Keycloak adapter against a FAKE of Keycloak's admin REST API (tests/fakes/
keycloak_admin.py), over real HTTP: no Keycloak server can run on this machine."""

from __future__ import annotations

import time
import uuid

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.conftest import bearer
from tests.fakes.keycloak_admin import serve
from tests.support import free_port
from yimen.platform.kernel.permissions import ROLES
from yimen.tenants.identity import tasks
from yimen.tenants.identity.keycloak import KeycloakProvisioner
from yimen.tenants.identity.ports import AgencyRef, DistrictRef, OfficerRef, ProvisioningError

PUBLIC = "https://yimen.nanjing.gov.cn"
REALM_KEY = RSAKey.generate_key(2048, parameters={"kid": "kc-1", "use": "sig", "alg": "RS256"})
ZHZF = AgencyRef("zhzf", "综合行政执法局")


@pytest.fixture(scope="module")
def keycloak():
    fake = serve(free_port(), jwks_for=lambda realm: {"keys": [REALM_KEY.as_dict(private=False)]})
    yield fake
    fake.stop()


@pytest.fixture
def provisioner(keycloak):
    return KeycloakProvisioner(keycloak.url, "yimen-provisioner", "secret", PUBLIC, timeout=5)


@pytest.fixture
def district(provisioner):
    """A district whose realm exists at the fake."""
    ref = DistrictRef(f"k{uuid.uuid4().hex[:8]}", "南京市建邺区")
    provisioner.ensure_district(ref)
    return ref


def officer(username: str, agency: AgencyRef = ZHZF, enabled: bool = True) -> OfficerRef:
    return OfficerRef(str(uuid.uuid4()), username, "李四", agency, enabled)


def test_a_district_becomes_a_realm_from_the_template_with_the_api_client_roles(
    keycloak, provisioner, district
):
    realm = keycloak.state.realms[district.slug]
    assert realm.representation["displayName"] == "南京市建邺区"
    assert realm.representation["organizationsEnabled"] is True
    assert set(realm.client("yimen-api")["roles"]) == set(ROLES)
    console = realm.client("yimen-console")
    assert console["publicClient"] and console["attributes"]["pkce.code.challenge.method"] == "S256"
    agency = next(a for a in realm.profile["attributes"] if a["name"] == "agency")
    assert agency["permissions"]["edit"] == ["admin"]  # an officer cannot move agencies

    before = len(keycloak.state.calls)
    provisioner.ensure_district(district)  # a retried job
    again = keycloak.state.calls[before:]
    assert again.count("POST /admin/realms") == 1  # answered 409, and that is fine
    assert not any(c.endswith("/roles") and c.startswith("POST") for c in again)
    assert sum(a["name"] == "agency" for a in realm.profile["attributes"]) == 1


def test_a_realm_made_before_a_platform_role_existed_gets_it(keycloak, provisioner, district):
    roles = keycloak.state.realms[district.slug].client("yimen-api")["roles"]
    del roles["police"]
    provisioner.ensure_district(district)
    assert "police" in roles


def test_an_agency_becomes_an_organization_found_again_by_its_code(keycloak, provisioner, district):
    provisioner.ensure_agency(district, ZHZF)
    provisioner.ensure_agency(district, AgencyRef("zhzf", "综合执法局 (更名)"))  # renamed since
    orgs = list(keycloak.state.realms[district.slug].organizations.values())
    assert len(orgs) == 1
    assert orgs[0]["alias"] == "zhzf" and orgs[0]["attributes"] == {"yimen_agency": ["zhzf"]}


def test_an_officer_becomes_a_user_who_must_set_a_password_in_the_agency_with_client_roles(
    keycloak, provisioner, district
):
    provisioner.ensure_agency(district, ZHZF)
    li = officer("jianye.lisi")
    subject = provisioner.ensure_officer(district, li, ["officer", "agency_head"])
    assert provisioner.ensure_officer(district, li, ["officer", "agency_head"]) == subject
    realm = keycloak.state.realms[district.slug]
    user = realm.users[subject]
    assert user["requiredActions"] == ["UPDATE_PASSWORD"] and user["enabled"] is True
    assert user["attributes"] == {"agency": ["zhzf"]}
    assert set(user["clientRoles"]["yimen-api"]) == {"officer", "agency_head"}
    (org,) = realm.organizations.values()
    assert org["members"] == [subject]
    assert len(realm.users) == 1


def test_an_officer_provisioned_before_the_agency_job_ran_still_joins_it(
    keycloak, provisioner, district
):
    subject = provisioner.ensure_officer(district, officer("jianye.early"), ["officer"])
    (org,) = keycloak.state.realms[district.slug].organizations.values()
    assert org["alias"] == "zhzf" and org["members"] == [subject]


def test_a_role_change_revokes_as_well_as_grants(keycloak, provisioner, district):
    wang = officer("jianye.wang")
    subject = provisioner.ensure_officer(district, wang, ["officer", "district_admin"])
    provisioner.set_roles(district, wang, ["officer", "legal_reviewer"])
    held = keycloak.state.realms[district.slug].users[subject]["clientRoles"]["yimen-api"]
    assert set(held) == {"officer", "legal_reviewer"}


def test_deactivation_disables_the_user_and_keeps_the_rest_of_it(keycloak, provisioner, district):
    zhao = officer("jianye.zhao")
    subject = provisioner.ensure_officer(district, zhao, ["officer"])
    user = keycloak.state.realms[district.slug].users[subject]
    user["email"] = "zhao@jianye.gov.cn"  # set in Keycloak by someone else

    provisioner.set_enabled(district, zhao, False)
    assert user["enabled"] is False
    assert user["firstName"] == "李四" and user["email"] == "zhao@jianye.gov.cn"
    assert user["attributes"] == {"agency": ["zhzf"]}  # PUT replaces: sent back whole
    provisioner.set_enabled(district, zhao, True)
    assert user["enabled"] is True


def test_an_officer_keycloak_never_saw_has_nothing_to_disable_but_no_roles_to_set(
    provisioner, district
):
    ghost = officer("jianye.ghost")
    provisioner.set_enabled(district, ghost, False)
    with pytest.raises(ProvisioningError, match="not provisioned yet"):
        provisioner.set_roles(district, ghost, ["officer"])


def test_failures_name_the_step_and_status_never_the_person(keycloak, provisioner, district):
    wrong = KeycloakProvisioner(keycloak.url, "yimen-provisioner", "wrong", PUBLIC, timeout=5)
    with pytest.raises(ProvisioningError, match=r"^keycloak find user failed \(401\)$"):
        wrong.ensure_officer(district, officer("jianye.sun"), ["officer"])
    keycloak.state.down = True
    try:
        with pytest.raises(ProvisioningError) as failure:
            provisioner.ensure_officer(district, officer("jianye.sun"), ["officer"])
    finally:
        keycloak.state.down = False
    assert str(failure.value) == "keycloak find user failed (503)"
    dead = KeycloakProvisioner(f"http://127.0.0.1:{free_port()}", "c", "s", PUBLIC, timeout=2)
    with pytest.raises(ProvisioningError, match=r"^keycloak create realm failed"):
        dead.ensure_district(DistrictRef("nowhere", "无"))


def test_the_directory_ends_sessions_lifts_a_lockout_and_sets_a_temporary_password(
    keycloak, provisioner, district
):
    zhou = officer("jianye.zhou")
    subject = provisioner.ensure_officer(district, zhou, ["officer"])
    realm = keycloak.state.realms[district.slug]

    realm.sessions[subject] = 2  # signed in on two devices
    provisioner.revoke_sessions(None, district, zhou)
    assert realm.sessions[subject] == 0

    assert provisioner.unlock_sign_in(None, district, zhou) is None  # nothing counted
    locked_on = 1_796_000_000_000  # epoch ms of the last wrong password
    realm.brute_force[subject] = {
        "numFailures": 30,
        "disabled": True,
        "lastIPFailure": "192.0.2.7",
        "lastFailure": locked_on,
    }
    other = officer("jianye.wu")
    provisioner.ensure_officer(district, other, ["officer"])
    names = provisioner.locked_user_names(None, district, ["jianye.zhou", "jianye.wu", "nobody"])
    assert names == {"jianye.zhou"}
    lifted = provisioner.unlock_sign_in(None, district, zhou)
    assert lifted is not None and lifted.failures == 30
    assert lifted.locked_at == "2026-11-30T00:53:20+00:00"
    assert subject not in realm.brute_force
    assert provisioner.locked_user_names(None, district, ["jianye.zhou"]) == set()

    realm.users[subject]["requiredActions"] = []  # set a password of their own since
    provisioner.set_initial_password(None, district, zhou, "Ym-once-only-1")
    assert realm.passwords[subject] == {"value": "Ym-once-only-1", "temporary": True}
    assert realm.users[subject]["requiredActions"] == ["UPDATE_PASSWORD"]


def test_an_officer_keycloak_never_saw_has_no_session_nor_lockout_but_no_password_either(
    provisioner, district
):
    ghost = officer("jianye.ghost2")
    provisioner.revoke_sessions(None, district, ghost)
    assert provisioner.unlock_sign_in(None, district, ghost) is None
    with pytest.raises(ProvisioningError, match="not provisioned yet"):
        provisioner.set_initial_password(None, district, ghost, "Ym-once-only-1")


# --- with the platform: the composition root, the job runner, the token validator ------


@pytest.fixture
def keycloak_app(live_server, keycloak, tmp_path):
    """The platform configured for Keycloak (YIMEN_IDENTITY_PROVIDER=keycloak), on the
    live server's database; restores the process-wide adapters it replaces."""
    from yimen.gateway.outbox import service as outbox
    from yimen.platform.app import create_app
    from yimen.platform.kernel.config import load_settings

    saved_provisioner, saved_connectors = tasks._provisioner, dict(outbox._connectors)
    live = live_server.app.extensions["yimen.settings"]
    app = create_app(
        load_settings(
            var_dir=tmp_path,
            database_url=live.database_url,
            public_url=live_server.url,
            broker_url="stub://",
            secret_key="test-secret-key",
            sms_url=f"{live_server.url}/_sim/sms",
            identity_provider="keycloak",
            keycloak_url=keycloak.url,
            keycloak_client_id="yimen-provisioner",
            keycloak_client_secret="secret",
        )
    )
    yield app
    tasks.configure(saved_provisioner)
    outbox._connectors.clear()
    outbox._connectors.update(saved_connectors)


def _run_jobs(client, admin, tenant_id, entity_id) -> list[dict]:
    """Run the entity's pending jobs as the worker would, and return them afterwards."""
    jobs = client.get(f"/api/v1/provisioning?entity_id={entity_id}", headers=admin).json["items"]
    for job in jobs:
        if job["status"] == "pending":
            tasks.run(tenant_id, uuid.UUID(job["id"]))
    return client.get(f"/api/v1/provisioning?entity_id={entity_id}", headers=admin).json["items"]


def _subject_of(tenant_id, officer_id) -> str:
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.directory import Officer

    with tenant_scope(tenant_id), db.new_session() as s:
        return s.get(Officer, uuid.UUID(officer_id)).subject


def _keycloak_token(issuer: str, sub: str, username: str, roles: list[str], **claims) -> str:
    now = int(time.time())
    body = {
        "iss": issuer,
        "aud": ["yimen-api", "account"],
        "sub": sub,
        "typ": "Bearer",
        "azp": "yimen-console",
        "exp": now + 300,
        "iat": now,
        "scope": "openid profile",
        "preferred_username": username,
        "resource_access": {"yimen-api": {"roles": roles}},
        **claims,
    }
    return jwt.encode({"alg": "RS256", "kid": "kc-1", "typ": "JWT"}, body, REALM_KEY)


def test_a_new_realms_tokens_are_trusted_without_a_restart(
    keycloak_app, keycloak, new_district, machine_token
):
    client = keycloak_app.test_client()
    tenant = new_district("建邺测试区")  # after the app started
    admin = bearer(machine_token(tenant.slug, ["district_admin"]))
    (job,) = _run_jobs(client, admin, tenant.id, tenant.id)
    assert job["status"] == "done" and tenant.slug in keycloak.state.realms

    issuer = f"{keycloak.url}/realms/{tenant.slug}"
    token = _keycloak_token(  # a service account's token names its client in client_id
        issuer,
        str(uuid.uuid4()),
        "service-account-kc-client",
        ["district_admin"],
        azp="kc-client",
        client_id="kc-client",
    )
    r = client.get("/api/v1/agencies", headers=bearer(token))
    assert r.status_code == 200, r.json
    forged = jwt.encode(
        {"alg": "RS256", "kid": "kc-1"},
        jwt.decode(token, REALM_KEY).claims,
        RSAKey.generate_key(2048),
    )
    assert client.get("/api/v1/agencies", headers=bearer(forged)).status_code == 401


def test_an_officer_onboarded_through_the_api_works_with_keycloak_tokens_until_deactivated(
    keycloak_app, keycloak, new_district, machine_token
):
    from yimen.platform.demo import credit_code

    client = keycloak_app.test_client()
    tenant = new_district("建邺测试区")
    admin = bearer(machine_token(tenant.slug, ["district_admin"]))
    _run_jobs(client, admin, tenant.id, tenant.id)
    agency = client.post(
        "/api/v1/agencies",
        json={
            "code": "zhzf",
            "name": "建邺区综合行政执法局",
            "credit_code": credit_code(tenant.division_code, 21),
            "kind": "comprehensive_bureau",
            "domains": ["urban_management"],
            "doc_prefix": "建综执罚",
        },
        headers=admin,
    )
    assert agency.status_code == 201, agency.json
    assert _run_jobs(client, admin, tenant.id, agency.json["id"])[0]["status"] == "done"
    created = client.post(
        "/api/v1/officers",
        json={"agency_id": agency.json["id"], "username": "jianye.qian", "name": "钱七"},
        headers=admin,
    )
    assert created.status_code == 201, created.json
    officer_id = created.json["id"]
    assert _run_jobs(client, admin, tenant.id, officer_id)[0]["status"] == "done"

    realm = keycloak.state.realms[tenant.slug]
    (subject,) = realm.users
    assert realm.users[subject]["requiredActions"] == ["UPDATE_PASSWORD"]
    assert _subject_of(tenant.id, officer_id) == subject  # the `sub` its tokens will carry
    token = bearer(
        _keycloak_token(
            f"{keycloak.url}/realms/{tenant.slug}",
            subject,
            "jianye.qian",
            ["officer"],
            name="钱七",
            agency="zhzf",
        )
    )
    me = client.get("/api/v1/me", headers=token)
    assert me.status_code == 200, me.json
    assert me.json["agency"] == "zhzf" and me.json["district"] == tenant.slug

    realm.sessions[subject] = 1
    r = client.post(f"/api/v1/officers/{officer_id}/deactivate", headers=admin)
    assert r.status_code == 200
    assert realm.sessions[subject] == 0  # logged out at Keycloak in the same request
    assert client.get("/api/v1/me", headers=token).status_code == 401  # at once
    jobs = _run_jobs(client, admin, tenant.id, officer_id)
    assert [(j["operation"], j["status"]) for j in jobs] == [
        ("disable", "done"),
        ("ensure", "done"),
    ]
    assert realm.users[subject]["enabled"] is False
