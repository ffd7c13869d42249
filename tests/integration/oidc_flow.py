"""Drives the built-in provider's code flow with plain HTTP, as a browser would."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlparse

import requests

CONSOLE = "yimen-console"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    return verifier, challenge


def authorize(
    base: str,
    slug: str,
    username: str,
    password: str,
    challenge: str | None,
    http: requests.Session | None = None,
    nonce: str | None = None,
    new_password: str | None = None,
) -> requests.Response:
    """Sign in at the issuer; returns the response that redirects back with the code.
    After a one-time initial password the issuer asks for a new one: with `new_password`
    it is set (typed twice), without it the form asking for it is returned."""
    http = http or requests.Session()
    params = {
        "response_type": "code",
        "client_id": CONSOLE,
        "redirect_uri": f"{base}/console/callback",
        "scope": "openid profile offline_access",
        "state": "s-1",
        "nonce": nonce or secrets.token_urlsafe(12),
    }
    if challenge:
        params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    issuer = f"{base}/oidc/{slug}"
    form = http.get(f"{issuer}/authorize", params=params, allow_redirects=False, timeout=10)
    if form.status_code != 200 or "password" not in form.text:
        return form
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    signed_in = http.post(
        f"{issuer}/authorize",
        params=params,
        data={"username": username, "password": password, "csrf_token": csrf},
        allow_redirects=False,
        timeout=10,
    )
    if new_password is None or 'name="new_password"' not in signed_in.text:
        return signed_in
    return http.post(
        f"{issuer}/authorize",
        params=params,
        data={"new_password": new_password, "new_password_again": new_password, "csrf_token": csrf},
        allow_redirects=False,
        timeout=10,
    )


def code_from(response: requests.Response) -> str:
    query = parse_qs(urlparse(response.headers["Location"]).query)
    return query["code"][0]


def exchange(base: str, slug: str, code: str, verifier: str | None) -> requests.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": CONSOLE,
        "redirect_uri": f"{base}/console/callback",
    }
    if verifier:
        data["code_verifier"] = verifier
    return requests.post(f"{base}/oidc/{slug}/token", data=data, timeout=10)


def sign_in(
    base: str,
    slug: str,
    username: str,
    password: str = "Yimen@2026",
    nonce: str | None = None,
    new_password: str | None = None,
) -> dict:
    verifier, challenge = pkce()
    response = authorize(
        base, slug, username, password, challenge, nonce=nonce, new_password=new_password
    )
    return exchange(base, slug, code_from(response), verifier).json()
