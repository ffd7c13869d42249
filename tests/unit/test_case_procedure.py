"""The statutory procedure as a state machine (seed 000 一(三): no stage can be skipped;
处罚法 第四十二条、第四十五条、第五十八条、第六十二条; 行政强制法 第二十七条)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from yimen.platform.cases.procedure.rules import (
    CaseView,
    OfficerView,
    Refusal,
    allowed_actions,
    check_complete,
    check_where,
    next_stage,
    require_two_officers,
    stage_ids,
)
from yimen.tenants.workflow.statutory import GENERAL

TODAY = dt.date(2026, 10, 12)


def _officer(name, valid=dt.date(2027, 12, 31), domains=("urban_management",), **kw):
    return OfficerView(name, name, f"C-{name}", valid, tuple(domains), **kw)


def _case(**changes) -> CaseView:
    base = CaseView(
        procedure="general",
        stage="investigation",
        status="open",
        matter_domain="urban_management",
        officers=(_officer("张三"), _officer("李四")),
        parties=1,
        today=TODAY,
    )
    return dataclasses.replace(base, **changes)


def test_a_plain_case_goes_through_every_statutory_stage_and_skips_only_conditional_ones():
    assert stage_ids(GENERAL, _case()) == [
        "filing",
        "investigation",
        "correction_order",
        "prior_notice",
        "statement",
        "decision",
        "service",
        "execution",
        "closure",
        "archive",
    ]


def test_a_major_decision_with_a_hearing_goes_through_hearing_legal_review_and_discussion():
    """处罚法 第五十七条第二款 (集体讨论), 第五十八条 (法制审核), 第六十三条 (听证)."""
    ids = stage_ids(GENERAL, _case(major=True, hearing_requested=True, measures_needed=True))
    assert ids[1:9] == [
        "investigation",
        "compulsory_measures",
        "correction_order",
        "prior_notice",
        "statement",
        "hearing",
        "legal_review",
        "collective_discussion",
    ]


def test_a_hearing_held_makes_legal_review_mandatory__处罚法_第五十八条第一款第二项():
    case = _case(stage="hearing", hearing_requested=True, details={"hearing": {"held": True}})
    assert next_stage(GENERAL, case) == "legal_review"


def test_a_complex_case_needs_legal_review_even_without_a_hearing__处罚法_第五十八条第一款第三项():
    plain = _case(stage="statement", details={"statement": {"waived": True}})
    assert next_stage(GENERAL, plain) == "decision"
    complex_case = _case(
        stage="statement", complex_case=True, details={"statement": {"waived": True}}
    )
    assert next_stage(GENERAL, complex_case) == "legal_review"


def test_a_stage_cannot_be_left_while_its_statutory_documents_are_missing():
    case = _case(
        details={"investigation": {"evidence": ["e1"]}}, documents=frozenset({"现场检查笔录"})
    )
    with pytest.raises(Refusal) as refused:
        check_complete(GENERAL, case)
    assert refused.value.rule == "documents:investigation" and "询问笔录" in refused.value.zh


def test_the_investigation_needs_evidence__处罚法_第四十条():
    case = _case(documents=frozenset({"现场检查笔录", "询问笔录"}))
    with pytest.raises(Refusal) as refused:
        check_complete(GENERAL, case)
    assert refused.value.rule == "evidence-required"


def test_an_order_to_correct_may_be_explicitly_not_required_with_a_reason():
    case = _case(
        stage="correction_order", details={"correction_order": {"not_required": "已自行拆除"}}
    )
    check_complete(GENERAL, case)


def test_no_decision_before_the_statement_window_closes_or_a_waiver__处罚法_第六十二条():
    due = dt.date(2026, 10, 9)
    open_window = _case(stage="statement", today=dt.date(2026, 10, 9), dates={"statement_due": due})
    with pytest.raises(Refusal) as refused:
        check_complete(GENERAL, open_window)
    assert refused.value.rule == "statement-window-open" and "2026-10-09" in refused.value.zh
    check_complete(GENERAL, dataclasses.replace(open_window, today=dt.date(2026, 10, 10)))
    check_complete(
        GENERAL, dataclasses.replace(open_window, details={"statement": {"waived": True}})
    )


def test_a_statement_must_be_re_examined__处罚法_第四十五条():
    case = _case(
        stage="statement",
        dates={"statement_due": dt.date(2026, 10, 9)},
        details={"statement": {"statement": "我已整改"}},
    )
    with pytest.raises(Refusal) as refused:
        check_complete(GENERAL, case)
    assert refused.value.rule == "reexamination-required"


def test_no_decision_without_a_passed_legal_review__处罚法_第五十八条():
    case = _case(stage="legal_review", major=True, documents=frozenset({"法制审核意见书"}))
    with pytest.raises(Refusal) as refused:
        check_complete(GENERAL, case)
    assert refused.value.article == "《行政处罚法》第五十八条"


def test_open_seizures_must_be_dealt_with__行政强制法_第二十七条():
    case = _case(
        stage="compulsory_measures",
        measures_needed=True,
        documents=frozenset({"查封扣押决定书"}),
        details={
            "compulsory_measures": {"measures": [{"kind": "seal", "started_on": "2026-09-24"}]}
        },
    )
    with pytest.raises(Refusal):
        check_complete(GENERAL, case)


def test_two_qualified_officers__处罚法_第四十二条():
    require_two_officers(_case())
    for officers in (
        (_officer("张三"),),
        (_officer("张三"), _officer("李四", valid=dt.date(2026, 1, 1))),  # expired
        (_officer("张三"), _officer("李四", domains=("market_regulation",))),
        (_officer("张三"), _officer("李四", recused=True)),
    ):
        with pytest.raises(Refusal) as refused:
            require_two_officers(_case(officers=officers))
        assert refused.value.article == "《行政处罚法》第四十二条"


def test_a_step_out_of_order_is_refused_and_the_console_offers_only_what_the_law_allows():
    with pytest.raises(Refusal) as refused:
        check_where("decide", _case())
    assert refused.value.rule == "out-of-order" and "调查取证" in refused.value.zh
    offered = allowed_actions(GENERAL, _case(stage="decision"))
    assert "decide" in offered and "approve_filing" not in offered and "advance" not in offered
