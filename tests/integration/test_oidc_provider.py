"""The built-in OpenID Connect provider, exercised over real HTTP."""

from __future__ import annotations

import secrets

import pytest
import requests
from authlib.oidc.discovery import OpenIDProviderMetadata
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.conftest import bearer
from tests.integration.oidc_flow import CONSOLE, authorize, code_from, exchange, pkce, sign_in

DISTRICT: dict = {}  # the module's own district, whose issuer the tests sign in at


@pytest.fixture(autouse=True)
def district(own_district, monkeypatch) -> dict:
    monkeypatch.setitem(DISTRICT, "slug", own_district["slug"])
    monkeypatch.setitem(DISTRICT, "tenant_id", own_district["tenant_id"])
    return own_district


def test_discovery_is_a_valid_openid_provider_document(live_server):
    issuer = f"{live_server.url}/oidc/{DISTRICT['slug']}"
    meta = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    OpenIDProviderMetadata(meta).validate()
    assert meta["issuer"] == issuer
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["id_token_signing_alg_values_supported"] == ["RS256"]


def test_an_unknown_district_has_no_issuer(live_server):
    r = requests.get(f"{live_server.url}/oidc/nowhere/.well-known/openid-configuration", timeout=10)
    assert r.status_code == 404


def test_jwks_publishes_rsa_signing_keys(live_server):
    keys = requests.get(f"{live_server.url}/oidc/{DISTRICT['slug']}/jwks", timeout=10).json()[
        "keys"
    ]
    assert keys and all(k["kty"] == "RSA" and k["use"] == "sig" and "d" not in k for k in keys)


def test_an_officer_signs_in_with_code_and_pkce_and_the_api_knows_them(live_server):
    tokens = sign_in(live_server.url, DISTRICT["slug"], f"{DISTRICT['slug']}.liqiang")
    assert tokens["token_type"] == "Bearer" and tokens["refresh_token"] and tokens["id_token"]
    me = requests.get(
        f"{live_server.url}/api/v1/me", headers=bearer(tokens["access_token"]), timeout=10
    ).json()
    assert me["username"] == f"{DISTRICT['slug']}.liqiang" and me["name"] == "李强"
    assert me["district"] == DISTRICT["slug"] and me["agency"] == "zhzf"
    assert me["roles"] == ["agency_head", "officer"]


def test_tokens_are_shaped_like_keycloaks(live_server):
    nonce = secrets.token_urlsafe(8)
    tokens = sign_in(live_server.url, DISTRICT["slug"], f"{DISTRICT['slug']}.zhangwei", nonce=nonce)
    claims = jwt.decode(
        tokens["access_token"],
        KeySet.import_key_set(
            requests.get(f"{live_server.url}/oidc/{DISTRICT['slug']}/jwks", timeout=10).json()
        ),
    ).claims
    assert claims["iss"] == f"{live_server.url}/oidc/{DISTRICT['slug']}"
    assert claims["aud"] == ["yimen-api"] and claims["azp"] == CONSOLE
    assert claims["realm_access"]["roles"] == [
        f"default-roles-{DISTRICT['slug']}",
        "offline_access",
    ]
    assert claims["resource_access"]["yimen-api"]["roles"] == ["officer"]
    assert claims["exp"] - claims["iat"] == 300 and claims["nbf"] <= claims["iat"]
    id_claims = jwt.decode(
        tokens["id_token"],
        KeySet.import_key_set(
            requests.get(f"{live_server.url}/oidc/{DISTRICT['slug']}/jwks", timeout=10).json()
        ),
    ).claims
    assert id_claims["nonce"] == nonce and id_claims["aud"] == [CONSOLE] and "at_hash" in id_claims


def test_a_wrong_pkce_verifier_is_refused(live_server):
    _, challenge = pkce()
    response = authorize(
        live_server.url, DISTRICT["slug"], f"{DISTRICT['slug']}.zhangwei", "Yimen@2026", challenge
    )
    other_verifier, _ = pkce()
    r = exchange(live_server.url, DISTRICT["slug"], code_from(response), other_verifier)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_the_public_console_client_must_use_pkce(live_server):
    response = authorize(
        live_server.url,
        DISTRICT["slug"],
        f"{DISTRICT['slug']}.zhangwei",
        "Yimen@2026",
        challenge=None,
    )
    assert response.status_code == 400 and "PKCE" in response.text


def test_a_code_works_once(live_server):
    verifier, challenge = pkce()
    code = code_from(
        authorize(
            live_server.url,
            DISTRICT["slug"],
            f"{DISTRICT['slug']}.zhangwei",
            "Yimen@2026",
            challenge,
        )
    )
    assert exchange(live_server.url, DISTRICT["slug"], code, verifier).status_code == 200
    assert (
        exchange(live_server.url, DISTRICT["slug"], code, verifier).json()["error"]
        == "invalid_grant"
    )


