"""The outcomes of an investigation in the stage machine (处罚法 第五十七条第一款): the
stages each outcome goes through, the decision's instrument, and the actions a recorded
fact of 第三十三条 forbids — pure rules, no database."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from yimen.platform.cases.discretion.benchmark import Facts, no_penalty_ground
from yimen.platform.cases.procedure.rules import (
    CaseView,
    OfficerView,
    Refusal,
    allowed_actions,
    check_complete,
    check_where,
    missing_documents,
    next_stage,
    stage_ids,
)
from yimen.tenants.workflow.statutory import GENERAL

OFFICERS = tuple(
    OfficerView(n, n, f"C-{n}", dt.date(2027, 12, 31), ("urban_management",)) for n in "甲乙"
)
MINOR = {"circumstance": "minor", "corrected": True, "harm": "none"}


def _case(outcome: str | None = None, facts: dict | None = None, **changes) -> CaseView:
    details: dict = {}
    if outcome:
        details["outcome"] = {"kind": outcome}
    if facts:
        details["no_penalty_facts"] = facts
    base = CaseView(
        procedure="general",
        stage="correction_order",
        status="open",
        matter_domain="urban_management",
        officers=OFFICERS,
        parties=1,
        details=details,
        today=dt.date(2026, 11, 24),
    )
    return dataclasses.replace(base, **changes)


@pytest.mark.parametrize(
    ("outcome", "after_correction"),
    [
        (None, ["prior_notice", "statement", "decision", "service", "execution", "closure"]),
        ("no_penalty", ["decision", "service", "closure"]),
        ("not_established", ["decision", "service", "closure"]),
        ("transfer", ["decision", "closure"]),
    ],
)
def test_only_a_penalty_is_notified_and_heard_and_executed__处罚法_第四十四条_第五十七条(
    outcome, after_correction
):
    ids = stage_ids(GENERAL, _case(outcome))
    assert ids[ids.index("correction_order") + 1 : -1] == after_correction


def test_a_major_case_keeps_legal_review_and_discussion_whatever_the_outcome__第五十八条():
    ids = stage_ids(GENERAL, _case("no_penalty", major=True))
    assert ids[ids.index("correction_order") + 1 : ids.index("service")] == [
        "legal_review",
        "collective_discussion",
        "decision",
    ]


def test_a_stage_the_outcome_leaves_out_is_complete_and_left_for_the_next__第五十七条():
    """The head chose no penalty while the case sat at the statement stage."""
    case = _case("no_penalty", stage="statement")
    check_complete(GENERAL, case)  # no window, no document: the stage does not apply
    assert next_stage(GENERAL, case) == "decision"
    assert "advance" in allowed_actions(GENERAL, case)


def test_the_decision_not_to_penalise_is_its_own_instrument__处罚法_第五十七条第一款():
    assert missing_documents(GENERAL, _case("no_penalty", stage="decision")) == [
        "不予行政处罚决定书"
    ]
    assert missing_documents(GENERAL, _case("transfer", stage="decision")) == []
    assert missing_documents(GENERAL, _case(stage="decision")) == ["行政处罚决定书"]


@pytest.mark.parametrize(
    ("outcome", "allowed", "refused"),
    [
        (None, "decide", "decide_no_penalty"),
        ("no_penalty", "decide_no_penalty", "decide"),
        ("not_established", "decide_no_penalty", "decide_transfer"),
        ("transfer", "decide_transfer", "decide_no_penalty"),
    ],
)
def test_each_outcome_has_its_own_decision__处罚法_第五十七条第一款(outcome, allowed, refused):
    case = _case(outcome, stage="decision")
    check_where(allowed, case)
    with pytest.raises(Refusal) as err:
        check_where(refused, case)
    assert err.value.rule == "outcome-differs" and "第五十七条第一款" in err.value.article


@pytest.mark.parametrize(
    ("facts", "article"),
    [
        (MINOR, "《行政处罚法》第三十三条第一款"),
        ({"no_fault": True, "no_fault_evidence": ["e1"]}, "《行政处罚法》第三十三条第二款"),
    ],
)
def test_recorded_facts_that_say_no_penalty_refuse_every_penalty_step__处罚法_第三十三条(
    facts, article
):
    for stage, action in (
        ("prior_notice", "propose_penalty"),
        ("prior_notice", "serve_prior_notice"),
        ("decision", "decide"),
    ):
        with pytest.raises(Refusal) as err:
            check_where(action, _case(facts=facts, stage=stage))
        assert (err.value.rule, err.value.article) == ("no-penalty-mandatory", article)
    assert "propose_penalty" not in allowed_actions(
        GENERAL, _case(facts=facts, stage="prior_notice")
    )


def test_a_law_providing_otherwise_and_a_discretionary_ground_leave_the_penalty_open__第三十三条():
    excluded = {"no_fault": True, "no_fault_excluded_by": "《某法》第十条"}
    first = {"first_violation": True, "corrected": True, "harm": "slight"}
    for facts in (excluded, first):
        check_where("propose_penalty", _case(facts=facts, stage="prior_notice"))


def test_no_penalty_ground_is_the_assessments_verdict_without_a_matter__第三十三条():
    assert no_penalty_ground(Facts(circumstances="minor", corrected=True, harm="none")) == (
        "mandatory",
        "minor",
    )
    assert no_penalty_ground(Facts(first_violation=True, corrected=True, harm="slight")) == (
        "discretionary",
        "first",
    )
    assert no_penalty_ground(Facts(corrected=True, harm="none")) == (None, None)  # not minor
