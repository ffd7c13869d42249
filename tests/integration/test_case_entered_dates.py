"""Dates an officer enters are checked against the case's record and today
(law/entered_dates.py): a refusal is a 422 naming the field, the bound and the article, and
nothing is written. And a lawful act is not refused at year end because next year's
calendar is not loaded (law/window.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.integration import test_case_lifecycle as lifecycle
from tests.integration.test_case_lifecycle import Case
from tests.integration.test_case_rules_engine import decided, noticed

desk = lifecycle.desk  # a fixture


@pytest.fixture
def year_end(time_machine) -> dt.date:
    """Tuesday 29 December 2026, 10:00 in Shanghai: the calendar has 2026, not 2027.
    Listed before `desk`, so its tokens are issued on this day."""
    time_machine.move_to(dt.datetime(2026, 12, 29, 2, 0, tzinfo=dt.UTC), tick=True)
    return dt.date(2026, 12, 29)


def rejected(case: Case, action: str, field: str, bound: str, article: str, **body) -> dict:
    before = case.client.get(f"/api/v1/cases/{case.id}", headers=case.desk["officer"]).json
    problem = case.do(action, who=body.pop("who", "officer"), expect=422, **body)
    assert problem["errors"][0]["field"] == field, problem
    assert problem["bound"] == bound and article in problem["article"], problem
    assert article in problem["detail"] and problem["detail_en"], problem
    after = case.client.get(f"/api/v1/cases/{case.id}", headers=case.desk["officer"]).json
    assert (after["version"], after["stage"]) == (before["version"], before["stage"])
    return problem


def test_a_prior_notice_dated_before_the_filing_is_refused__处罚法_第四十四条(
    case_day, client, desk
):
    """It would close the party's statement window at once and move the case on."""
    case = noticed(client, desk, served_on=case_day.isoformat(), fine=3_000_000)
    assert case.json["stage"] == "statement"
    fresh = Case(client, desk)
    fresh.do("approve_filing", who="head")  # filed today, 24 November
    fresh.do("add_evidence", kind="audio_visual", title="现场视频", sha256="b" * 64)
    fresh.do("add_record", kind="现场检查笔录", content="现场检查情况……")
    fresh.do("add_record", kind="询问笔录", content="当事人陈述……")
    fresh.do("advance")
    fresh.do("correction_not_required", reason="违法行为已经改正完毕。")
    fresh.do("advance")
    fresh.do("propose_penalty", penalty_kinds=["fine"], fine_fen=3_000_000,
             circumstance="ordinary", justification="依裁量基准，结合情节确定。")  # fmt: skip
    problem = rejected(fresh, "serve_prior_notice", "served_on", "2026-11-24", "第四十四条",
                       served_on="2026-11-02")  # fmt: skip
    assert "立案" in problem["detail"] and "filing" in problem["detail_en"]
    fresh.do("serve_prior_notice", served_on="2026-11-24")  # the day of filing: its bound
    assert fresh.json["stage"] == "statement"


def test_a_hearing_request_before_the_notice_or_in_the_future_is_refused__处罚法_第六十四条(
    case_day, client, desk
):
    case = noticed(client, desk, kinds=("fine", "order_suspension"), served_on="2026-11-18")
    rejected(case, "request_hearing", "requested_on", "2026-11-18", "第六十四条第(一)项",
             requested_on="2026-11-17")  # fmt: skip
    rejected(case, "request_hearing", "requested_on", "2026-11-24", "第六十四条第(一)项",
             requested_on="2026-11-25")  # fmt: skip
    case.do("request_hearing", requested_on="2026-11-18")  # the notice's day: its bound
    assert case.json["hearing_requested"] is True


def test_a_hearing_recorded_as_held_on_a_future_day_is_refused__处罚法_第六十四条(
    case_day, client, desk
):
    case = noticed(client, desk, kinds=("fine", "order_suspension"), served_on="2026-11-02")
    case.do("request_hearing", requested_on="2026-11-04")
    case.do("advance")
    rejected(case, "schedule_hearing", "hearing_on", "2026-11-09", "第六十四条第(二)项",
             noticed_on="2026-11-10", hearing_on="2026-11-19", presider_id=desk["presider"],
             place="听证室", hearing_time="09:30")  # 7 working days between notice and hearing  # fmt: skip
    case.do("schedule_hearing", noticed_on="2026-11-10", hearing_on="2026-11-20",
            hearing_time="09:30", presider_id=desk["presider"], place="听证室")  # fmt: skip
    rejected(case, "record_hearing", "held_on", "2026-11-24", "第六十四条",
             transcript="听证笔录……", held_on="2026-11-25")  # fmt: skip
    case.do("record_hearing", transcript="听证笔录……", held_on="2026-11-24")  # today: its bound
    assert case.json["details"]["hearing"]["held"] is True


def test_service_of_the_decision_dated_before_the_decision_is_refused__处罚法_第六十一条(
    case_day, client, desk
):
    """It would start (and end) the party's payment, reconsideration and litigation
    periods before the decision existed."""
    case = decided(client, desk)  # decided today
    rejected(case, "serve_decision", "served_on", "2026-11-24", "第六十一条",
             method="direct", served_on="2026-03-02")  # fmt: skip
    rejected(case, "serve_decision", "served_on", "2026-11-24", "第六十一条",
             method="direct", served_on="2026-11-25")  # fmt: skip
    case.do("serve_decision", method="direct", served_on="2026-11-24")
    assert case.json["served_on"] == "2026-11-24"


def test_a_correction_deadline_lies_in_the_future__处罚法_第二十八条(case_day, client, desk):
    case = Case(client, desk)
    case.do("approve_filing", who="head")
    case.do("add_evidence", kind="audio_visual", title="现场视频", sha256="b" * 64)
    case.do("add_record", kind="现场检查笔录", content="现场检查情况……")
    case.do("add_record", kind="询问笔录", content="当事人陈述……")
    case.do("advance")
    rejected(case, "order_correction", "correct_by", "2026-11-24", "第二十八条",
             content="限期安装油烟净化设施", correct_by="2026-11-24")  # fmt: skip
    case.do("order_correction", content="限期安装油烟净化设施", correct_by="2026-11-25")


def test_a_demand_dated_before_the_decision_was_served_is_refused__行政强制法_第三十五条(
    case_day, client, desk
):
    case = decided(client, desk)
    case.do("serve_decision", method="direct", served_on="2026-11-24")
    rejected(case, "issue_demand", "served_on", "2026-11-24", "第三十五条",
             served_on="2026-11-20")  # fmt: skip


# --- item 10: the year's end -----------------------------------------------------------


def test_a_hearing_request_at_year_end_is_accepted_though_2027_is_not_loaded__处罚法_第六十四条(
    year_end, client, desk
):
    """Notice served Monday 28 December: its 5 working days end in 2027, whose calendar
    is not loaded. A request the next day is certainly within them: accepted, not refused
    as "calendar not loaded"."""
    case = noticed(client, desk, kinds=("fine", "order_suspension"), served_on="2026-12-28")
    window = next(d for d in case.json["deadlines"] if d["id"] == "statement")
    assert window["due"] is None and window["flagged"] is True  # the end is not guessed
    case.do("request_hearing", requested_on="2026-12-29")
    assert case.json["hearing_requested"] is True
