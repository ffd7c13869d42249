"""Trust in the built-in sign-in: bad requests are clear 400s, the initial password is
one-time, guessing is throttled, and a machine client is told by its token's client."""

from __future__ import annotations

import pytest
import requests

from tests.integration.oidc_flow import CONSOLE, pkce


def _authorize_params(live_server, **changes) -> dict:
    _, challenge = pkce()
    params = {
        "response_type": "code",
        "client_id": CONSOLE,
        "redirect_uri": f"{live_server.url}/console/callback",
        "scope": "openid",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return params | changes


@pytest.mark.parametrize(
    "changes",
    [
        {"redirect_uri": 'http://127.0.0.1/console/callback"'},
        {"redirect_uri": '"'},
        {"redirect_uri": "http://127.0.0.1/console/callback\\"},
        {"response_type": 'code"'},
    ],
)
def test_a_quote_in_the_sign_in_request_is_a_clear_400_never_a_500(live_server, changes):
    r = requests.get(
        f"{live_server.url}/oidc/xuanwu/authorize",
        params=_authorize_params(live_server, **changes),
        allow_redirects=False,
        timeout=10,
    )
    assert r.status_code == 400 and "Location" not in r.headers
    assert "登录请求无效" in r.text and "Invalid sign-in request" in r.text
