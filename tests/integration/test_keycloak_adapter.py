"""The Keycloak adapter against a FAKE of Keycloak's admin REST API (tests/fakes), over HTTP."""

from __future__ import annotations

import threading
import time

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

from tests.fakes.keycloak_admin import create_fake
from tests.support import free_port
from yimen.platform.auth.permissions import ROLES
from yimen.tenants.identity.keycloak import KeycloakProvisioner
from yimen.tenants.identity.ports import ProvisioningError

REALM_KEY = RSAKey.generate_key(2048, parameters={"kid": "kc-1", "use": "sig", "alg": "RS256"})


@pytest.fixture(scope="module")
def keycloak():
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_fake(
        lambda: url, jwks_for=lambda realm: {"keys": [REALM_KEY.as_dict(private=False)]}
    )
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield url, app
    server.shutdown()


@pytest.fixture
def provisioner(keycloak):
    url, _ = keycloak
    return KeycloakProvisioner(url, "yimen-provisioner", "secret", "https://yimen.example.gov.cn")


def test_a_district_becomes_a_realm_from_the_template_with_the_api_client_roles(
    keycloak, provisioner
):
    url, app = keycloak
    provisioner.ensure_district("gulou", "南京市鼓楼区")
    realm = app.config["realms"]["gulou"]
    assert (
        realm["rep"]["displayName"] == "南京市鼓楼区"
        and realm["rep"]["organizationsEnabled"] is True
    )
    api = next(c for c in realm["clients"].values() if c["clientId"] == "yimen-api")
    assert set(api["roles"]) == set(ROLES)
    console = next(c for c in realm["clients"].values() if c["clientId"] == "yimen-console")
    assert console["publicClient"] and console["attributes"]["pkce.code.challenge.method"] == "S256"
    provisioner.ensure_district("gulou", "南京市鼓楼区")  # idempotent
    assert len(app.config["realms"]) >= 1


def test_agencies_become_organizations_and_officers_users_with_a_required_password_change(
    keycloak, provisioner
):
    _, app = keycloak
    provisioner.ensure_district("jianye", "南京市建邺区")
    provisioner.ensure_agency("jianye", "zhzf", "建邺区综合行政执法局")
    provisioner.ensure_agency("jianye", "zhzf", "建邺区综合行政执法局")
    officer = {
        "id": "x",
        "username": "jianye.lisi",
        "name": "李四",
        "agency": "zhzf",
        "roles": ["officer", "agency_head"],
    }
    subject = provisioner.ensure_officer("jianye", officer)
    assert provisioner.ensure_officer("jianye", officer) == subject  # a retry finds the same user
    realm = app.config["realms"]["jianye"]
    user = realm["users"][subject]
    assert user["requiredActions"] == ["UPDATE_PASSWORD"] and user["attributes"]["agency"] == [
        "zhzf"
    ]
    assert set(user["clientRoles"]["yimen-api"]) == {"officer", "agency_head"}
    orgs = list(realm["orgs"].values())
    assert len(orgs) == 1 and orgs[0]["members"] == [subject]


def test_deactivation_disables_the_user(keycloak, provisioner):
    _, app = keycloak
    provisioner.ensure_district("pukou", "南京市浦口区")
    subject = provisioner.ensure_officer(
        "pukou",
        {"id": "y", "username": "pukou.wang", "name": "王五", "agency": "zhzf", "roles": []},
    )
    provisioner.set_enabled("pukou", subject, False)
    assert app.config["realms"]["pukou"]["users"][subject]["enabled"] is False


def test_an_unreachable_keycloak_is_a_provisioning_error_to_retry():
    dead = KeycloakProvisioner(f"http://127.0.0.1:{free_port()}", "c", "s", "https://x", timeout=2)
    with pytest.raises(ProvisioningError):
        dead.ensure_district("nowhere", "无")


def test_a_new_realms_tokens_are_trusted_without_a_restart(
    keycloak, provisioner, app, new_district
):
    """The API trusts <keycloak>/realms/{slug}; a district created now is trusted at once."""
    from yimen.platform.auth.tokens import IssuerTemplates

    url, _ = keycloak
    tenant = new_district("建邺测试区")
    provisioner.ensure_district(tenant.slug, tenant.name)
    validator = app.extensions["yimen.token_validator"]
    original = validator.templates
    validator.templates = IssuerTemplates(
        (*original._templates, f"{url}/realms/{{slug}}"), original._builtin_prefix
    )
    try:
        now = int(time.time())
        claims = {
            "iss": f"{url}/realms/{tenant.slug}",
            "aud": ["yimen-api", "account"],
            "sub": "svc",
            "azp": "kc-client",
            "exp": now + 300,
            "iat": now,
            "preferred_username": "service-account-kc-client",
            "resource_access": {"yimen-api": {"roles": ["district_admin"]}},
        }
        token = jwt.encode({"alg": "RS256", "kid": "kc-1"}, claims, REALM_KEY)
        r = app.test_client().get("/api/v1/agencies", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and r.json["total"] == 0
        forged = jwt.encode({"alg": "RS256", "kid": "kc-1"}, claims, RSAKey.generate_key(2048))
        assert (
            app.test_client()
            .get("/api/v1/agencies", headers={"Authorization": f"Bearer {forged}"})
            .status_code
            == 401
        )
    finally:
        validator.templates = original
    assert (
        requests.get(
            f"{url}/realms/{tenant.slug}/.well-known/openid-configuration", timeout=5
        ).status_code
        == 200
    )
