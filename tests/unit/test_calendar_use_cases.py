"""The calendar's use cases called with their commands (contracts.py), outside any
request: no Flask app, an in-memory SQLite database (fakes_directory.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.unit.fakes_directory import district
from yimen.platform.kernel.errors import Invalid, Refused
from yimen.tenants.calendar import service
from yimen.tenants.calendar.contracts import ApproveYear, ImportYear, ListedDay
from yimen.tenants.calendar.rules import DayKind

NOTICE = "国务院办公厅关于2031年部分节假日安排的通知"


@pytest.fixture
def platform():
    with district() as d:
        yield d


def _run(d, use_case, *args):
    return d.uow.run(None, use_case, *args)  # the calendar is the platform's


def test_a_year_is_filled_in_and_waits_for_another_operator(platform):
    days = [
        ListedDay(dt.date(2031, 1, 1), DayKind.HOLIDAY, "元旦"),
        ListedDay(dt.date(2031, 1, 4), DayKind.ADJUSTED_WORKDAY, "元旦调休"),  # a Saturday
    ]
    year = _run(platform, service.import_year, ImportYear(2031, NOTICE, days), "platform.admin")
    assert (year.status, year.loaded_by) == ("proposed", "platform.admin")
    with pytest.raises(Refused) as refused:
        _run(platform, service.approve_year, ApproveYear(2031), "platform.admin")
    assert refused.value.code == "four-eyes"
    approved = _run(platform, service.approve_year, ApproveYear(2031), "platform.reviewer")
    assert approved.approved_by == "platform.reviewer"


def test_a_weekday_listed_as_a_worked_weekend_is_refused_and_nothing_imported(platform):
    wrong = [ListedDay(dt.date(2031, 1, 6), DayKind.ADJUSTED_WORKDAY)]  # a Monday
    with pytest.raises(Invalid) as invalid:
        _run(platform, service.import_year, ImportYear(2031, NOTICE, wrong), "platform.admin")
    assert [f.field for f in invalid.value.fields] == ["days"]
    assert "2031-01-06" in invalid.value.fields[0].zh
    right = ImportYear(2031, NOTICE)
    assert _run(platform, service.import_year, right, "platform.admin").year == 2031
