"""Deadline arithmetic on the working-day calendar (pure; no database).

- 《行政处罚法》第八十五条: its 2/3/5/7-day periods are working days.
- 《行政强制法》第六十九条: periods of ten days or less are working days.
- 《民事诉讼法》第八十五条, 《民法典》第二百零三条: the start day is not counted; a period
  whose last day is a rest day ends on the first working day after it.
- 《民法典》第二百零二条: a month period ends on the same day number, or the month's end.

A day in a year whose calendar is not loaded is never guessed: CalendarNotLoaded.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass


class DayKind(enum.StrEnum):
    WEEKDAY = "weekday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    ADJUSTED_WORKDAY = "adjusted_workday"  # 调休上班

    @property
    def is_working(self) -> bool:
        return self in (DayKind.WEEKDAY, DayKind.ADJUSTED_WORKDAY)


class Unit(enum.StrEnum):
    WORKING_DAY = "working_day"
    CALENDAR_DAY = "calendar_day"
    MONTH = "month"


class CalendarNotLoaded(Exception):
    def __init__(self, year: int) -> None:
        super().__init__(f"calendar not loaded for {year}")
        self.year = year
        self.zh = (
            f"{year}年的节假日安排尚未载入，无法计算期限；请平台运营方导入国务院办公厅当年通知。"
        )
        self.en = f"The holiday calendar for {year} is not loaded; the deadline cannot be computed until the platform operator imports that year's State Council notice."


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days, for the years that are loaded (and approved)."""

    working: Mapping[dt.date, bool]
    years: frozenset[int]

    def is_working_day(self, day: dt.date) -> bool:
        if day.year not in self.years:
            raise CalendarNotLoaded(day.year)
        return self.working[day]

    def add_working_days(self, start: dt.date, count: int) -> dt.date:
        """The count-th working day after `start` (处罚法 第八十五条; 行政强制法 第六十九条)."""
        day, counted = start, 0
        while counted < count:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def roll_forward(self, day: dt.date) -> dt.date:
        """民事诉讼法 第八十五条: a last day on a rest day moves to the next working day."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_calendar_days(self, start: dt.date, count: int, roll_forward: bool = True) -> dt.date:
        end = start + dt.timedelta(days=count)
        return self.roll_forward(end) if roll_forward else end

    def add_months(self, start: dt.date, count: int, roll_forward: bool = True) -> dt.date:
        """民法典 第二百零二条: same day number `count` months later, or that month's last day."""
        month_index = start.month - 1 + count
        year, month = start.year + month_index // 12, month_index % 12 + 1
        end = dt.date(year, month, min(start.day, _cal.monthrange(year, month)[1]))
        return self.roll_forward(end) if roll_forward else end

    def add(self, start: dt.date, count: int, unit: Unit, roll_forward: bool = True) -> dt.date:
        if unit == Unit.WORKING_DAY:
            return self.add_working_days(start, count)
        if unit == Unit.MONTH:
            return self.add_months(start, count, roll_forward)
        return self.add_calendar_days(start, count, roll_forward)


def default_kind(day: dt.date) -> DayKind:
    return DayKind.WEEKEND if day.weekday() >= 5 else DayKind.WEEKDAY


def check_year(year: int, days: Mapping[dt.date, DayKind]) -> list[tuple[str, str, str]]:
    """Why an imported year cannot be used: (field, Chinese, English) for each problem."""
    problems = []
    expected = {
        dt.date(year, 1, 1) + dt.timedelta(days=n) for n in range(366 if _cal.isleap(year) else 365)
    }
    outside = sorted(d for d in days if d.year != year)
    if outside:
        problems.append(
            (
                "days",
                f"日期 {outside[0].isoformat()} 不在 {year} 年内。",
                f"Date {outside[0].isoformat()} is outside {year}.",
            )
        )
    missing = sorted(expected - set(days))
    if missing:
        problems.append(
            (
                "days",
                f"缺少 {len(missing)} 天 (首个 {missing[0].isoformat()})，须覆盖全年每一天。",
                f"{len(missing)} days are missing (first {missing[0].isoformat()}); every day of the year is needed.",
            )
        )
    for day, kind in sorted(days.items()):
        natural = default_kind(day)
        if kind == DayKind.WEEKEND and natural != DayKind.WEEKEND:
            problems.append(
                (
                    "days",
                    f"{day.isoformat()} 是工作日，不能标为周末。",
                    f"{day.isoformat()} is a weekday; it cannot be a weekend.",
                )
            )
        if kind == DayKind.ADJUSTED_WORKDAY and natural != DayKind.WEEKEND:
            problems.append(
                (
                    "days",
                    f"{day.isoformat()} 不是周末，不能标为调休上班。",
                    f"{day.isoformat()} is not a weekend day; it cannot be an adjusted working day.",
                )
            )
    return problems
