"""Loading, extending and using the working-day calendar."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session, scoped_session

from yimen.platform.kernel.db import utcnow
from yimen.platform.kernel.errors import Conflict, FieldProblem, Invalid, NotFound, Refused
from yimen.tenants.calendar.contracts import ApproveYear, ImportYear
from yimen.tenants.calendar.model import YEAR_APPROVED, YEAR_PROPOSED, CalendarDay, CalendarYear
from yimen.tenants.calendar.rules import DayKind, WorkingCalendar, check_year, default_kind

HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
SEED_SOURCE = "chinesecalendar 1.11.0 (国务院办公厅历年节假日安排通知)"


def notice_title(year: int) -> str:
    return f"国务院办公厅关于{year}年部分节假日安排的通知"


def _packaged_years() -> dict[int, dict[dt.date, tuple[DayKind, str]]]:
    from chinese_calendar import constants

    years: dict[int, dict[dt.date, tuple[DayKind, str]]] = {}
    first, last = min(constants.holidays).year, max(constants.holidays).year
    for year in range(first, last + 1):
        day, days = dt.date(year, 1, 1), {}
        while day.year == year:
            if day in constants.holidays:
                days[day] = (
                    DayKind.HOLIDAY,
                    HOLIDAY_NAMES.get(constants.holidays[day], constants.holidays[day]),
                )
            elif day in constants.workdays:
                days[day] = (
                    DayKind.ADJUSTED_WORKDAY,
                    HOLIDAY_NAMES.get(constants.workdays[day], "") + "调休上班",
                )
            else:
                days[day] = (default_kind(day), "")
            day += dt.timedelta(days=1)
        years[year] = days
    return years


def seed(session: Session) -> list[int]:
    """Load every year the chinesecalendar package has, approved at once (it mirrors the
    published notices); years already present are left alone. Returns the years added."""
    present = set(session.execute(select(CalendarYear.year)).scalars())
    added = []
    for year, days in _packaged_years().items():
        if year in present:
            continue
        session.add(
            CalendarYear(
                year=year,
                notice=notice_title(year),
                source=SEED_SOURCE,
                status=YEAR_APPROVED,
                loaded_by="system",
                approved_by="system",
                approved_at=utcnow(),
            )
        )
        session.add_all(
            CalendarDay(day=d, year=year, kind=k, is_working_day=k.is_working, name=n)
            for d, (k, n) in days.items()
        )
        added.append(year)
    session.commit()
    _cache.clear()
    return added


def import_year(session: Session, command: ImportYear, actor: str) -> CalendarYear:
    """An operator proposes a year from the State Council notice; nothing counts until a
    different operator approves it. Weekdays and weekends not listed are filled in."""
    year, notice = command.year, command.notice
    if session.get(CalendarYear, year) is not None:
        raise Conflict(
            "calendar-year-exists",
            f"{year}年的日历已存在。",
            f"The calendar for {year} already exists.",
            fields=[FieldProblem("year", f"{year}年的日历已存在。", f"{year} already exists.")],
        )
    listed = {d.date: (d.kind, d.name) for d in command.days}
    full = {}
    day = dt.date(year, 1, 1)
    while day.year == year:
        full[day] = listed.pop(day, (default_kind(day), ""))
        day += dt.timedelta(days=1)
    full.update(listed)  # dates outside the year, reported below
    problems = check_year(year, {d: k for d, (k, _) in full.items()})
    if problems:
        raise Invalid(
            "invalid-calendar",
            f"{year}年日历有误，未导入。",
            f"The calendar for {year} is invalid; nothing was imported.",
            fields=[FieldProblem(f, zh, en) for f, zh, en in problems],
        )
    session.add(
        CalendarYear(
            year=year,
            notice=notice,
            source="operator import",
            status=YEAR_PROPOSED,
            loaded_by=actor,
        )
    )
    session.add_all(
        CalendarDay(day=d, year=year, kind=k, is_working_day=k.is_working, name=n)
        for d, (k, n) in full.items()
    )
    session.flush()
    return session.get(CalendarYear, year)


def approve_year(session: Session, command: ApproveYear, actor: str) -> CalendarYear:
    year = command.year
    entry = session.get(CalendarYear, year)
    if entry is None:
        raise NotFound("not-found", f"没有{year}年的日历。", f"No calendar for {year}.")
    if entry.status == YEAR_APPROVED:
        raise Conflict(
            "already-approved",
            f"{year}年日历已生效。",
            f"The calendar for {year} is already approved.",
        )
    if entry.loaded_by == actor:
        raise Refused(
            "four-eyes",
            "导入人不能审核自己导入的日历，请由另一位运营人员审核。",
            "The operator who imported a year cannot approve it; another operator must.",
        )
    entry.status, entry.approved_by, entry.approved_at = YEAR_APPROVED, actor, utcnow()
    session.flush()
    session.info.pop(_IN_TRANSACTION, None)
    _cache.clear()  # the cache is keyed by the approved years: the commit is seen anyway
    return entry


_cache: dict[tuple, WorkingCalendar] = {}
_lock = threading.Lock()


def working_calendar(session: Session) -> WorkingCalendar:
    """The approved calendar, cached until a year is added or approved (the fingerprint
    is one cheap query, so every process sees an approval at once). Within one
    transaction the answer is kept: a request asks for it about six times (every period
    it counts, every flag it sweeps), and an approval committed meanwhile is seen by the
    next transaction."""
    if isinstance(session, scoped_session):
        session = session()  # the request's session behind the proxy
    transaction = session.get_transaction()
    kept = session.info.get(_IN_TRANSACTION)
    if transaction is not None and kept is not None and kept[0] is transaction:
        return kept[1]
    calendar = _working_calendar(session)
    if transaction is not None:
        session.info[_IN_TRANSACTION] = (transaction, calendar)
    return calendar


_IN_TRANSACTION = "yimen.working_calendar"


def _working_calendar(session: Session) -> WorkingCalendar:
    fingerprint = tuple(
        session.execute(
            select(
                func.count(), func.max(CalendarYear.year), func.max(CalendarYear.approved_at)
            ).where(CalendarYear.status == YEAR_APPROVED)
        ).one()
    )
    with _lock:
        cached = _cache.get(fingerprint)
    if cached is not None:
        return cached
    approved = select(CalendarYear.year).where(CalendarYear.status == YEAR_APPROVED)
    rows = session.execute(
        select(CalendarDay.day, CalendarDay.is_working_day).where(CalendarDay.year.in_(approved))
    ).all()
    years = frozenset(session.execute(approved).scalars())
    calendar = WorkingCalendar({d: w for d, w in rows}, years)
    with _lock:
        _cache.clear()
        _cache[fingerprint] = calendar
    return calendar
