"""Fixtures shared by the integration tests of the one door."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import bearer


def _agency_client(live_server, app, code: str, roles: list[str], slug: str) -> dict:
    """A machine client of agency `code` in district `slug` (the module's `own_district`),
    its bearer header."""
    import uuid

    from sqlalchemy import select

    from yimen.platform.idp.admin import create_machine_client
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.directory import Tenant

    with db.new_session() as s:
        tenant_id = s.execute(select(Tenant.id).where(Tenant.slug == slug)).scalar_one()
    client_id = f"{code}-{uuid.uuid4().hex[:6]}"
    with tenant_scope(tenant_id), db.new_session() as s:
        row, secret = create_machine_client(s, client_id, code, roles)
        row.agency_code = code
        s.commit()
    return bearer(live_server.client_token(slug, client_id, secret))


@pytest.fixture
def desks(live_server, app, client, machine_token, own_district):
    """Officers of four agencies and the legal-affairs office of the module's own district
    (their bearer headers by agency code; "legal"), the agencies' ids by code ("ids"), and
    the district's "slug" and "tenant_id"."""
    slug = own_district["slug"]
    desks = {
        code: _agency_client(live_server, app, code, ["officer"], slug)
        for code in ("zhzf", "scjg", "sthj", "yjgl")
    }
    desks["legal"] = _agency_client(live_server, app, "sfj", ["legal_affairs"], slug)
    admin = bearer(machine_token(slug, ["district_admin"]))
    desks["ids"] = {
        a["code"]: a["id"]
        for a in client.get("/api/v1/agencies?page_size=100", headers=admin).json["items"]
    }
    desks["slug"] = slug
    desks["tenant_id"] = own_district["tenant_id"]
    return desks


# The case engine's worked timelines are dated (a prior notice served on 2 November, a
# hearing on 20 November, a demand's period running into December …) and the engine
# counts from today. Those tests run on this day, whatever the machine's clock says, so
# that they never drift out of their windows nor into a year with no holiday calendar.
CASE_DAY = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)  # Tuesday 10:00 in Shanghai


@pytest.fixture
def case_day(time_machine) -> dt.date:
    """The clock of the process (the engine, the live server's threads, token issuing)
    moved to CASE_DAY and ticking from there."""
    time_machine.move_to(CASE_DAY, tick=True)
    return dt.date(2026, 11, 24)


@pytest.fixture
def cjk_fonts():
    """The PDF's Chinese text needs Noto CJK (scripts/test-services.sh installs it)."""
    import subprocess

    from tests import support

    fonts = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout
    if "CJK SC" not in fonts:
        if support.IN_CI:
            pytest.fail("fonts-noto-cjk is missing (CI must render the documents)")
        pytest.skip("fonts-noto-cjk is not installed")
