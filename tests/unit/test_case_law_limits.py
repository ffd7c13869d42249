"""What the law forbids or requires (platform/cases/law/limits.py), one test per row of
the law, each citing its article."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.unit.test_working_days import calendar
from yimen.platform.cases.law import periods as law
from yimen.platform.cases.law.limits import (
    Extension,
    court_application_window,
    decision_extension_refused,
    extension_refused,
    forced_demolition_allowed_after,
    forced_demolition_refused,
    full_years,
    hearing_notice_refused,
    hearing_request_refused,
    hearing_right,
    limitation,
    minor_at,
    night_or_holiday_execution,
    on_spot_collection_allowed,
    simple_procedure_allowed,
    simple_procedure_possible,
    surcharge_capped_on,
    surcharge_fen,
)

D = dt.date
CST = dt.timezone(dt.timedelta(hours=8))
SHANGHAI_LIKE = {
    ("person", "fine"): 5_000_00,
    ("person", "confiscation"): 5_000_00,
    ("organisation", "fine"): 50_000_00,
    ("organisation", "confiscation"): 50_000_00,
}


def id_number(born: dt.date, sequence: str = "002") -> str:
    """A GB 11643 number with a valid check character for `born`."""
    body = f"110105{born:%Y%m%d}{sequence}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


# ---------------------------------------------------------------- simple procedure


def test_simple_procedure_fines_a_citizen_up_to_200_yuan__处罚法_第五十一条():
    assert simple_procedure_allowed("person", ["fine"], 200_00) is None
    refusal = simple_procedure_allowed("person", ["fine"], 200_01)
    assert refusal.rule == "simple-procedure-limit" and "第五十一条" in refusal.article
    assert "200" in refusal.zh


def test_simple_procedure_fines_an_organisation_up_to_3000_yuan__处罚法_第五十一条():
    assert simple_procedure_allowed("organisation", ["fine"], 3_000_00) is None
    assert (
        simple_procedure_allowed("organisation", ["fine"], 3_000_01).rule
        == "simple-procedure-limit"
    )


def test_simple_procedure_is_possible_only_where_the_matters_minimum_fits__处罚法_第五十一条():
    assert simple_procedure_possible("person", ["fine"], 200)
    assert not simple_procedure_possible("person", ["fine"], 201)
    assert simple_procedure_possible("organisation", ["fine"], 3000)
    assert not simple_procedure_possible("organisation", ["fine"], 3001)
    assert simple_procedure_possible(None, ["fine"], 3000)  # no party yet: the wider limit
    assert simple_procedure_possible("person", ["warning", "fine"], 10_000)  # a warning
    assert simple_procedure_possible("person", ["fine"], None)  # a multiple of a value
    assert not simple_procedure_possible("person", ["suspend_license"], None)
    assert not simple_procedure_possible("individual_business", ["fine"], 500)
    assert simple_procedure_possible("individual_business", ["fine"], 500, "organisation")


def test_simple_procedure_allows_a_warning_and_nothing_heavier__处罚法_第五十一条():
    assert simple_procedure_allowed("organisation", ["warning"], None) is None
    for kinds in (["criticism"], ["fine", "confiscate_gains"], ["suspend_license"]):
        assert simple_procedure_allowed("person", kinds, 50_00).rule == "simple-procedure-kind"
    assert simple_procedure_allowed("person", [], None).rule == "simple-procedure-kind"


def test_an_individual_business_is_a_district_policy__处罚法_第五十一条():
    assert simple_procedure_allowed("individual_business", ["fine"], 1_000_00) is not None
    assert (
        simple_procedure_allowed(
            "individual_business", ["fine"], 1_000_00, individual_business_as="organisation"
        )
        is None
    )


def test_fines_up_to_100_yuan_or_hard_to_collect_are_collected_on_the_spot__处罚法_第六十八条_第六十九条():
    assert on_spot_collection_allowed(100_00, hard_to_collect=False) is None
    assert on_spot_collection_allowed(150_00, hard_to_collect=True) is None
    assert on_spot_collection_allowed(150_00, False, remote_area_request=True) is None
    refusal = on_spot_collection_allowed(100_01, hard_to_collect=False)
    assert refusal.rule == "on-spot-collection" and "第六十八条" in refusal.article


# ---------------------------------------------------------------- limitation and minors


def test_an_act_undiscovered_for_two_years_is_not_penalised__处罚法_第三十六条():
    assert limitation(D(2024, 3, 1), D(2026, 3, 1), life_safety=False) is None
    refusal = limitation(D(2024, 3, 1), D(2026, 3, 2), life_safety=False)
    assert refusal.rule == "limitation" and "第三十六条" in refusal.article
    assert "2026-03-01" in refusal.zh


def test_life_health_safety_or_financial_harm_extends_limitation_to_five_years__处罚法_第三十六条():
    assert limitation(D(2021, 6, 1), D(2026, 6, 1), life_safety=True) is None
    assert limitation(D(2021, 6, 1), D(2026, 6, 2), life_safety=True) is not None


def test_a_continuing_act_counts_from_the_day_it_ended__处罚法_第三十六条第二款():
    """Started 2022-01-10, continued until 2025-05-31: discovered 2026-11-01 is in time
    when counted from the end (the caller passes the end date)."""
    assert limitation(D(2025, 5, 31), D(2026, 11, 1), life_safety=False) is None
    assert limitation(D(2022, 1, 10), D(2026, 11, 1), life_safety=False) is not None


def test_under_fourteen_no_penalty_fourteen_to_eighteen_lighter__处罚法_第三十条():
    young = minor_at(id_number(D(2013, 5, 20)), D(2026, 9, 24))
    assert (young.age, young.no_penalty) == (13, True) and "第三十条" in young.article
    teen = minor_at(id_number(D(2010, 5, 20)), D(2026, 9, 24))
    assert (teen.age, teen.no_penalty) == (16, False) and "从轻或者减轻" in teen.zh
    assert minor_at(id_number(D(2008, 5, 20)), D(2026, 9, 24)) is None
    assert minor_at("11010519491231002X", D(2026, 9, 24)) is None  # GB 11643 example


def test_a_birthday_is_reached_the_day_after__处罚法_第三十条():
    """周岁 count from the day after the birthday: on the 14th birthday the party is 13."""
    born = D(2012, 9, 24)
    assert minor_at(id_number(born), D(2026, 9, 24)).no_penalty
    assert not minor_at(id_number(born), D(2026, 9, 25)).no_penalty
    assert full_years(D(2008, 2, 29), D(2026, 3, 1)) == 18


def test_an_invalid_id_number_is_not_read_for_an_age():
    with pytest.raises(ValueError):
        minor_at("110105201305200020", D(2026, 9, 24))  # wrong check digit


# ---------------------------------------------------------------- hearing right


def test_revocation_suspension_closure_and_restriction_carry_a_hearing_whatever_the_amount__处罚法_第六十三条():
    for kind, item in (
        ("revoke_license", "(三)"),
        ("downgrade", "(三)"),
        ("order_suspension", "(四)"),
        ("order_closure", "(四)"),
        ("restrict_practice", "(四)"),
        ("restrict_business", "(五)"),
    ):
        right, reason, article = hearing_right([kind], "organisation", None, None, SHANGHAI_LIKE)
        assert right and item in article, kind
        assert "听证" in reason


def test_a_large_fine_carries_a_hearing_from_the_district_threshold__处罚法_第六十三条第一项():
    """Shanghai-like thresholds (沪府令77号 第四条): person ≥ ¥5,000, organisation ≥ ¥50,000."""
    assert hearing_right(["fine"], "person", 5_000_00, None, SHANGHAI_LIKE).right
    assert not hearing_right(["fine"], "person", 4_999_99, None, SHANGHAI_LIKE).right
    assert hearing_right(["fine"], "organisation", 50_000_00, None, SHANGHAI_LIKE).right
    result = hearing_right(["fine"], "organisation", 49_999_00, None, SHANGHAI_LIKE)
    assert not result.right and result.reason_en


def test_confiscation_is_measured_separately_from_the_fine__处罚法_第六十三条第二项_沪府令77号_第三十一条():
    """¥3,000 fine + ¥3,000 confiscated from a person: neither reaches ¥5,000 alone."""
    kinds = ["fine", "confiscate_gains"]
    assert not hearing_right(kinds, "person", 3_000_00, 3_000_00, SHANGHAI_LIKE).right
    right, _, article = hearing_right(kinds, "person", 1_000_00, 6_000_00, SHANGHAI_LIKE)
    assert right and "(二)" in article


def test_an_individual_business_and_an_unset_threshold_keep_the_hearing__处罚法_第六十三条():
    assert hearing_right(["fine"], "individual_business", 5_000_00, None, SHANGHAI_LIKE).right
    right, reason, _ = hearing_right(["fine"], "organisation", 100_00, None, {})
    assert right and "未设定" in reason


def test_a_hearing_is_requested_within_five_working_days__处罚法_第六十四条第一项_第八十五条():
    assert hearing_request_refused(D(2026, 9, 24), D(2026, 10, 9), calendar()) is None
    refusal = hearing_request_refused(D(2026, 9, 24), D(2026, 10, 10), calendar())
    assert refusal.rule == "hearing-request-late" and "2026-10-09" in refusal.zh


def test_the_hearing_notice_leaves_seven_working_days__处罚法_第六十四条第二项():
    """Worked timeline A: hearing Tue 2026-10-20 → notice by Fri 2026-10-09."""
    assert hearing_notice_refused(D(2026, 10, 9), D(2026, 10, 20), calendar()) is None
    refusal = hearing_notice_refused(D(2026, 10, 10), D(2026, 10, 20), calendar())
    assert refusal.rule == "hearing-notice-late" and "第六十四条" in refusal.article


def test_a_check_needing_a_missing_year_is_refused_not_guessed():
    """Whether 10 March is within 5 working days of 1 March depends on 2027's calendar:
    refused, not guessed. 5 March is within them whatever that calendar says (only 3 days
    lie between): accepted."""
    refusal = hearing_request_refused(D(2027, 3, 1), D(2027, 3, 10), calendar())
    assert refusal.rule == "calendar-not-loaded"
    assert hearing_request_refused(D(2027, 3, 1), D(2027, 3, 5), calendar()) is None


# ---------------------------------------------------------------- extensions


def test_the_first_decision_extension_is_30_days_by_the_head__市场监管_第六十四条():
    market = law.profile("market_regulation")
    assert decision_extension_refused(market, [], Extension(30, "head")) is None
    assert (
        decision_extension_refused(market, [], Extension(31, "head")).rule
        == "decision-extension-first"
    )


def test_a_second_housing_extension_is_by_collective_discussion_up_to_60_days__住建_第二十九条():
    housing = law.profile("housing")
    first = [Extension(30, "head")]
    assert decision_extension_refused(housing, first, Extension(60, "collective")) is None
    assert decision_extension_refused(housing, first, Extension(60, "head")) is not None
    assert decision_extension_refused(housing, first, Extension(61, "collective")) is not None
    both = first + [Extension(60, "collective")]
    assert decision_extension_refused(housing, both, Extension(10, "collective")).rule == (
        "decision-extension-exhausted"
    )


def test_market_regulation_sets_a_reasonable_further_period_by_collective_discussion__市场监管_第六十四条():
    market = law.profile("market_regulation")
    granted = [Extension(30, "head"), Extension(90, "collective")]
    assert decision_extension_refused(market, granted[:1], Extension(90, "collective")) is None
    assert decision_extension_refused(market, granted, Extension(30, "collective")) is None


def test_transport_extends_once_and_the_law_floor_not_at_all__交通_第七十八条_处罚法_第六十条():
    transport = law.profile("transport")
    assert decision_extension_refused(transport, [], Extension(30, "head")) is None
    assert decision_extension_refused(
        transport, [Extension(30, "head")], Extension(10, "collective")
    )
    floor = decision_extension_refused(law.profile("urban_management"), [], Extension(10, "head"))
    assert floor.rule == "decision-extension-none" and "第六十条" in floor.article


def test_seizure_is_extended_by_at_most_thirty_days__行政强制法_第二十五条():
    assert extension_refused(law.rule("seizure"), 30) is None
    refusal = extension_refused(law.rule("seizure"), 31)
    assert refusal.rule == "seizure-extension" and "第二十五条" in refusal.article


# ---------------------------------------------------------------- surcharge


def test_surcharge_is_three_percent_a_day_from_the_day_after_the_deadline__处罚法_第七十二条():
    """Worked timeline B: pay by 2026-03-17; day 1 is 03-18."""
    fine = 10_000_00
    assert surcharge_fen(fine, D(2026, 3, 17), D(2026, 3, 17)) == 0
    assert surcharge_fen(fine, D(2026, 3, 17), D(2026, 3, 18)) == 300_00
    assert surcharge_fen(fine, D(2026, 3, 17), D(2026, 3, 27)) == 3_000_00


def test_surcharge_never_exceeds_the_fine_and_reaches_it_on_day_34__处罚法_第七十二条_行政强制法_第四十五条():
    fine = 10_000_00
    assert surcharge_capped_on(D(2026, 3, 17)) == D(2026, 4, 20)
    assert surcharge_fen(fine, D(2026, 3, 17), D(2026, 4, 19)) == 9_900_00  # day 33
    assert surcharge_fen(fine, D(2026, 3, 17), D(2026, 4, 20)) == fine  # day 34
    assert surcharge_fen(fine, D(2026, 3, 17), D(2027, 4, 20)) == fine
    assert surcharge_fen(33, D(2026, 3, 17), D(2026, 3, 18)) == 0  # rounded down to the fen


def test_reconsideration_and_litigation_days_do_not_count_for_the_surcharge__处罚法_第七十三条第三款():
    pauses = [law.Pause("reconsideration", D(2026, 3, 20), D(2026, 4, 8))]  # 20 days
    paused = law.paused_days(pauses, D(2026, 3, 17), D(2026, 4, 20))
    assert paused == 20
    assert surcharge_fen(10_000_00, D(2026, 3, 17), D(2026, 4, 20), paused) == 4_200_00  # 14 days
    assert surcharge_capped_on(D(2026, 3, 17), paused) == D(2026, 5, 10)


# ---------------------------------------------------------------- execution


def test_the_court_is_asked_between_the_litigation_deadline_and_three_months_later__行政强制法_第五十三条():
    """Worked timeline B: litigation due 2026-09-02 → window 2026-09-03 … 2026-12-02."""
    window = court_application_window(D(2026, 9, 2), D(2026, 8, 10), calendar())
    assert (window.opens, window.closes, window.flagged) == (D(2026, 9, 3), D(2026, 12, 2), False)
    assert "第五十三条" in window.article and "第五十四条" in window.article


def test_the_court_window_opens_ten_working_days_after_the_demand__行政强制法_第五十四条():
    """Demand served Thu 2026-09-24: its 10 working days end 10-15 (中秋, 国庆 skipped)."""
    window = court_application_window(D(2026, 9, 2), D(2026, 9, 24), calendar())
    assert (window.opens, window.closes) == (D(2026, 10, 16), D(2026, 12, 2))
    without = court_application_window(D(2026, 9, 2), None, calendar())
    assert without.opens is None and "催告书" in without.reason_zh
    late = court_application_window(D(2026, 9, 2), D(2026, 11, 25), calendar())
    assert late.flagged and "过晚" in late.reason_zh


def test_a_deferral_moves_the_court_window__处罚法_第七十二条第二款():
    window = court_application_window(D(2026, 9, 2), D(2026, 8, 10), calendar(), D(2026, 10, 31))
    assert (window.opens, window.closes) == (D(2026, 11, 1), D(2027, 1, 31))


def test_forced_demolition_waits_for_the_notice_and_both_windows__行政强制法_第四十四条():
    after = forced_demolition_allowed_after(D(2026, 4, 1), D(2026, 5, 6), D(2026, 9, 2))
    assert after == D(2026, 9, 2)
    assert forced_demolition_refused(
        D(2026, 9, 2), D(2026, 4, 1), D(2026, 5, 6), D(2026, 9, 2), False
    )
    assert (
        forced_demolition_refused(D(2026, 9, 3), D(2026, 4, 1), D(2026, 5, 6), D(2026, 9, 2), False)
        is None
    )
    refusal = forced_demolition_refused(
        D(2026, 9, 3), D(2026, 4, 1), D(2026, 5, 6), D(2026, 9, 2), True
    )
    assert refusal.rule == "forced-demolition-early" and "第四十四条" in refusal.article


def test_no_execution_at_night_or_on_holidays_except_in_an_emergency__行政强制法_第四十三条():
    working_morning = dt.datetime(2026, 9, 24, 9, 0, tzinfo=CST)
    assert night_or_holiday_execution(working_morning, calendar()) is None
    night = dt.datetime(2026, 9, 24, 22, 30, tzinfo=CST)
    assert night_or_holiday_execution(night, calendar()).rule == "execution-at-night"
    utc_afternoon_is_shanghai_night = dt.datetime(2026, 9, 24, 15, 0, tzinfo=dt.UTC)  # 23:00
    assert night_or_holiday_execution(utc_afternoon_is_shanghai_night, calendar()) is not None
    national_day = dt.datetime(2026, 10, 2, 10, 0, tzinfo=CST)
    assert night_or_holiday_execution(national_day, calendar()).rule == "execution-on-holiday"
    assert night_or_holiday_execution(national_day, calendar(), emergency=True) is None
    adjusted_saturday = dt.datetime(2026, 10, 10, 10, 0, tzinfo=CST)
    assert night_or_holiday_execution(adjusted_saturday, calendar()) is None
    early = dt.datetime(2026, 9, 24, 7, 0, tzinfo=CST)
    assert night_or_holiday_execution(early, calendar(), night_hours=(20, 8)) is not None
    in_2027 = dt.datetime(2027, 3, 1, 10, 0, tzinfo=CST)
    assert night_or_holiday_execution(in_2027, calendar()).rule == "calendar-not-loaded"