def test_a_code_of_one_district_is_worthless_at_another(live_server):
    verifier, challenge = pkce()
    code = code_from(
        authorize(
            live_server.url,
            DISTRICT["slug"],
            f"{DISTRICT['slug']}.zhangwei",
            "Yimen@2026",
            challenge,
        )
    )
    # the demo's qinhuai as the other district: the code is only shown to its issuer
    assert exchange(live_server.url, "qinhuai", code, verifier).json()["error"] == "invalid_grant"


def _refresh(base, token):
    return requests.post(
        f"{base}/oidc/{DISTRICT['slug']}/token",
        data={"grant_type": "refresh_token", "refresh_token": token, "client_id": CONSOLE},
        timeout=10,
    )


def test_refresh_tokens_rotate_and_a_reused_one_revokes_the_family(live_server):
    first = sign_in(live_server.url, DISTRICT["slug"], f"{DISTRICT['slug']}.wangfang")
    second = _refresh(live_server.url, first["refresh_token"]).json()
    assert second["access_token"] and second["refresh_token"] != first["refresh_token"]
    assert _refresh(live_server.url, first["refresh_token"]).json()["error"] == "invalid_grant"
    assert _refresh(live_server.url, second["refresh_token"]).json()["error"] == "invalid_grant"


def test_client_credentials_read_the_district_and_a_wrong_secret_is_refused(
    live_server, own_district
):
    client = own_district["client"]
    token = live_server.client_token(own_district["slug"])
    r = requests.get(f"{live_server.url}/api/v1/agencies", headers=bearer(token), timeout=10)
    assert r.status_code == 200 and r.json()["total"] >= 5
    bad = requests.post(
        f"{client['issuer']}/token",
        data={"grant_type": "client_credentials"},
        auth=(client["client_id"], "not-the-secret"),
        timeout=10,
    )
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"


def test_rotating_keys_keeps_issued_tokens_valid_and_signs_new_ones_with_the_new_key(
    live_server, app
):
    from yimen.platform.idp.keys import rotate
    from yimen.platform.kernel.db import db, tenant_scope

    # the module's own district: a rotated key stays rotated, for every later module
    before = live_server.client_token(DISTRICT["slug"])
    with tenant_scope(DISTRICT["tenant_id"]), db.new_session() as s:
        new_kid = rotate(s).kid
        s.commit()
    after = live_server.client_token(DISTRICT["slug"])
    assert (
        jwt.decode(
            after,
            KeySet.import_key_set(
                requests.get(f"{live_server.url}/oidc/{DISTRICT['slug']}/jwks", timeout=10).json()
            ),
        ).header["kid"]
        == new_kid
    )
    for token in (before, after):
        assert (
            requests.get(
                f"{live_server.url}/api/v1/agencies", headers=bearer(token), timeout=10
            ).status_code
            == 200
        )


def test_userinfo_answers_for_the_token_holder(live_server):
    tokens = sign_in(live_server.url, DISTRICT["slug"], f"{DISTRICT['slug']}.heyun")
    info = requests.get(
        f"{live_server.url}/oidc/{DISTRICT['slug']}/userinfo",
        headers=bearer(tokens["access_token"]),
        timeout=10,
    ).json()
    assert info["preferred_username"] == f"{DISTRICT['slug']}.heyun" and info["roles"] == [
        "legal_affairs"
    ]


def test_sign_out_revokes_the_refresh_token(live_server):
    tokens = sign_in(live_server.url, DISTRICT["slug"], f"{DISTRICT['slug']}.zhaomin")
    r = requests.get(
        f"{live_server.url}/oidc/{DISTRICT['slug']}/logout",
        params={
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": f"{live_server.url}/console/",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert r.status_code == 302 and r.headers["Location"] == f"{live_server.url}/console/"
    assert _refresh(live_server.url, tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_the_sign_in_form_refuses_a_post_without_its_csrf_token(live_server):
    _, challenge = pkce()
    params = {
        "response_type": "code",
        "client_id": CONSOLE,
        "redirect_uri": f"{live_server.url}/console/callback",
        "scope": "openid",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    r = requests.post(
        f"{live_server.url}/oidc/{DISTRICT['slug']}/authorize",
        params=params,
        data={"username": f"{DISTRICT['slug']}.zhangwei", "password": "Yimen@2026"},
        allow_redirects=False,
        timeout=10,
    )
    assert r.status_code == 400 and "Location" not in r.headers
