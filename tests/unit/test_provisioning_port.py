"""The identity provisioning port and what both adapters promise without any I/O:
the issuers they name are the ones the API is configured to trust, the realm template
is rendered safely, and role and user updates converge on the directory."""

from __future__ import annotations

import inspect

import pytest

from yimen.platform.auth.tokens import IssuerTemplates
from yimen.platform.kernel.config import load_settings
from yimen.platform.kernel.permissions import ROLES
from yimen.tenants.identity.builtin import BuiltinProvisioner
from yimen.tenants.identity.keycloak import (
    AGENCY_ATTRIBUTE,
    KeycloakProvisioner,
    new_user,
    realm_representation,
    role_changes,
    updated_user,
)
from yimen.tenants.identity.ports import AgencyRef, DistrictRef, IdentityProvisioner, OfficerRef

PUBLIC = "https://yimen.nanjing.gov.cn"
KEYCLOAK = "https://sso.nanjing.gov.cn"
GULOU = DistrictRef("gulou", "南京市鼓楼区")
ZHZF = AgencyRef("zhzf", "鼓楼区综合行政执法局")
LI = OfficerRef("0b7f…", "gulou.lisi", "李四", ZHZF, enabled=True)


def adapters() -> list[IdentityProvisioner]:
    return [
        BuiltinProvisioner(PUBLIC),
        KeycloakProvisioner(KEYCLOAK, "yimen-provisioner", "s", PUBLIC),
    ]


@pytest.mark.parametrize("adapter", adapters(), ids=["builtin", "keycloak"])
def test_each_adapter_implements_the_whole_port(adapter):
    assert not inspect.isabstract(type(adapter))
    port = {
        n for n, f in vars(IdentityProvisioner).items() if getattr(f, "__isabstractmethod__", 0)
    }
    assert port == {
        "issuer_for",
        "ensure_district",
        "ensure_agency",
        "ensure_officer",
        "set_roles",
        "set_enabled",
        "revoke_sessions",
        "unlock_sign_in",
        "locked_user_names",
        "set_initial_password",
    }


@pytest.mark.parametrize(
    ("provider", "adapter"),
    [("builtin", adapters()[0]), ("keycloak", adapters()[1])],
    ids=["builtin", "keycloak"],
)
def test_the_issuer_an_adapter_names_is_trusted_by_the_default_configuration(
    provider, adapter, tmp_path, monkeypatch
):
    monkeypatch.delenv("YIMEN_TRUSTED_ISSUERS", raising=False)
    settings = load_settings(
        var_dir=tmp_path, public_url=PUBLIC, identity_provider=provider, keycloak_url=KEYCLOAK
    )
    templates = IssuerTemplates(settings.trusted_issuers, f"{PUBLIC}/oidc/")
    match = templates.match(adapter.issuer_for("gulou"))
    assert match is not None and match.slug == "gulou"
    assert match.builtin is (provider == "builtin")


def test_a_realm_has_the_api_client_with_every_platform_role_and_the_pkce_console():
    realm = realm_representation(GULOU, PUBLIC)
    assert realm["realm"] == "gulou" and realm["displayName"] == "南京市鼓楼区"
    assert realm["organizationsEnabled"] is True and realm["enabled"] is True
    clients = {c["clientId"]: c for c in realm["clients"]}
    assert clients["yimen-api"]["bearerOnly"] is True
    assert [r["name"] for r in realm["roles"]["client"]["yimen-api"]] == list(ROLES)
    console = clients["yimen-console"]
    assert console["publicClient"] and not console["directAccessGrantsEnabled"]
    assert console["attributes"]["pkce.code.challenge.method"] == "S256"
    assert console["redirectUris"] == [f"{PUBLIC}/console/callback"]
    mappers = {m["protocolMapper"]: m["config"] for m in console["protocolMappers"]}
    assert mappers["oidc-audience-mapper"]["included.client.audience"] == "yimen-api"
    assert mappers["oidc-usermodel-attribute-mapper"]["claim.name"] == AGENCY_ATTRIBUTE


def test_a_district_name_cannot_change_the_realms_structure():
    realm = realm_representation(
        DistrictRef("gulou", '鼓楼区", "enabled": false, "x": "{slug}'), PUBLIC
    )
    assert realm["enabled"] is True
    assert realm["displayName"] == '鼓楼区", "enabled": false, "x": "{slug}'


def test_role_changes_grant_the_missing_and_revoke_the_rest_but_only_platform_roles():
    grant, revoke = role_changes({"officer", "district_admin"}, ["officer", "agency_head", "root"])
    assert grant == {"agency_head"} and revoke == {"district_admin"}
    assert role_changes({"officer"}, ["officer"]) == (set(), set())


def test_a_new_keycloak_user_must_change_its_password_and_carries_its_agency():
    user = new_user(LI)
    assert user["requiredActions"] == ["UPDATE_PASSWORD"]
    assert user["attributes"] == {"agency": ["zhzf"]} and user["enabled"] is True


def test_an_update_sends_the_whole_user_back_keeping_what_the_directory_does_not_own():
    current = {
        "id": "u1",
        "username": "gulou.lisi",
        "firstName": "李四",
        "lastName": "",
        "email": "lisi@gulou.gov.cn",
        "enabled": True,
        "requiredActions": ["UPDATE_PASSWORD"],
        "attributes": {"agency": ["old"], "phone": ["025-1234"]},
    }
    moved = OfficerRef("x", "gulou.lisi", "李思", ZHZF, enabled=False)
    user = updated_user(current, moved)
    assert user["email"] == "lisi@gulou.gov.cn" and user["requiredActions"] == ["UPDATE_PASSWORD"]
    assert user["attributes"] == {"agency": ["zhzf"], "phone": ["025-1234"]}
    assert user["firstName"] == "李思" and user["enabled"] is False
    assert current["attributes"]["agency"] == ["old"]  # the read copy is not changed


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"identity_provider": "keycloack"}, "must be builtin or keycloak"),
        ({"identity_provider": "keycloak", "keycloak_url": ""}, "needs YIMEN_KEYCLOAK_URL"),
    ],
)
def test_a_wrong_provider_setting_stops_the_start_instead_of_provisioning_nowhere(
    overrides, message, tmp_path
):
    with pytest.raises(ValueError, match=message):
        load_settings(var_dir=tmp_path, **overrides)
