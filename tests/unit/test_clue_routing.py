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
    merge,
    offer,
    queue_of,
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


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["accept", "transfer", "submit", "designate", "merge", "close"]),
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
    return close(clue, actor, "no_violation")


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
