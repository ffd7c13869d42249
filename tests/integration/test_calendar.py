"""The platform operator extends the calendar with next year's notice; deadlines use it."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from tests.conftest import bearer

NOTICE = "国务院办公厅关于2027年部分节假日安排的通知 (测试数据 / test data)"


def _operator(live_server, app, name: str) -> dict:
    """A platform operator of the region realm, signed in as an officer (named actor)."""
    from sqlalchemy import select

    from yimen.platform.idp.admin import create_machine_client
    from yimen.platform.kernel.db import db, tenant_scope
    from yimen.platform.kernel.directory import Tenant

    with db.new_session() as s:
        tenant_id = s.execute(select(Tenant.id).where(Tenant.slug == "platform")).scalar_one()
    client_id = f"{name}-{uuid.uuid4().hex[:6]}"
    with tenant_scope(tenant_id), db.new_session() as s:
        _, secret = create_machine_client(s, client_id, name, ["platform_operator"])
        s.commit()
    return bearer(live_server.client_token("platform", client_id, secret))


def _test_2027() -> list[dict]:
    """A plausible 2027 arrangement for the test (NOT the official one)."""
    holidays = [
        dt.date(2027, 1, 1),
        *[dt.date(2027, 2, d) for d in range(5, 12)],
        *[dt.date(2027, 10, d) for d in range(1, 8)],
    ]
    days = [{"date": d.isoformat(), "kind": "holiday", "name": "测试假日"} for d in holidays]
    days.append({"date": "2027-02-13", "kind": "adjusted_workday", "name": "春节调休上班"})
    return days


def test_deadlines_are_computed_with_their_legal_basis(client, machine_token, own_district):
    officer = bearer(machine_token(own_district["slug"], ["officer"]))
    r = client.get(
        "/api/v1/calendar/deadline?start=2026-09-24&count=5&unit=working_day", headers=officer
    )
    assert r.status_code == 200
    assert r.json["due"] == "2026-10-09" and "第八十五条" in r.json["basis"]


def test_a_deadline_in_an_unloaded_year_is_a_clear_conflict_not_a_guess(
    client, machine_token, backend, own_district
):
    officer = bearer(machine_token(own_district["slug"], ["officer"]))
    r = client.get(
        "/api/v1/calendar/deadline?start=2027-12-20&count=15&unit=calendar_day", headers=officer
    )
    assert r.status_code == 409 and r.content_type == "application/problem+json"
    assert r.json["code"] == "calendar-not-loaded" and r.json["year"] == 2028


@pytest.fixture
def test_2027_removed_afterwards(app):
    """The test's made-up 2027 is region-wide reference data: other tests (year-end
    windows) rely on 2027 not being loaded, whatever order the suite runs in."""
    yield
    from sqlalchemy import delete

    from yimen.platform.kernel.db import db
    from yimen.tenants.calendar.model import CalendarDay, CalendarYear

    with db.new_session() as s:
        s.execute(delete(CalendarDay).where(CalendarDay.year == 2027))
        s.execute(delete(CalendarYear).where(CalendarYear.year == 2027))
        s.commit()


def test_next_years_notice_is_imported_by_one_operator_and_approved_by_another(
    client, app, live_server, machine_token, own_district, test_2027_removed_afterwards
):
    officer = bearer(machine_token(own_district["slug"], ["officer"]))
    maker, checker = _operator(live_server, app, "maker"), _operator(live_server, app, "checker")
    query = "/api/v1/calendar/deadline?start=2027-09-28&count=5&unit=working_day"
    years = {
        y["year"]
        for y in client.get("/api/v1/calendar/years?page_size=100", headers=maker).json["items"]
    }
    assert 2027 not in years  # nothing else in the suite imports 2027
    assert client.get(query, headers=officer).status_code == 409
    r = client.post(
        "/api/v1/calendar/years",
        json={"year": 2027, "notice": NOTICE, "days": _test_2027()},
        headers=maker,
    )
    assert r.status_code == 201 and r.json["status"] == "proposed"
    assert client.get(query, headers=officer).status_code == 409  # not before review
    same = client.post("/api/v1/calendar/years/2027/approve", headers=maker)
    assert same.status_code == 409 and same.json["code"] == "four-eyes"
    assert (
        client.post("/api/v1/calendar/years/2027/approve", headers=checker).json["status"]
        == "approved"
    )
    due = client.get(query, headers=officer).json["due"]
    assert due == "2027-10-12"  # 9-29, 9-30, 10-8, 10-11, 10-12 (国庆 in the test data)
    october = client.get("/api/v1/calendar/years/2027/days?month=10", headers=officer).json
    assert october["total"] == 31 and october["items"][0]["kind"] == "holiday"


def test_a_malformed_import_is_refused_field_by_field_and_writes_nothing(client, app, live_server):
    maker = _operator(live_server, app, "maker")
    days = [{"date": "2031-03-03", "kind": "weekend"}, {"date": "2031-01-01", "kind": "someday"}]
    r = client.post(
        "/api/v1/calendar/years", json={"year": 2031, "notice": NOTICE, "days": days}, headers=maker
    )
    assert r.status_code == 422 and r.json["errors"][0]["field"] == "days.1.kind"
    r = client.post(
        "/api/v1/calendar/years",
        json={"year": 2031, "notice": NOTICE, "days": days[:1]},
        headers=maker,
    )
    assert r.status_code == 422 and "2031-03-03 是工作日" in r.json["errors"][0]["message"]
    years = [y["year"] for y in client.get("/api/v1/calendar/years", headers=maker).json["items"]]
    assert 2031 not in years


def test_a_district_officer_cannot_import_a_calendar(client, machine_token, own_district):
    admin = bearer(machine_token(own_district["slug"], ["district_admin"]))
    r = client.post(
        "/api/v1/calendar/years", json={"year": 2030, "notice": NOTICE, "days": []}, headers=admin
    )
    assert r.status_code == 403
