"""The dates an officer enters lie between the record event that makes the act possible
and today (Asia/Shanghai); a scheduled date lies ahead and keeps its statutory lead
(entered_dates.py). A period whose end needs an unloaded year is answered when the
loaded days settle it (law_window.py)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import marshmallow as ma
import pytest

from tests.unit.test_working_days import calendar
from yimen.platform.cases.execution import law as execution_law
from yimen.platform.cases.law import applied as deadlines
from yimen.platform.cases.law import entered_dates
from yimen.platform.cases.law import periods as law
from yimen.platform.cases.law import window as law_window
from yimen.platform.cases.law.limits import hearing_notice_refused, hearing_request_refused
from yimen.platform.cases.schemas import ACTION_SCHEMAS
from yimen.tenants.calendar.rules import WorkingCalendar, default_kind

D = dt.date
NOW = dt.datetime(2026, 11, 24, 2, 0, tzinfo=dt.UTC)  # Tuesday 10:00 in Shanghai


def _date_fields(schema) -> set[str]:
    found = set()
    for name, field in schema._declared_fields.items():
        inner = field.inner if isinstance(field, ma.fields.List) else field
        if isinstance(inner, ma.fields.Date | ma.fields.DateTime):
            found.add(name)
    return found


def test_every_date_an_action_takes_is_declared_past_or_scheduled():
    """One declaration: a new date field without one fails here."""
    missing = [
        f"{action}.{field}"
        for action, schema in ACTION_SCHEMAS.items()
        for field in _date_fields(schema)
        if field not in entered_dates.DECLARED.get(action, {})
    ]
    assert not missing, f"declare these in entered_dates.DECLARED: {missing}"
    for action, fields in entered_dates.DECLARED.items():
        assert set(fields) <= _date_fields(ACTION_SCHEMAS[action]), action
        for entered in fields.values():
            assert entered.kind in (entered_dates.PAST, entered_dates.SCHEDULED,
                                    entered_dates.FIXED_END)  # fmt: skip
            assert "第" in entered.article, entered  # the article of the period it guards


def check(action, record=None, now=NOW, **data):
    return entered_dates.check(action, data, record or {}, now, calendar)


def test_a_prior_notice_dated_before_filing_is_refused__处罚法_第四十四条():
    refused = check("serve_prior_notice", {"filed": D(2026, 11, 20)}, served_on=D(2026, 11, 19))
    assert (refused.field, refused.code, refused.bound) == (
        "served_on",
        "date-before-record",
        "2026-11-20",
    )
    assert "第四十四条" in refused.article and "立案" in refused.zh and "filing" in refused.en
    assert (
        check("serve_prior_notice", {"filed": D(2026, 11, 20)}, served_on=D(2026, 11, 20)) is None
    )


def test_a_hearing_request_before_the_notice_or_in_the_future_is_refused__处罚法_第六十四条():
    record = {"prior_notice_served": D(2026, 11, 2)}
    early = check("request_hearing", record, requested_on=D(2026, 11, 1))
    assert early.bound == "2026-11-02" and "第六十四条第(一)项" in early.article
    future = check("request_hearing", record, requested_on=D(2026, 11, 25))
    assert (future.code, future.bound) == ("date-in-future", "2026-11-24")
    assert check("request_hearing", record, requested_on=D(2026, 11, 2)) is None
    assert check("request_hearing", record, requested_on=D(2026, 11, 24)) is None


def test_today_is_the_day_in_shanghai():
    """23:30 UTC on the 23rd is already the 24th in Shanghai."""
    late = dt.datetime(2026, 11, 23, 16, 30, tzinfo=dt.UTC)
    record = {"prior_notice_served": D(2026, 11, 2)}
    assert check("request_hearing", record, now=late, requested_on=D(2026, 11, 24)) is None


def test_a_hearing_held_in_the_future_or_before_its_day_is_refused__处罚法_第六十四条():
    record = {"hearing_on": D(2026, 11, 20)}
    assert check("record_hearing", record, held_on=D(2026, 11, 25)).code == "date-in-future"
    assert check("record_hearing", record, held_on=D(2026, 11, 19)).code == "hearing-not-due"
    assert check("record_hearing", record, held_on=D(2026, 11, 20)) is None


def test_the_hearing_is_set_after_the_notice_and_7_working_days_ahead__处罚法_第六十四条第二项():
    """Hearing Fri 2026-11-20: 7 working days strictly between → notice by 11-10."""
    ok = check("schedule_hearing", noticed_on=D(2026, 11, 10), hearing_on=D(2026, 11, 20))
    assert ok is None
    late = check("schedule_hearing", noticed_on=D(2026, 11, 11), hearing_on=D(2026, 11, 20))
    assert (late.field, late.code, late.bound) == (
        "hearing_on",
        "hearing-notice-late",
        "2026-11-10",
    )
    assert "第六十四条第(二)项" in late.article
    past = check("schedule_hearing", noticed_on=D(2026, 11, 10), hearing_on=D(2026, 11, 10))
    assert past.code == "date-not-future"
    ahead = check("schedule_hearing", hearing_on=D(2026, 11, 24))  # set today, for today
    assert (ahead.code, ahead.bound) == ("date-not-future", "2026-11-24")


def test_the_decision_is_not_served_before_it_is_made__处罚法_第六十一条():
    record = {"decided": D(2026, 11, 20)}
    refused = check("serve_decision", record, method="direct", served_on=D(2026, 3, 2))
    assert refused.bound == "2026-11-20" and "第六十一条" in refused.article
    assert check("serve_decision", record, served_on=D(2026, 11, 20)) is None
    published = check("serve_decision", record, published_on=D(2026, 11, 2))
    assert published.field == "published_on" and "第九十五条" in published.article


def test_a_correction_deadline_and_a_deferral_lie_in_the_future():
    assert check("order_correction", correct_by=D(2026, 11, 24)).code == "date-not-future"
    assert check("order_correction", correct_by=D(2026, 11, 25)) is None
    record = {"pay_due": D(2026, 12, 9)}
    assert check("approve_deferral", record, until=D(2026, 12, 9)).code == "deferral-date"
    assert check("approve_deferral", record, until=D(2026, 12, 10)) is None


def test_an_instant_in_the_future_is_refused_a_little_clock_skew_is_not__行政强制法_第十九条():
    soon = NOW + dt.timedelta(minutes=2)
    assert check("impose_emergency_measure", executed_at=soon) is None
    later = check("impose_emergency_measure", executed_at=NOW + dt.timedelta(hours=1))
    assert later.code == "date-in-future" and "第十九条" in later.article
    record = {"measure_executed": NOW - dt.timedelta(hours=3)}
    before = check("approve_measure", record, at=NOW - dt.timedelta(hours=4))
    assert before.code == "date-before-record"


def test_every_instalment_of_an_agreement_follows_it__行政强制法_第四十二条():
    record = {"served": D(2026, 3, 2)}
    refused = check("record_execution_agreement", record, agreed_on=D(2026, 11, 20),
                    stages=[D(2026, 12, 31), D(2026, 11, 20)])  # fmt: skip
    assert refused.field == "stages" and "第四十二条" in refused.article


# --- a period ending in a year the calendar lacks (item 10) -----------------------------


def test_a_request_on_the_first_day_of_a_window_ending_in_an_unloaded_year_is_within_it():
    """Notice served Mon 2026-12-28; the 5th working day is in 2027 (not loaded)."""
    rule = law.rule("hearing_request")
    assert law.due(rule, D(2026, 12, 28), calendar()).flagged
    assert law_window.on_or_before_end(rule, D(2026, 12, 28), D(2026, 12, 29), calendar())
    assert law_window.on_or_before_end(rule, D(2026, 12, 28), D(2026, 12, 31), calendar())
    # 29, 30, 31 are 3 working days; whether 4 January is the 5th depends on 2027
    assert law_window.on_or_before_end(rule, D(2026, 12, 28), D(2027, 1, 5), calendar()) is None
    assert hearing_request_refused(D(2026, 12, 28), D(2026, 12, 29), calendar()) is None
    unknown = hearing_request_refused(D(2026, 12, 28), D(2027, 1, 11), calendar())
    assert unknown.rule == "calendar-not-loaded"


def test_a_request_certainly_late_is_refused_even_without_the_next_year():
    """Served 2026-12-21: 22, 23, 24, 25, 28 are five working days — late on the 29th
    whatever 2027 holds (the end itself is known here, and stays so)."""
    assert hearing_request_refused(D(2026, 12, 21), D(2026, 12, 29), calendar()).rule == (
        "hearing-request-late"
    )


def test_a_calendar_day_period_is_within_up_to_its_raw_end_without_the_next_year():
    """15 days to pay from 2026-12-20: raw end 2027-01-04, rolled only later."""
    rule = law.rule("payment")
    assert law.due(rule, D(2026, 12, 20), calendar()).flagged
    assert law_window.on_or_before_end(rule, D(2026, 12, 20), D(2027, 1, 4), calendar()) is True
    assert law_window.on_or_before_end(rule, D(2026, 12, 20), D(2027, 1, 5), calendar()) is None


def test_a_notice_leaving_7_working_days_in_the_loaded_year_is_in_time():
    """Hearing in January 2027: a notice on 2026-12-01 leaves 7 working days in December."""
    rule = law.rule("hearing_notice")
    assert law_window.notice_in_time(rule, D(2026, 12, 1), D(2027, 1, 12), calendar()) is True
    assert hearing_notice_refused(D(2026, 12, 1), D(2027, 1, 12), calendar()) is None
    assert law_window.notice_in_time(rule, D(2026, 12, 30), D(2027, 1, 12), calendar()) is None
    assert law_window.notice_in_time(rule, D(2026, 12, 30), D(2027, 1, 2), calendar()) is False


@pytest.mark.parametrize("action", sorted(entered_dates.DECLARED))
def test_no_date_no_refusal(action):
    """A body that omits its dates is dated today by the handler: nothing to refuse."""
    assert check(action) is None


# --- every period at year end: the execution checks and the stored dates ---------------


def _with_2027() -> WorkingCalendar:
    """The packaged calendar plus a made-up 2027 (weekends off, no holidays)."""
    known = calendar()
    days = {D(2027, 1, 1) + dt.timedelta(days=n) for n in range(365)}
    working = {**known.working, **{d: default_kind(d).is_working for d in days}}
    return WorkingCalendar(working, known.years | {2027})


def test_substitute_performance_warned_in_december_for_january_is_accepted__行政强制法_第五十一条(
    monkeypatch,
):
    """3 working days strictly between the decision and the performance, 行政强制法
    第五十一条第一款第(二)项 + 第六十九条: 2026-12-22 → 2027-01-05 leaves 7 in December."""
    monkeypatch.setattr(execution_law, "working_calendar", lambda session: calendar())
    assert execution_law.substitute_notice_refusal(None, D(2026, 12, 22), D(2027, 1, 5)) is None
    short = execution_law.substitute_notice_refusal(None, D(2026, 12, 31), D(2027, 1, 2))
    assert short.rule == "substitute-notice-period"  # only 1 January between, whatever it is
    unknown = execution_law.substitute_notice_refusal(None, D(2026, 12, 30), D(2027, 1, 5))
    assert unknown.rule == "calendar-not-loaded"


def test_an_execution_decision_two_days_after_the_demand_is_refused_as_premature__第三十七条(
    monkeypatch,
):
    """The demand's 10 working days end in 2027: a decision on 30 December is certainly
    inside them (the period is open, not merely "calendar not loaded")."""
    monkeypatch.setattr(execution_law, "working_calendar", lambda session: calendar())
    case = SimpleNamespace(details={"dates": {"demand_served": "2026-12-28"}})
    early = execution_law.demand_refusal(None, case, D(2026, 12, 30))
    assert early.rule == "demand-period-open" and "第三十七条" in early.article
    later = execution_law.demand_refusal(None, case, D(2027, 1, 20))
    assert later.rule == "calendar-not-loaded"


def test_a_period_stored_unknown_is_computed_once_its_year_is_loaded(monkeypatch):
    """Served 2026-12-20: pay by 2027-01-04, sue by 2027-06-21 (06-20 a Sunday); the
    statement window of a notice of 12-28 ends 2027-01-04. Unknown while 2027 is missing;
    an on-the-spot decision keeps no litigation date (行政复议法 第二十三条)."""

    def case(procedure: str) -> SimpleNamespace:
        dates = {"prior_notice_served": "2026-12-28", "statement_due": None, "pay_due": None,
                 "litigation_due": None}  # fmt: skip
        return SimpleNamespace(details={"dates": dates}, served_on=D(2026, 12, 20),
                               procedure=procedure, sector=None)  # fmt: skip

    missing, loaded = case("general"), case("general")
    monkeypatch.setattr(deadlines, "working_calendar", lambda session: calendar())
    deadlines.fill_dates(None, missing)
    assert missing.details["dates"]["statement_due"] is None  # still not guessed
    monkeypatch.setattr(deadlines, "working_calendar", lambda session: _with_2027())
    deadlines.fill_dates(None, loaded)
    assert loaded.details["dates"] == {
        "prior_notice_served": "2026-12-28",
        "statement_due": "2027-01-04",
        "pay_due": "2027-01-04",
        "litigation_due": "2027-06-21",
    }
    simple = case("simple")
    deadlines.fill_dates(None, simple)
    assert simple.details["dates"]["litigation_due"] is None
