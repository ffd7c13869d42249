"""Statutory periods of a case (platform/cases/law/periods.py), one test per statutory period,
each citing its article; the worked timelines to the day."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.unit.test_working_days import calendar
from yimen.platform.cases.law import periods as law
from yimen.platform.cases.law.periods import Pause, decision_due, due, profile, rule

D = dt.date


def on(rule_id: str, start, **kw):
    result = due(rule(rule_id), start, calendar(), **kw)
    assert not result.flagged, result.reason_en
    return result.on


# ---------------------------------------------------------------- worked timeline A (before)


def test_worked_timeline_before_the_decision():
    """Worked timeline A: filed and notice served Thu 2026-09-24; hearing on Tue 2026-10-20."""
    assert decision_due(profile("market_regulation"), D(2026, 9, 24), calendar()).on == D(
        2026, 12, 23
    )
    assert on("statement", D(2026, 9, 24)) == D(2026, 10, 9)
    assert on("hearing_request", D(2026, 9, 24)) == D(2026, 10, 9)
    assert on("hearing_notice", D(2026, 10, 20)) == D(2026, 10, 9)
    assert on("seizure", D(2026, 9, 24)) == D(2026, 10, 24)


def test_worked_timeline_after_the_decision():
    """Worked timeline B: decision served Mon 2026-03-02, fine not paid."""
    assert on("payment", D(2026, 3, 2)) == D(2026, 3, 17)
    reconsideration = due(rule("reconsideration"), D(2026, 3, 2), calendar())
    assert (reconsideration.raw, reconsideration.on) == (D(2026, 5, 1), D(2026, 5, 6))
    assert on("litigation", D(2026, 3, 2)) == D(2026, 9, 2)
    assert on("court_application", D(2026, 9, 2)) == D(2026, 12, 2)


# ---------------------------------------------------------------- 处罚法: notice and hearing


def test_hearing_request_is_five_working_days_after_the_notice__处罚法_第六十四条_第八十五条():
    """Served Thu 2026-09-24: 中秋 (09-25..27) and 国庆 (10-01..07) are skipped → 2026-10-09."""
    r = rule("hearing_request")
    assert (r.count, r.unit, r.binds, r.start_event) == (
        5,
        "working_day",
        "party",
        "prior_notice_served",
    )
    assert on("hearing_request", D(2026, 9, 24)) == D(2026, 10, 9)


def test_hearing_notice_is_given_seven_working_days_before_the_hearing__处罚法_第六十四条第二项():
    """≥7 working days strictly between notice and hearing: hearing Tue 2026-10-20 → notice
    by Fri 10-09 (Sat 10-10 调休上班 counts); a hearing on Mon 10-19 → by Thu 10-08."""
    assert on("hearing_notice", D(2026, 10, 20)) == D(2026, 10, 9)
    assert on("hearing_notice", D(2026, 10, 19)) == D(2026, 10, 8)


def test_statement_window_is_five_working_days_from_the_notice__市场监管_第五十七条_住建_第二十二条():
    for code in ("market_regulation", "housing", "urban_management"):
        r = profile(code).statement_rule()
        assert (r.count, r.unit) == (5, "working_day")
        assert due(r, D(2026, 9, 24), calendar()).on == D(2026, 10, 9)
    assert "第五十七条" in profile("market_regulation").statement_rule().article


def test_evidence_preserved_is_dealt_with_within_seven_working_days__处罚法_第五十六条():
    assert on("preservation", D(2026, 9, 24)) == D(2026, 10, 12)


# ---------------------------------------------------------------- 处罚法: decision and service


def test_decision_is_due_ninety_calendar_days_after_filing__处罚法_第六十条():
    """Filed 2026-09-24 → 2026-12-23; it binds the agency, so it is not rolled forward:
    filed 2026-07-03 → Thu 2026-10-01 (国庆) stays 10-01."""
    assert on("decision", D(2026, 9, 24)) == D(2026, 12, 23)
    assert on("decision", D(2026, 7, 3)) == D(2026, 10, 1)
    assert rule("decision").binds == "agency"


def test_hearing_and_testing_time_move_the_housing_decision_deadline__住建_第二十九条():
    """住建 第二十九条第二款: hearing and testing time is excluded; a suspension is not
    listed there, so it does not move the housing deadline."""
    pauses = [
        Pause("hearing", D(2026, 10, 20), D(2026, 10, 21)),  # 2 days
        Pause("testing", D(2026, 11, 2), D(2026, 11, 11)),  # 10 days
        Pause("suspension", D(2026, 11, 20), D(2026, 11, 29)),
    ]
    result = decision_due(profile("housing"), D(2026, 9, 24), calendar(), pauses)
    assert (result.raw, result.paused_days, result.on) == (D(2026, 12, 23), 12, D(2027, 1, 4))


def test_suspension_hearing_notice_and_testing_move_the_market_decision_deadline__市场监管_第六十四条():
    pauses = [
        Pause("suspension", D(2026, 10, 1), D(2026, 10, 10)),  # 10 days
        Pause("testing", D(2026, 10, 5), D(2026, 10, 14)),  # overlaps: 4 more
        Pause("notice", D(2026, 12, 30), D(2027, 1, 3)),  # reached only once moved: 5
    ]
    result = decision_due(profile("market_regulation"), D(2026, 9, 24), calendar(), pauses)
    assert result.paused_days == 19
    assert result.on == D(2026, 12, 23) + dt.timedelta(days=19)


def test_the_law_floor_counts_no_paused_days__处罚法_第六十条():
    pauses = [Pause("hearing", D(2026, 10, 20), D(2026, 10, 30))]
    assert decision_due(profile("urban_management"), D(2026, 9, 24), calendar(), pauses).on == D(
        2026, 12, 23
    )


def test_an_open_pause_stops_the_decision_clock():
    """市场监管 第六十四条第二款: while testing runs, no due date is shown, only 'paused'."""
    pauses = [Pause("testing", D(2026, 10, 5), None)]
    result = decision_due(profile("market_regulation"), D(2026, 9, 24), calendar(), pauses)
    assert (result.on, result.paused, result.flagged) == (None, True, False)


def test_approved_extensions_lengthen_the_decision_deadline__住建_第二十九条():
    """+30 with the head's approval, then ≤60 by collective discussion: 2026-09-24 + 90 +
    30 + 60 = 2027-03-23 (an agency date: no holiday calendar needed)."""
    housing = profile("housing")
    assert decision_due(housing, D(2026, 9, 24), calendar(), extension_days=[30]).on == D(
        2027, 1, 22
    )
    assert decision_due(housing, D(2026, 9, 24), calendar(), extension_days=[30, 60]).on == D(
        2027, 3, 23
    )
    with pytest.raises(ValueError):
        decision_due(housing, D(2026, 9, 24), calendar(), extension_days=[30, 61])


def test_the_decision_is_served_within_seven_working_days__处罚法_第六十一条():
    assert on("service", D(2026, 9, 24)) == D(2026, 10, 12)


def test_service_by_public_notice_takes_effect_after_thirty_days__民事诉讼法_第九十五条():
    assert on("public_notice_service", D(2026, 9, 1)) == D(2026, 10, 1)


def test_penalty_decisions_are_published_within_seven_working_days__118号_六():
    """Working days (处罚法 第八十五条): decided 2026-09-24 → 2026-10-12 (Sat 10-10 is an adjusted working day)."""
    assert on("disclosure", D(2026, 9, 24)) == D(2026, 10, 12)
    assert on("disclosure_other", D(2026, 9, 24)) == D(2026, 10, 29)


def test_published_information_is_withdrawn_within_three_working_days__处罚法_第四十八条():
    assert on("withdrawal", D(2026, 9, 30)) == D(2026, 10, 10)  # 调休 Saturday


def test_fines_collected_on_the_spot_are_handed_in_within_two_working_days__处罚法_第七十一条():
    assert on("hand_in_fine", D(2026, 9, 30)) == D(2026, 10, 9)
    assert on("bank_deposit", D(2026, 10, 9)) == D(2026, 10, 12)
    assert rule("hand_in_fine_on_water").start_event == "landed"


# ---------------------------------------------------------------- payment and remedies


def test_payment_is_due_fifteen_days_after_service_and_rolls_past_holidays__处罚法_第六十七条():
    """Working days (处罚法 第八十五条): 15 days from 2026-09-20 → raw 10-05 (国庆) → 2026-10-08."""
    assert on("payment", D(2026, 3, 2)) == D(2026, 3, 17)
    result = due(rule("payment"), D(2026, 9, 20), calendar())
    assert (result.raw, result.on) == (D(2026, 10, 5), D(2026, 10, 8))


def test_reconsideration_is_sixty_days_rolled_forward__行政复议法_第二十条():
    assert on("reconsideration", D(2026, 3, 2)) == D(2026, 5, 6)


def test_litigation_is_six_months_to_the_same_day_number__行政诉讼法_第四十六条():
    """民法典 第二百零二条: 2025-08-31 + 6 months → 2026-02-28 (no 31st), a 调休 Saturday."""
    assert on("litigation", D(2026, 3, 2)) == D(2026, 9, 2)
    assert on("litigation", D(2025, 8, 31)) == D(2026, 2, 28)


def test_suit_after_reconsideration_is_fifteen_days__行政诉讼法_第四十五条():
    assert on("litigation_after_reconsideration", D(2026, 9, 16)) == D(2026, 10, 8)


def test_the_court_application_window_is_three_months_after_the_litigation_deadline__行政强制法_第五十三条():
    r = rule("court_application")
    assert (r.count, r.unit, r.binds) == (3, "month", "agency")
    assert on("court_application", D(2026, 9, 2)) == D(2026, 12, 2)


def test_the_court_is_asked_only_ten_working_days_after_the_demand__行政强制法_第五十四条_第六十九条():
    """Served Fri 2026-09-25 (a holiday): the 10 working days end Thu 2026-10-15."""
    assert on("court_application_wait", D(2026, 9, 25)) == D(2026, 10, 15)


def test_substitute_performance_is_announced_three_working_days_before__行政强制法_第五十一条():
    """Working days strictly between demand and performance: for Mon 2026-10-12 (10-08,
    10-09 and Sat 10-10 count) the demand is due by 10-07."""
    assert on("substitute_performance_demand", D(2026, 10, 12)) == D(2026, 10, 7)


# ---------------------------------------------------------------- compulsory measures


def test_seizure_lasts_thirty_days_plus_thirty_on_approval_without_testing_time__行政强制法_第二十五条():
    assert on("seizure", D(2026, 9, 24)) == D(2026, 10, 24)
    assert on("seizure", D(2026, 9, 24), extension_days=30) == D(2026, 11, 23)
    testing = [
        Pause("testing", D(2026, 10, 1), D(2026, 10, 5)),
        Pause("hearing", D(2026, 10, 6), D(2026, 10, 9)),
    ]
    assert on("seizure", D(2026, 9, 24), pauses=testing) == D(2026, 10, 29)
    with pytest.raises(ValueError):
        due(rule("seizure"), D(2026, 9, 24), calendar(), extension_days=31)


def test_an_emergency_measure_is_approved_within_24_hours__行政强制法_第十九条():
    executed = dt.datetime(2026, 9, 30, 21, 15, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert on("emergency_measure_approval", executed) == executed + dt.timedelta(hours=24)
    with pytest.raises(TypeError):
        due(rule("emergency_measure_approval"), D(2026, 9, 30), calendar())


def test_freezing_decision_is_delivered_in_three_working_days_and_lasts_thirty__行政强制法_第三十一条_第三十二条():
    assert on("freeze_decision_delivery", D(2026, 9, 30)) == D(2026, 10, 10)
    assert on("freeze", D(2026, 9, 30)) == D(2026, 10, 30)


# ---------------------------------------------------------------- 两法衔接


def test_criminal_transfer_is_approved_in_three_calendar_days_and_sent_in_24_hours__移送规定_第五条():
    """移送规定 does not define its 日; calendar days, as recommended."""
    assert rule("criminal_transfer_approval").unit == "calendar_day"
    assert on("criminal_transfer_approval", D(2026, 9, 30)) == D(2026, 10, 3)
    approved = dt.datetime(2026, 10, 3, 9, 0, tzinfo=dt.UTC)
    assert on("criminal_transfer", approved) == dt.datetime(2026, 10, 4, 9, 0, tzinfo=dt.UTC)


def test_after_the_transfer_the_three_day_timers_run__移送规定_第八条_第九条_第十二条():
    for rule_id, article in (
        ("police_filing_review", "第八条"),
        ("transfer_objection", "第九条"),
        ("transfer_handover", "第十二条"),
    ):
        assert article in rule(rule_id).article
        assert on(rule_id, D(2026, 9, 30)) == D(2026, 10, 3)


# ---------------------------------------------------------------- sector lead checks


def test_market_regulation_checks_a_lead_in_fifteen_working_days_plus_fifteen__市场监管_第十八条():
    market = profile("market_regulation")
    assert due(market.lead_check_rule(), D(2026, 9, 24), calendar()).on == D(2026, 10, 22)
    assert due(market.lead_check_extended_rule(), D(2026, 9, 24), calendar()).on == D(2026, 11, 12)


def test_housing_counts_fifteen_days_as_working_days_plus_ten__住建_第十五条_第四十五条():
    housing = profile("housing")
    assert housing.fifteen_days_are_working_days
    assert due(housing.lead_check_rule(), D(2026, 9, 24), calendar()).on == D(2026, 10, 22)
    assert due(housing.lead_check_extended_rule(), D(2026, 9, 24), calendar()).on == D(2026, 11, 5)


def test_sectors_without_a_number_have_no_lead_check_deadline__交通_第六十二条():
    assert profile("transport").lead_check_rule() is None
    assert profile("").code == "urban_management"


# ---------------------------------------------------------------- never guessed


def test_a_deadline_in_a_year_without_a_calendar_is_flagged_not_guessed__处罚法_第八十五条():
    """Served 2026-12-20: payment raw 2027-01-04 needs 2027's calendar (not loaded) to know
    whether it rolls forward; 5 working days from 2027-12-28 need 2028's."""
    for rule_id, start in (("payment", D(2026, 12, 20)), ("hearing_request", D(2027, 12, 28))):
        result = due(rule(rule_id), start, calendar())
        assert (result.on, result.flagged) == (None, True)
        assert "尚未载入" in result.reason_zh and "not loaded" in result.reason_en


def test_every_rule_cites_its_article_and_says_whom_it_binds():
    for r in law.CATALOGUE:
        assert r.article and r.binds in ("party", "agency") and r.unit in law.UNITS
    assert len({r.id for r in law.CATALOGUE}) == len(law.CATALOGUE)


def test_an_event_time_counts_on_its_day_in_shanghai__民事诉讼法_第八十五条():
    """Served at 2026-03-01 17:30 UTC = 2026-03-02 01:30 in Shanghai: pay by 03-17."""
    served = dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC)
    assert on("payment", served) == D(2026, 3, 17)
