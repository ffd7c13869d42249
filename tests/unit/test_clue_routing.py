"""Routing of clues between agencies (seed 000 一(一): transfer twice, then arbitration)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yimen.platform.intake.rules import (
    MAX_TRANSFERS,
    RoutingError,
    Status,
    accept,
    close,
    designate,
    file_case,
    merge,
    offer,
    queue_of,
    reopen,
    submit_to_arbitration,
    transfer,
)

AGENCIES = ("zhzf", "scjg", "sthj", "yjgl")


def test_an_agency_accepts_the_clue_it_was_offered():
    clue = accept(offer("zhzf"), "zhzf")
    assert (clue.status, queue_of(clue)) == (Status.ACCEPTED, "handling:zhzf")


def test_a_clue_is_transferred_at_most_twice_then_the_third_refusal_goes_to_arbitration():
    clue = transfer(offer("zhzf"), "zhzf", "scjg", "属市场监管职责")
    clue = transfer(clue, "scjg", "sthj", "属生态环境职责")
    with pytest.raises(RoutingError) as refused:
        transfer(clue, "sthj", "yjgl", "属应急管理职责")
    assert refused.value.code == "transfer-limit" and "法制办" in refused.value.zh
    clue = submit_to_arbitration(clue, "sthj", "三个部门均认为不属本部门职责")
    assert queue_of(clue) == "arbitration" and clue.transfers == MAX_TRANSFERS


def test_the_legal_affairs_office_designates_a_lead_with_joint_agencies_and_it_is_binding():
    clue = submit_to_arbitration(offer("zhzf"), "zhzf", "职责不清")
    clue = designate(clue, "scjg", joint=("zhzf", "sthj"))
    assert (clue.agency, clue.joint, clue.designated) == ("scjg", ("zhzf", "sthj"), True)
    with pytest.raises(RoutingError):
        designate(clue, "sthj")


def test_only_the_holding_agency_acts_and_a_transfer_needs_a_reason():
    clue = offer("zhzf")
    with pytest.raises(RoutingError) as other:
        accept(clue, "scjg")
    assert other.value.code == "not-holder"
    with pytest.raises(RoutingError) as no_reason:
        transfer(clue, "zhzf", "scjg", " ")
    assert no_reason.value.code == "reason-required"


def test_closing_says_what_happened_and_not_resolved_returns_it_to_the_same_owner():
    clue = accept(offer("zhzf"), "zhzf")
    with pytest.raises(RoutingError) as bare:
        close(clue, "zhzf", "done", "办完了")
    assert bare.value.code == "unknown-outcome"
    with pytest.raises(RoutingError) as silent:
        close(clue, "zhzf", "no_violation", " ")
    assert silent.value.code == "note-required"
    closed = close(clue, "zhzf", "no_violation", "现场未发现油烟直排")
    assert (closed.history[-1].action, queue_of(closed)) == ("not_filed", "archive")
    again = reopen(closed, "晚上仍有油烟")
    assert (again.status, again.agency, again.reopened) == (Status.ACCEPTED, "zhzf", 1)


def test_a_filed_case_or_a_merged_complaint_is_not_reopened_from_the_clue():
    filed = file_case(accept(offer("zhzf"), "zhzf"), "zhzf")
    # a draft under review for filing: "case_filed" only when the head approves it
    assert filed.outcome == "case_review" and queue_of(filed) == "archive"
    assert filed.history[-1].action == "case_drafted"
    for finished in (filed, merge(offer("zhzf"), "group-1")):
        with pytest.raises(RoutingError) as refused:
            reopen(finished, "未解决")
        assert refused.value.code == "not-reopenable"


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            ["accept", "transfer", "submit", "designate", "merge", "close", "file", "reopen"]
        ),
        st.sampled_from(AGENCIES),
        st.sampled_from(AGENCIES),
    ),
    max_size=25,
)


def _step(clue, name: str, actor: str, other: str):
    if name == "accept":
        return accept(clue, actor)
    if name == "transfer":
        return transfer(clue, actor, other, "不属本部门职责")
    if name == "submit":
        return submit_to_arbitration(clue, actor, "职责争议")
    if name == "designate":
        return designate(
            clue, actor, joint=tuple(a for a in AGENCIES if a not in (actor, other))[:1]
        )
    if name == "merge":
        return merge(clue, "group-1")
    if name == "file":
        return file_case(clue, actor)
    if name == "reopen":
        return reopen(clue, "投诉人反馈未解决")
    return close(clue, actor, "no_violation", "未发现违法行为")


@settings(max_examples=300, deadline=None)
@given(first=st.sampled_from(AGENCIES), operations=OPERATIONS)
def test_any_sequence_keeps_every_clue_in_exactly_one_queue_and_at_most_two_transfers(
    first, operations
):
    clue = offer(first)
    for name, actor, other in operations:
        before = clue
        try:
            clue = _step(clue, name, actor, other)
        except RoutingError:
            assert clue == before  # a refused step changes nothing
        queue = queue_of(clue)
        assert isinstance(queue, str) and queue
        assert clue.transfers <= MAX_TRANSFERS
        if clue.status in (Status.OFFERED, Status.ACCEPTED):
            assert queue.endswith(clue.agency)
        if clue.status == Status.ARBITRATION:
            assert clue.agency is None and queue == "arbitration"
    assert sum(1 for s in clue.history if s.action == "transferred") == clue.transfers
    assert clue.reopened == sum(1 for s in clue.history if s.action == "reopened")
    if clue.status == Status.CLOSED:
        assert clue.outcome in ("no_violation", "case_review")
