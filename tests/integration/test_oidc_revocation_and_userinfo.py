"""A relying party other than the console, driven by third-party OAuth libraries
(requests-oauthlib and oauthlib; authlib's requests client for client_secret_post):
the userinfo endpoint takes the access token in a form-encoded POST body (OIDC Core
§5.3.1, RFC 6750 §2.2), and tokens are revoked at the discovery document's
revocation_endpoint (RFC 7009)."""

from __future__ import annotations

import re
import secrets

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session as AuthlibSession
from oauthlib.oauth2 import WebApplicationClient
from requests_oauthlib import OAuth2Session

from tests.conftest import bearer
from tests.integration.oidc_flow import CONSOLE, sign_in

REDIRECT = "https://rp.example.cn/callback"


@pytest.fixture
def relying_party(app, live_server, monkeypatch, own_district):
    """A confidential client registered at the module's own district's issuer for the code
    flow."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the live server is plain HTTP
    from yimen.platform.idp.admin import hash_secret
    from yimen.platform.idp.model import OAuthClient
    from yimen.platform.kernel.db import db, tenant_scope

    slug = own_district["slug"]
    client_id, secret = f"rp-{secrets.token_hex(4)}", secrets.token_urlsafe(24)
    with tenant_scope(own_district["tenant_id"]), db.new_session() as s:
        s.add(
            OAuthClient(
                client_id=client_id,
                name="区政务服务平台",
                client_secret_hash=hash_secret(secret),
                redirect_uris=[REDIRECT],
                grant_types=["authorization_code", "refresh_token"],
                scope="openid profile offline_access",
                token_endpoint_auth_method="client_secret_basic",
            )
        )
        s.commit()
    issuer = f"{live_server.url}/oidc/{slug}"
    meta = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    return {"client_id": client_id, "secret": secret, "meta": meta, "slug": slug}


def rp_sign_in(rp: dict, username: str = "zhangwei") -> dict:
    """The code flow with PKCE as requests-oauthlib runs it; the officer's browser part
    (the sign-in form) is plain HTTP."""
    meta = rp["meta"]
    oauth = OAuth2Session(
        rp["client_id"],
        redirect_uri=REDIRECT,
        scope=["openid", "profile", "offline_access"],
        pkce="S256",
    )
    url, _state = oauth.authorization_url(meta["authorization_endpoint"])
    browser = requests.Session()
    form = browser.get(url, timeout=10)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    signed_in = browser.post(
        url,
        data={"username": f"{rp['slug']}.{username}", "password": "Yimen@2026", "csrf_token": csrf},
        allow_redirects=False,
        timeout=10,
    )
    return oauth.fetch_token(
        meta["token_endpoint"],
        authorization_response=signed_in.headers["Location"],
        client_secret=rp["secret"],
        include_client_id=False,  # client_secret_basic
    )


def revoke(rp: dict, token: str, hint: str, **params) -> requests.Response:
    """An RFC 7009 request as oauthlib prepares it, the client authenticated by Basic."""
    url, headers, body = WebApplicationClient(rp["client_id"]).prepare_token_revocation_request(
        rp["meta"]["revocation_endpoint"], token, token_type_hint=hint, **params
    )
    auth = (rp["client_id"], rp["secret"]) if rp.get("secret") else None
    return requests.post(url, headers=headers, data=body, auth=auth, timeout=10)


def refreshed(rp: dict, refresh_token: str) -> requests.Response:
    return requests.post(
        rp["meta"]["token_endpoint"],
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        auth=(rp["client_id"], rp["secret"]),
        timeout=10,
    )


def me(live_server, access_token: str) -> int:
    return requests.get(
        f"{live_server.url}/api/v1/me", headers=bearer(access_token), timeout=10
    ).status_code


# --- userinfo ---------------------------------------------------------------------


def test_userinfo_takes_the_token_in_a_form_encoded_post_body(relying_party):
    tokens = rp_sign_in(relying_party)
    uri, headers, body = WebApplicationClient(
        relying_party["client_id"], token=tokens, default_token_placement="body"
    ).add_token(
        relying_party["meta"]["userinfo_endpoint"],
        http_method="POST",
        body="",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert "access_token=" in body and "Authorization" not in headers
    r = requests.post(uri, headers=headers, data=body, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["preferred_username"] == f"{relying_party['slug']}.zhangwei"


def test_a_token_both_in_the_header_and_the_body_is_an_invalid_request(relying_party):
    token = rp_sign_in(relying_party)["access_token"]
    r = requests.post(
        relying_party["meta"]["userinfo_endpoint"],
        headers=bearer(token),
        data={"access_token": token},
        timeout=10,
    )
    assert r.status_code == 400
    assert 'error="invalid_request"' in r.headers["WWW-Authenticate"]


@pytest.mark.parametrize(
    "how",
    ["get-with-body", "json-body", "repeated"],
)
def test_the_body_carries_a_token_only_as_rfc_6750_allows(relying_party, how):
    token = rp_sign_in(relying_party)["access_token"]
    url = relying_party["meta"]["userinfo_endpoint"]
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    if how == "get-with-body":
        r = requests.get(url, headers=form, data=f"access_token={token}", timeout=10)
    elif how == "json-body":
        r = requests.post(url, json={"access_token": token}, timeout=10)
    else:
        r = requests.post(
            url, headers=form, data=f"access_token={token}&access_token=x", timeout=10
        )
    assert r.status_code in (400, 401) and r.json().get("preferred_username") is None
    challenge = r.headers["WWW-Authenticate"]
    assert challenge.startswith("Bearer")
    if how == "json-body":  # no token at all (§3.1: no error code)
        assert r.status_code == 401 and "error=" not in challenge
    else:
        assert r.status_code == 400 and 'error="invalid_request"' in challenge


def test_a_bad_token_in_the_body_is_an_invalid_token_challenge(relying_party):
    r = requests.post(
        relying_party["meta"]["userinfo_endpoint"], data={"access_token": "forged"}, timeout=10
    )
    assert r.status_code == 401
    challenge = r.headers["WWW-Authenticate"]
    # the token in the body was read and refused, not overlooked as missing
    assert 'error="invalid_token"' in challenge and "malformed" in challenge


# --- revocation -------------------------------------------------------------------


def test_discovery_names_the_revocation_endpoint(relying_party, live_server):
    meta = relying_party["meta"]
    assert meta["revocation_endpoint"] == f"{live_server.url}/oidc/{relying_party['slug']}/revoke"
    assert set(meta["revocation_endpoint_auth_methods_supported"]) >= {
        "client_secret_basic",
        "client_secret_post",
    }


def test_revoking_a_refresh_token_ends_the_grant_and_its_access_tokens(relying_party, live_server):
    tokens = rp_sign_in(relying_party)
    assert me(live_server, tokens["access_token"]) == 200
    r = revoke(relying_party, tokens["refresh_token"], "refresh_token")
    assert r.status_code == 200, r.text
    assert refreshed(relying_party, tokens["refresh_token"]).json()["error"] == "invalid_grant"
    assert me(live_server, tokens["access_token"]) == 401


def test_revoking_an_access_token_leaves_the_refresh_token(relying_party, live_server):
    tokens = rp_sign_in(relying_party)
    assert me(live_server, tokens["access_token"]) == 200
    # the wrong hint: the server searches its other token type too (RFC 7009 §2.1)
    assert revoke(relying_party, tokens["access_token"], "refresh_token").status_code == 200
    assert me(live_server, tokens["access_token"]) == 401
    userinfo = requests.get(
        relying_party["meta"]["userinfo_endpoint"],
        headers=bearer(tokens["access_token"]),
        timeout=10,
    )
    assert userinfo.status_code == 401
    again = refreshed(relying_party, tokens["refresh_token"])
    assert again.status_code == 200 and me(live_server, again.json()["access_token"]) == 200


def test_an_unknown_or_already_revoked_token_is_answered_200(relying_party):
    tokens = rp_sign_in(relying_party)
    assert revoke(relying_party, "no-such-token", "refresh_token").status_code == 200
    assert revoke(relying_party, tokens["refresh_token"], "refresh_token").status_code == 200
    assert revoke(relying_party, tokens["refresh_token"], "refresh_token").status_code == 200


def test_client_secret_post_revokes_with_authlibs_client(relying_party):
    tokens = rp_sign_in(relying_party)
    session = AuthlibSession(
        relying_party["client_id"],
        relying_party["secret"],
        revocation_endpoint_auth_method="client_secret_post",
    )
    r = session.revoke_token(
        relying_party["meta"]["revocation_endpoint"],
        tokens["refresh_token"],
        token_type_hint="refresh_token",
    )
    assert r.status_code == 200
    assert refreshed(relying_party, tokens["refresh_token"]).json()["error"] == "invalid_grant"


def test_a_client_must_authenticate_and_revokes_only_its_own_tokens(relying_party, live_server):
    tokens = rp_sign_in(relying_party)
    no_secret = revoke({**relying_party, "secret": None}, tokens["refresh_token"], "refresh_token")
    assert no_secret.status_code in (400, 401) and no_secret.json()["error"] == "invalid_client"
    wrong = revoke({**relying_party, "secret": "not-the-secret"}, tokens["refresh_token"], "")
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    # the console (a public client, by its client_id) cannot revoke the RP's token
    console = revoke(
        {"client_id": CONSOLE, "meta": relying_party["meta"], "secret": None},
        tokens["refresh_token"],
        "refresh_token",
        client_id=CONSOLE,
    )
    assert console.status_code == 400 and console.json()["error"] == "invalid_grant"
    assert refreshed(relying_party, tokens["refresh_token"]).status_code == 200


def test_the_public_console_revokes_its_refresh_token_with_its_client_id(
    relying_party, live_server
):
    slug = relying_party["slug"]
    tokens = sign_in(live_server.url, slug, f"{slug}.wangfang")
    console = {"client_id": CONSOLE, "meta": relying_party["meta"], "secret": None}
    r = revoke(console, tokens["refresh_token"], "refresh_token", client_id=CONSOLE)
    assert r.status_code == 200
    after = requests.post(
        relying_party["meta"]["token_endpoint"],
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": CONSOLE,
        },
        timeout=10,
    )
    assert after.json()["error"] == "invalid_grant"
    assert me(live_server, tokens["access_token"]) == 401
