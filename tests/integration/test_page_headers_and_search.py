"""The console and the sign-in page carry the same security headers as the public site,
and a search for `%` or `_` looks for that character instead of matching everything."""

from __future__ import annotations

import pytest

from tests.conftest import bearer
from tests.integration.conftest import _agency_client
from tests.integration.oidc_flow import CONSOLE, pkce

HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options")


def _hardened(response) -> None:
    assert "frame-ancestors" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] in ("DENY", "SAMEORIGIN")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_console_pages_send_csp_no_framing_and_nosniff(live_server, app, client, own_district):
    officer = _agency_client(live_server, app, "zhzf", ["officer"], own_district["slug"])
    for path in ("/console/", "/console/cases/", "/console/clues/"):
        page = client.get(path, headers={**officer, "Accept": "text/html"})
        assert page.status_code == 200, path
        _hardened(page)


def test_the_sign_in_page_sends_csp_no_framing_and_nosniff(client, live_server, own_district):
    _, challenge = pkce()
    page = client.get(
        f"/oidc/{own_district['slug']}/authorize",
        query_string={
            "response_type": "code",
            "client_id": CONSOLE,
            "redirect_uri": f"{live_server.url}/console/callback",
            "scope": "openid",
            "state": "s",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    assert page.status_code == 200 and "password" in page.get_data(as_text=True)
    _hardened(page)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/agencies",
        "/api/v1/officers",
        "/api/v1/matters",
        "/api/v1/power-list",
        "/api/v1/cases",
    ],
)
@pytest.mark.parametrize("wildcard", ["%", "_", "%%"])
def test_a_percent_or_underscore_in_a_search_matches_only_itself(
    live_server, app, client, machine_token, own_district, path, wildcard
):
    slug = own_district["slug"]
    admin = bearer(machine_token(slug, ["district_admin"]))
    if path == "/api/v1/cases":  # the module's district has no case until it files one
        officer = _agency_client(live_server, app, "zhzf", ["officer"], slug)
        filed = client.post("/api/v1/cases", json={"facts": "油烟直排"}, headers=officer)
        assert filed.status_code == 201, filed.json
    everything = client.get(f"{path}?page_size=1", headers=admin)
    assert everything.status_code == 200, everything.json
    found = client.get(path, query_string={"q": wildcard, "page_size": 1}, headers=admin)
    assert found.status_code == 200, found.json
    assert found.json["total"] == 0 < everything.json["total"] or everything.json["total"] == 0
