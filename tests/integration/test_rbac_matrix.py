"""The permission table decides every (endpoint, role) pair: a generated matrix over
the API and the console's pages.

For every API endpoint and method, a token holding exactly one role calls it. A role
the table allows is never refused (whatever else the call then says: 404 for a random
id, 422 for an empty body); a role it does not allow gets 403 before anything runs.
"""

from __future__ import annotations

import re
import uuid

import pytest

from tests.conftest import bearer
from yimen.platform.auth.guard import permission_of
from yimen.platform.kernel.permissions import PERMISSIONS, ROLES

DISTRICT_ROLES = sorted(set(ROLES) - {"platform_operator"})


@pytest.fixture(scope="module")
def role_tokens(live_server, own_district):
    """One client per role, tokens over HTTP: district roles in the module's own district
    (the matrix posts to every endpoint), the operator in its realm."""
    from sqlalchemy import select

    from yimen.platform.idp.admin import create_machine_client
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.directory import Tenant

    tokens = {}
    for role in ROLES:
        slug = "platform" if role == "platform_operator" else own_district["slug"]
        with db.new_session() as s:
            tenant_id = s.execute(select(Tenant.id).where(Tenant.slug == slug)).scalar_one()
        client_id = f"rbac-{role}-{uuid.uuid4().hex[:6]}"
        with tenant_scope(tenant_id), db.new_session() as s:
            client, secret = create_machine_client(s, client_id, f"RBAC {role}", [role])
            client.agency_code = "zhzf"
            s.commit()
        tokens[role] = live_server.client_token(slug, client_id, secret)
    return tokens


def _api_calls(app):
    for rule in app.url_map.iter_rules():
        console_page = rule.rule.startswith("/console") and rule.methods >= {"GET"}
        if not (rule.rule.startswith("/api/v1/") or console_page):
            continue
        path = re.sub(r"<uuid:[^>]+>", str(uuid.uuid4()), rule.rule)
        path = re.sub(r"<int[^>]*>", "2026", path)
        path = re.sub(r"<[^>]+>", "CG-0001", path)
        methods = {"GET"} if console_page else rule.methods - {"HEAD", "OPTIONS"}
        for method in sorted(methods):
            declared, action = permission_of(rule.endpoint, method)
            assert declared, f"{method} {rule.rule} declares no permission"
            if action is not None:
                yield method, path, action


def test_every_api_endpoint_answers_each_role_as_the_permission_table_says(
    app, client, role_tokens
):
    with app.test_request_context():
        calls = list(_api_calls(app))
    assert len(calls) >= 15 and any(path.startswith("/console/admin") for _, path, _ in calls)
    wrong = []
    for method, path, action in calls:
        for role, token in role_tokens.items():
            r = client.open(
                path, method=method, json={} if method != "GET" else None, headers=bearer(token)
            )
            allowed = role in PERMISSIONS[action]
            refused = r.status_code == 403 and r.json.get("code") == "forbidden"
            if allowed == refused or r.status_code == 401:
                wrong.append(f"{role:18} {method:6} {path} → {r.status_code} (allowed={allowed})")
    assert wrong == []


def test_the_operator_of_the_region_cannot_read_a_districts_directory(client, role_tokens):
    r = client.get("/api/v1/agencies", headers=bearer(role_tokens["platform_operator"]))
    assert r.status_code == 403


def test_a_district_role_cannot_manage_districts(client, role_tokens):
    r = client.post(
        "/api/v1/tenants",
        json={"slug": "evil", "name": "恶意", "division_code": "320105"},
        headers=bearer(role_tokens["district_admin"]),
    )
    assert r.status_code == 403


def test_only_the_district_administrator_reads_and_changes_the_districts_settings(
    client, role_tokens
):
    for role, token in role_tokens.items():
        got = client.get("/api/v1/district/settings", headers=bearer(token)).status_code
        changed = client.patch(
            "/api/v1/district/settings", json={}, headers=bearer(token)
        ).status_code
        expected = 200 if role == "district_admin" else 403
        assert (role, got, changed) == (role, expected, expected)
