"""Routing of a clue between agencies — a pure state machine (seed 000 一(一)).

A clue is offered to one agency. That agency accepts it, or transfers it to another
agency with a reason; a clue may be transferred at most twice. The agency that would be
the third to refuse may not transfer it again: it submits the clue to the district's
legal-affairs office, which designates the handler (or a lead agency with joint
agencies) — and a designation is binding. Every clue is in exactly one queue.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

MAX_TRANSFERS = 2


class Status(enum.StrEnum):
    OFFERED = "offered"  # waiting in an agency's inbox for acceptance
    ACCEPTED = "accepted"  # the agency handles it
    ARBITRATION = "arbitration"  # waiting for the legal-affairs office
    CLOSED = "closed"
    MERGED = "merged"


class RoutingError(Exception):
    def __init__(self, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.code, self.zh, self.en = code, zh, en


@dataclass(frozen=True)
class Step:
    action: str
    agency: str | None
    reason: str = ""


@dataclass(frozen=True)
class Clue:
    status: Status
    agency: str | None  # the offered or handling agency
    transfers: int = 0
    joint: tuple[str, ...] = ()
    designated: bool = False
    merged_into: str | None = None
    history: tuple[Step, ...] = ()

    def _with(self, step: Step, **changes) -> Clue:
        return replace(self, history=(*self.history, step), **changes)


def offer(agency: str) -> Clue:
    return Clue(Status.OFFERED, agency, history=(Step("offered", agency),))


def _must_hold(clue: Clue, agency: str, *statuses: Status) -> None:
    if clue.status not in statuses:
        raise RoutingError(
            "wrong-state",
            "线索当前状态不允许此操作。",
            f"Not allowed while the clue is {clue.status.value}.",
        )
    if clue.agency != agency:
        raise RoutingError(
            "not-holder",
            "只有当前承办部门可以办理此线索。",
            "Only the agency holding the clue may act on it.",
        )


def accept(clue: Clue, agency: str) -> Clue:
    _must_hold(clue, agency, Status.OFFERED)
    return clue._with(Step("accepted", agency), status=Status.ACCEPTED)


def transfer(clue: Clue, agency: str, to: str, reason: str) -> Clue:
    """移送: at most twice; the third refusal goes to arbitration instead."""
    _must_hold(clue, agency, Status.OFFERED)
    if clue.designated:
        raise RoutingError(
            "designated",
            "法制办指定的承办部门不得再移送。",
            "A designated handler cannot transfer the clue.",
        )
    if not reason.strip():
        raise RoutingError("reason-required", "移送须说明理由。", "A transfer needs a reason.")
    if to == agency:
        raise RoutingError(
            "same-agency", "不能移送给本部门。", "A clue cannot be transferred to the same agency."
        )
    if clue.transfers >= MAX_TRANSFERS:
        raise RoutingError(
            "transfer-limit",
            f"线索已移送{MAX_TRANSFERS}次，不能再移送；请提交法制办(司法局)裁定。",
            f"The clue was already transferred {MAX_TRANSFERS} times; submit it to the legal-affairs office.",
        )
    return clue._with(Step("transferred", to, reason), agency=to, transfers=clue.transfers + 1)


def submit_to_arbitration(clue: Clue, agency: str, reason: str) -> Clue:
    _must_hold(clue, agency, Status.OFFERED)
    if clue.designated:
        raise RoutingError(
            "designated", "法制办指定的承办部门须承办。", "A designated handler must take the clue."
        )
    return clue._with(Step("submitted", None, reason), status=Status.ARBITRATION, agency=None)


def designate(clue: Clue, handler: str, joint: tuple[str, ...] = (), reason: str = "") -> Clue:
    """The legal-affairs office names the handler (or a lead with joint agencies)."""
    if clue.status != Status.ARBITRATION:
        raise RoutingError(
            "not-in-arbitration",
            "线索不在法制办裁定队列中。",
            "The clue is not awaiting arbitration.",
        )
    if handler in joint:
        raise RoutingError(
            "lead-in-joint",
            "牵头部门不能同时列为配合部门。",
            "The lead agency cannot also be a joint agency.",
        )
    return clue._with(
        Step("designated", handler, reason),
        status=Status.ACCEPTED,
        agency=handler,
        joint=tuple(dict.fromkeys(joint)),
        designated=True,
    )


def merge(clue: Clue, into: str) -> Clue:
    if clue.status in (Status.CLOSED, Status.MERGED):
        raise RoutingError(
            "finished", "线索已办结或已合并。", "The clue is already closed or merged."
        )
    return clue._with(Step("merged", clue.agency, into), status=Status.MERGED, merged_into=into)


def close(clue: Clue, agency: str, outcome: str) -> Clue:
    _must_hold(clue, agency, Status.ACCEPTED)
    return clue._with(Step("closed", agency, outcome), status=Status.CLOSED)


def queue_of(clue: Clue) -> str:
    """The one queue a clue is in."""
    if clue.status == Status.OFFERED:
        return f"inbox:{clue.agency}"
    if clue.status == Status.ACCEPTED:
        return f"handling:{clue.agency}"
    if clue.status == Status.ARBITRATION:
        return "arbitration"
    return "archive"
