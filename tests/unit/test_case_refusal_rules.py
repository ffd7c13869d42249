"""A refusal names the rule that applies (issue 13): every act kept to the head or the
legal reviewer names the article that gives it to them; a step out of order names the
article of the step that comes first; the court's window and the demand's ten working
days (行政强制法 第五十三条、第五十四条) each give their own reason and date."""

from __future__ import annotations

import datetime as dt

from tests.unit.test_working_days import calendar
from yimen.platform.cases import registry
from yimen.platform.cases.law import periods as law
from yimen.platform.cases.law.limits import court_window_refused, demand_wait_refused
from yimen.platform.cases.procedure import rules

D = dt.date


def test_every_act_kept_to_a_role_names_the_rule_that_keeps_it():
    missing = [name for name in registry.ROLE if not rules.ROLE_ARTICLES.get(name)]
    assert missing == []
    refusal = rules.role_refusal("legal_review", registry.ROLE["legal_review"])
    assert refusal.rule == "role:legal_reviewer" and "第五十八条" in refusal.article
    assert "第五十七条第一款" in rules.role_refusal("decide", registry.ROLE["decide"]).article


def test_a_step_out_of_order_names_the_step_that_comes_first__处罚法_第四十四条():
    case = rules.CaseView(procedure="general", stage="prior_notice", status="open")
    where = rules.Where(("decision",), ("open",), "作出处罚决定")
    refusal = rules.out_of_order("decide", case, where)
    assert "事先告知" in refusal.zh and refusal.article == "《行政处罚法》第四十四条"
    draft = rules.CaseView(procedure="general", stage="filing", status="draft")
    assert "第五十四条" in rules.out_of_order("decide", draft, where).article
    passed = rules.CaseView(procedure="general", stage="execution", status="open")
    late = rules.out_of_order(
        "order_correction", passed, rules.Where(("correction_order",), ("open",), "责令改正")
    )
    assert "已经结束" in late.zh and "第二十八条" in late.article


def test_the_court_waits_for_the_demands_ten_working_days_and_says_until_when__行政强制法_第五十四条():
    refusal = demand_wait_refused(D(2026, 11, 24), D(2026, 11, 24), calendar())
    assert refusal is not None and refusal.rule == "demand-period-open"
    assert "2026-12-09" in refusal.zh and "第五十四条" in refusal.article
    assert demand_wait_refused(D(2026, 11, 24), D(2026, 12, 9), calendar()) is None
    late = demand_wait_refused(D(2026, 11, 24), D(2026, 11, 25), calendar(), D(2026, 12, 2))
    assert late is not None and "过晚" in late.zh


def test_a_challenge_period_in_an_unloaded_year_refuses_only_what_is_certainly_early__行政强制法_第五十三条():
    period = (law.rule("litigation"), D(2026, 7, 1))  # ends 2027-01-01 or the next working day
    early = court_window_refused(D(2026, 12, 31), None, period, calendar())
    assert early is not None and early.rule == "court-window" and "2027-01-01" in early.zh
    assert court_window_refused(D(2027, 2, 10), None, period, calendar()) is None
    unsure = court_window_refused(D(2027, 1, 4), None, period, calendar())
    assert unsure is not None and unsure.rule == "calendar-not-loaded"
    assert (
        court_window_refused(D(2027, 4, 2), None, period, calendar()).rule == "calendar-not-loaded"
    )
