"""Schemathesis walks every operation of the OpenAPI document with a district
administrator's and an officer's token, on valid and deliberately invalid input, and the
platform never answers with a server error (RFC 7807 problems for everything it refuses).

It runs on PostgreSQL only (the production database; the SQLite leg is the same code
and doubled the suite's time for nothing), against a district of its own (agencies, officers and power list like the demo's),
so random but valid changes — settings, agencies, officers — reach no other test.
"""

from __future__ import annotations

import os
import uuid

import hypothesis
import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import select

from tests import support
from tests.conftest import bearer

schemathesis = pytest.importorskip("schemathesis")
from schemathesis import GenerationMode  # noqa: E402

EXAMPLES = int(os.environ.get("YIMEN_FUZZ_EXAMPLES", "5"))


@pytest.fixture
def fuzz_district(app, live_server):
    """A demo-like district: its agencies with officers, units and the power list."""
    from werkzeug.security import generate_password_hash

    from yimen.platform.demo import DEMO_PASSWORD, agency_specs
    from yimen.platform.idp.admin import create_machine_client
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.directory import Agency
    from yimen.tenants.directory.onboarding import add_agency, create_tenant
    from yimen.tenants.powers.demo import seed_demo_powers

    slug = f"fz{uuid.uuid4().hex[:8]}"
    division = support.unique_division_code()
    with db.new_session() as s:
        defaults = app.extensions["yimen.district_defaults"]
        tenant = create_tenant(s, slug, "测试区", division, live_server.url, defaults=defaults)
        tenant_id = tenant.id
    password_hash = generate_password_hash(DEMO_PASSWORD)
    tokens = {}
    with tenant_scope(tenant_id), db.new_session() as s:
        for spec in agency_specs(slug, division, "测", "测试区"):
            add_agency(s, spec, password_hash=password_hash)
        s.commit()
        seed_demo_powers(s)
        code = s.execute(select(Agency.code).order_by(Agency.code)).scalars().first()
        clients = {}
        for who, roles in (("admin", ["district_admin"]), ("officer", ["officer"])):
            client_id = f"fuzz-{who}-{uuid.uuid4().hex[:6]}"
            row, secret = create_machine_client(s, client_id, who, roles)
            if who == "officer":
                row.agency_code = code
            clients[who] = (client_id, secret)
        s.commit()
    for who, (client_id, secret) in clients.items():
        tokens[who] = lambda c=client_id, x=secret: live_server.client_token(slug, c, x)
    return tokens


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def _fuzz(operation, mode, headers: dict, who: str) -> int:
    """Calls `operation` with generated cases; returns how many; raises on a 5xx."""
    calls = 0

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.generate],
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case):
        nonlocal calls
        calls += 1
        response = case.call(headers=headers)
        assert response.status_code < 500, (
            f"{who} {case.method} {case.formatted_path} → {response.status_code}: "
            f"{response.text[:300]}"
        )

    try:
        call()
    except hypothesis.errors.Unsatisfiable:
        pass
    return calls


def test_no_operation_answers_a_server_error_for_an_administrator_or_an_officer(
    backend, app, fuzz_district
):
    if backend != "postgresql":
        pytest.skip("fuzzed once, on the production database (PostgreSQL, RLS on)")
    operations = _operations(app)
    assert len(operations) > 100
    failures: list[str] = []
    calls = 0
    for who, token in fuzz_district.items():
        for operation in operations:
            headers = bearer(token())  # a fresh token: the run outlives one token
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                try:
                    calls += _fuzz(operation, mode, headers, who)
                except AssertionError as failure:
                    failures.append(str(failure).splitlines()[0])
    print(f"\nschemathesis: {len(operations)} operations × 2 roles, {calls} calls")
    assert not failures, "\n".join(failures)
