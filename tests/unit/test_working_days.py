"""Deadline arithmetic on the official calendar (处罚法 第八十五条, 行政强制法 第六十九条,
民事诉讼法 第八十五条): the worked examples reproduced to the day."""

from __future__ import annotations

import datetime as dt
from functools import cache

import pytest

from yimen.tenants.calendar.rules import (
    CalendarNotLoaded,
    DayKind,
    Unit,
    WorkingCalendar,
    check_year,
)
from yimen.tenants.calendar.service import _packaged_years

D = dt.date


@cache
def calendar() -> WorkingCalendar:
    years = _packaged_years()
    working = {d: k.is_working for days in years.values() for d, (k, _) in days.items()}
    return WorkingCalendar(working, frozenset(years))


def test_hearing_request_window_is_five_working_days_across_mid_autumn_and_national_day():
    """处罚法 第六十四条 + 第八十五条: notice served Thu 2026-09-24 + 5 working days → 2026-10-09."""
    assert calendar().add_working_days(D(2026, 9, 24), 5) == D(2026, 10, 9)


def test_an_adjusted_working_saturday_counts_as_a_working_day():
    """Working days (处罚法 第八十五条): decision 2026-09-24 + 7 working days → 2026-10-12 (Sat 10-10 is 调休上班)."""
    assert calendar().is_working_day(D(2026, 10, 10))
    assert calendar().add_working_days(D(2026, 9, 24), 7) == D(2026, 10, 12)


def test_a_calendar_period_ending_on_a_holiday_rolls_to_the_next_working_day():
    """民事诉讼法 第八十五条: 15 days from 2026-09-20 → raw 2026-10-05 (国庆) → 2026-10-08."""
    assert calendar().add_calendar_days(D(2026, 9, 20), 15, roll_forward=False) == D(2026, 10, 5)
    assert calendar().add_calendar_days(D(2026, 9, 20), 15) == D(2026, 10, 8)


def test_the_decision_is_due_90_calendar_days_after_filing():
    """处罚法 第六十条: filed 2026-09-24 → decision due 2026-12-23 (agency deadline, no roll-forward)."""
    assert calendar().add_calendar_days(D(2026, 9, 24), 90, roll_forward=False) == D(2026, 12, 23)


def test_payment_is_due_15_days_after_service():
    """处罚法 第六十七条: served Mon 2026-03-02 → pay by Tue 2026-03-17."""
    assert calendar().add_calendar_days(D(2026, 3, 2), 15) == D(2026, 3, 17)


def test_reconsideration_window_of_60_days_rolls_past_labour_day():
    """行政复议法 第二十条 + 民事诉讼法 第八十五条: 2026-03-02 + 60 → raw 05-01 (劳动节) → 2026-05-06."""
    assert calendar().add_calendar_days(D(2026, 3, 2), 60) == D(2026, 5, 6)


def test_litigation_window_of_six_months_ends_on_the_same_day_number():
    """行政诉讼法 第四十六条 + 民法典 第二百零二条: 2026-03-02 + 6 months → 2026-09-02."""
    assert calendar().add_months(D(2026, 3, 2), 6) == D(2026, 9, 2)


def test_a_month_period_without_the_day_number_ends_on_the_months_last_day():
    """民法典 第二百零二条: 2026-08-31 + 1 month → 2026-09-30."""
    assert calendar().add_months(D(2026, 8, 31), 1, roll_forward=False) == D(2026, 9, 30)


def test_seizure_lasts_30_calendar_days():
    """行政强制法 第二十五条: seal-up from 2026-09-24 ends 2026-10-24 (raw; the agency is alerted early)."""
    assert calendar().add(D(2026, 9, 24), 30, Unit.CALENDAR_DAY, roll_forward=False) == D(
        2026, 10, 24
    )


def test_compulsion_law_periods_of_ten_days_are_working_days():
    """行政强制法 第六十九条: a 10-day period from Fri 2026-09-25 (a holiday) counts working days only."""
    assert calendar().add_working_days(D(2026, 9, 25), 10) == D(2026, 10, 15)


def test_a_deadline_in_a_year_without_a_calendar_is_never_guessed():
    """Working days (处罚法 第八十五条): chinesecalendar has no 2027; computing into it raises, in both languages."""
    with pytest.raises(CalendarNotLoaded) as raised:
        calendar().add_working_days(D(2026, 12, 28), 10)
    assert raised.value.year == 2027
    assert "2027年的节假日安排尚未载入" in raised.value.zh and "2027" in raised.value.en


def test_an_import_must_cover_the_year_and_keep_weekdays_and_weekends_apart():
    days = {D(2027, 1, 1) + dt.timedelta(n): DayKind.WEEKDAY for n in range(360)}
    days[D(2027, 1, 4)] = DayKind.WEEKEND  # a Monday
    days[D(2027, 1, 5)] = DayKind.ADJUSTED_WORKDAY  # a Tuesday
    messages = [zh for _, zh, _ in check_year(2027, days)]
    assert any("缺少 5 天" in m for m in messages)
    assert any("2027-01-04 是工作日" in m for m in messages)
    assert any("2027-01-05 不是周末" in m for m in messages)
