"""Every kind of bad token gets 401 problem+json, and the tenant comes only from the issuer."""

from __future__ import annotations

import base64
import json
import time

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select

from tests.conftest import bearer
from tests.integration.oidc_flow import sign_in
from yimen.platform.idp.keys import active_key
from yimen.platform.kernel.db import db, tenant_scope
from yimen.platform.kernel.directory import Tenant
from yimen.platform.kernel.identity import service_account_subject

PROBLEM = "application/problem+json"
# District A is the module's own; district B, whose issuer and key are only read, the
# demo's qinhuai.
DISTRICT: dict = {}


@pytest.fixture(autouse=True)
def district(own_district, monkeypatch) -> dict:
    monkeypatch.setitem(DISTRICT, "slug", own_district["slug"])
    return own_district


def _district_key(slug: str) -> tuple[str, RSAKey]:
    with db.new_session() as s:
        tenant_id = s.execute(select(Tenant.id).where(Tenant.slug == slug)).scalar_one()
    with tenant_scope(tenant_id), db.new_session() as s:
        key = active_key(s)
        s.commit()
        return key.kid, RSAKey.import_key(key.private_jwk)


def _claims(live_server, slug=None, **changes) -> dict:
    slug = slug or DISTRICT["slug"]
    now = int(time.time())
    issuer = f"{live_server.url}/oidc/{slug}"
    claims = {
        "iss": issuer,
        "aud": ["yimen-api"],
        "azp": "probe",
        "sub": service_account_subject(issuer, "probe"),  # the client's own token
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "preferred_username": "service-account-probe",
        "resource_access": {"yimen-api": {"roles": ["district_admin"]}},
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _signed(live_server, slug=None, key=None, kid=None, **changes) -> str:
    slug = slug or DISTRICT["slug"]
    real_kid, real_key = _district_key(slug)
    return jwt.encode(
        {"alg": "RS256", "kid": kid or real_kid},
        _claims(live_server, slug, **changes),
        key or real_key,
    )


def _refused(live_server, token: str) -> dict:
    r = requests.get(f"{live_server.url}/api/v1/agencies", headers=bearer(token), timeout=10)
    assert r.status_code == 401, r.text
    assert r.headers["Content-Type"] == PROBLEM
    return r.json()


def test_a_well_formed_token_of_the_district_is_accepted(live_server, app):
    r = requests.get(
        f"{live_server.url}/api/v1/agencies", headers=bearer(_signed(live_server)), timeout=10
    )
    assert r.status_code == 200


def test_an_expired_token_is_refused(live_server, app):
    body = _refused(
        live_server, _signed(live_server, exp=int(time.time()) - 120, iat=int(time.time()) - 600)
    )
    assert body["detail_en"] == "Token has expired."


def test_a_token_not_yet_valid_is_refused(live_server, app):
    _refused(live_server, _signed(live_server, nbf=int(time.time()) + 600))


def test_a_forged_token_signed_with_another_key_is_refused(live_server, app):
    forger = RSAKey.generate_key(2048)
    body = _refused(live_server, _signed(live_server, key=forger))
    assert body["detail"] == "令牌签名无效。"


def test_a_token_for_another_audience_is_refused(live_server, app):
    _refused(live_server, _signed(live_server, aud=["some-other-api"]))


def test_a_token_from_an_unknown_issuer_is_refused(live_server, app):
    body = _refused(live_server, _signed(live_server, iss="https://sso.example.com/realms/xuanwu"))
    assert body["code"] == "untrusted-issuer"


def test_an_unsigned_alg_none_token_is_refused(live_server, app):
    def b64(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    token = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(_claims(live_server))}."
    body = _refused(live_server, token)
    assert body["detail_en"] == "Token algorithm is not accepted."


def test_district_as_token_replayed_with_district_bs_issuer_is_refused(live_server, app):
    token = live_server.client_token(DISTRICT["slug"])
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["iss"] = f"{live_server.url}/oidc/qinhuai"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    _refused(live_server, f"{header}.{forged}.{signature}")


def test_district_as_key_does_not_open_district_b(live_server, app):
    kid, key = _district_key(DISTRICT["slug"])
    _refused(live_server, _signed(live_server, slug="qinhuai", key=key, kid=kid))


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "Bearer", "x" * 5000])
def test_garbage_is_refused_cleanly(live_server, app, garbage):
    r = requests.get(
        f"{live_server.url}/api/v1/agencies",
        headers={"Authorization": f"Bearer {garbage}"},
        timeout=10,
    )
    assert r.status_code == 401 and r.headers["Content-Type"] == PROBLEM


def test_a_deactivated_officers_token_stops_working_at_once(live_server, machine_token):
    slug = DISTRICT["slug"]
    tokens = sign_in(live_server.url, slug, f"{slug}.guoyan")
    officer_headers = bearer(tokens["access_token"])
    assert (
        requests.get(
            f"{live_server.url}/api/v1/agencies", headers=officer_headers, timeout=10
        ).status_code
        == 200
    )
    admin = bearer(machine_token(slug, ["district_admin"]))
    officer = requests.get(
        f"{live_server.url}/api/v1/officers",
        params={"q": f"{slug}.guoyan"},
        headers=admin,
        timeout=10,
    ).json()["items"][0]
    r = requests.post(
        f"{live_server.url}/api/v1/officers/{officer['id']}/deactivate", headers=admin, timeout=10
    )
    assert r.status_code == 200 and r.json()["status"] == "inactive"
    body = _refused(live_server, tokens["access_token"])
    assert body["code"] == "account-inactive"
    refreshed = requests.post(
        f"{live_server.url}/oidc/{slug}/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": "yimen-console",
        },
        timeout=10,
    )
    assert refreshed.json()["error"] == "invalid_grant"
    requests.post(
        f"{live_server.url}/api/v1/officers/{officer['id']}/activate", headers=admin, timeout=10
    )
