"""Whether a day lies within a statutory period when the period's end needs a year the
working-day calendar has not loaded (pure; no Flask, no database).

`law.due` never guesses an unknown end: it returns `Due(None, flagged=True)`. That does
not make every question about the period unanswerable. A hearing request made on the
first working day after the notice is within five working days whatever the next
year's holidays are; a decision taken forty days after a demand is after its ten
working days. These functions answer True or False when the loaded days (or the
calendar-day count alone) settle it, and None only when the answer truly depends on
the unknown year — the caller then flags it, never guesses, and never refuses an act
that is certainly lawful.

Counting rules as in periods.py: the start day is not counted (《民事诉讼法》第八十五条);
the penalty law's short periods are working days (《行政处罚法》第八十五条, 《行政强制法》
第六十九条); a party's period ending on a rest day ends on the next working day.
"""

from __future__ import annotations

import datetime as dt

from yimen.platform.cases.law import periods as law
from yimen.platform.cases.law.periods import CALENDAR_DAY, MONTH, WORKING_DAY, YEAR, DeadlineRule
from yimen.tenants.calendar.rules import CalendarNotLoaded, WorkingCalendar

ONE = dt.timedelta(days=1)
# The longest run of rest days a period's end can roll across when the year is not
# loaded: the longest statutory holiday is four days (《全国年节及纪念日放假办法》第二条:
# 春节; 国庆节 with 中秋节 the same), which with the weekends around it and the State
# Council's swapped days has made at most nine days in a row (春节 2026: 2月15日至23日).
# Fourteen calendar days past a period's raw end, it has certainly ended.
MAX_REST_RUN = dt.timedelta(days=14)


def working_days(calendar: WorkingCalendar, first: dt.date, last: dt.date) -> tuple[int, int]:
    """(fewest, most) working days among first..last, both inclusive: a day of a year the
    calendar lacks counts 0 towards the fewest and 1 towards the most."""
    fewest = most = 0
    day = first
    while day <= last:
        try:
            working = calendar.is_working_day(day)
            fewest += working
            most += working
        except CalendarNotLoaded:
            most += 1
        day += ONE
    return fewest, most


def _any_working_day(calendar: WorkingCalendar, first: dt.date, last: dt.date) -> bool:
    """A loaded working day among first..last (both inclusive)."""
    return working_days(calendar, first, last)[0] > 0


def on_or_before_end(
    rule: DeadlineRule, start: dt.date, on: dt.date, calendar: WorkingCalendar
) -> bool | None:
    """Whether `on` is on or before the last day of `rule`'s period started by `start`
    (no pauses, no extension): True or False when certain, None when it depends on a
    year the calendar lacks (or on a pause)."""
    if rule.before:
        raise ValueError(f"{rule.id} runs backwards: use notice_in_time")
    found = law.due(rule, start, calendar)
    if found.on is not None:
        return on <= law.local_day(found.on)
    if not found.flagged:
        return None
    start = law.local_day(start)
    if rule.unit == WORKING_DAY:
        # on ≤ the count-th working day after start ⇔ fewer than count working days lie
        # strictly between start and on.
        fewest, most = working_days(calendar, start + ONE, on - ONE)
        if most < rule.count:
            return True
        if fewest >= rule.count:
            return False
        return None
    if rule.unit in (CALENDAR_DAY, MONTH, YEAR):
        # the raw end needs no calendar; rolling forward only moves it later, to the first
        # working day on or after it.
        if rule.unit == CALENDAR_DAY:
            raw = start + dt.timedelta(days=rule.count)
        else:
            raw = law.add_months(start, rule.count * (12 if rule.unit == YEAR else 1))
        if on <= raw:
            return True
        if not rule.roll_forward or _any_working_day(calendar, raw, on - ONE):
            return False
        if on - raw > MAX_REST_RUN:
            return False  # no run of rest days is that long: the period has ended
        return None
    return None


def notice_in_time(
    rule: DeadlineRule, notice_on: dt.date, event_on: dt.date, calendar: WorkingCalendar
) -> bool | None:
    """For a period that runs backwards from an event (`rule.before`: the hearing notice
    7 working days before the hearing, 处罚法 第六十四条第(二)项; the warning 3 working
    days before substitute performance, 行政强制法 第五十一条): whether a notice given on
    `notice_on` is in time — at least `count` working days strictly between the notice
    and the event. None when that depends on a year the calendar lacks."""
    if not rule.before or rule.unit != WORKING_DAY:
        raise ValueError(f"{rule.id} is not a working-day period before an event")
    fewest, most = working_days(calendar, notice_on + ONE, event_on - ONE)
    if fewest >= rule.count:
        return True
    if most < rule.count:
        return False
    return None
