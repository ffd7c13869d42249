"""Routing of a clue between agencies — a pure state machine (seed 000 一(一)).

A clue is offered to one agency. That agency accepts it, or transfers it to another
agency with a reason; a clue may be transferred at most twice. The agency that would be
the third to refuse may not transfer it again: it submits the clue to the district's
legal-affairs office, which designates the handler (or a lead agency with joint
agencies) — and a designation is binding. Every clue is in exactly one queue.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass, replace
from typing import Any

MAX_TRANSFERS = 2

# Honest closure: what happened, never a bare "done" (issue: One door, 7).
OUTCOMES: dict[str, tuple[str, str]] = {
    "no_violation": ("经核查未发现违法行为", "No violation found"),
    "not_our_jurisdiction": ("不属本部门管辖，已转交有权机关", "Not our jurisdiction; sent on"),
    "corrected_on_spot": ("当场责令改正，已整改到位", "Corrected on the spot"),
    # A clue turned into a case draft is followed through the case (issue 13, item 10):
    # under review until the head files it or declines to, then filed, then closed.
    "case_review": ("已转为案件，正在审查是否立案", "Turned into a case; filing under review"),
    "case_filed": ("已立案查处", "A case was filed"),
    "case_declined": ("经审查不予立案", "Examined and not filed as a case"),
    "case_closed": ("案件已办结", "The case is closed"),
    "merged": ("已并入同一事项的投诉一并办理", "Merged with complaints about the same thing"),
    "could_not_verify": ("经核查无法核实", "Could not be verified"),
}
# An officer closes with one of these (a case and a merge have their own actions);
# all but "corrected on the spot" are decisions not to file (不予立案).
CLOSING_OUTCOMES = ("no_violation", "not_our_jurisdiction", "corrected_on_spot", "could_not_verify")
NOT_FILED_OUTCOMES = ("no_violation", "not_our_jurisdiction", "could_not_verify")
# The complainant may answer "not resolved" to these; a filed case and a merged
# complaint are followed through the case and the group instead.
REOPENABLE = CLOSING_OUTCOMES


# The hotlines a call comes in on (model.Source values): 12319, the enforcement hotline,
# and 12345, the government service hotline, whose work orders carry an order number.
HOTLINE_12319, HOTLINE_12345 = "hotline", "hotline_12345"
HOTLINES = (HOTLINE_12319, HOTLINE_12345)
# A handset's or a desk's clock a little ahead is not "the future" (the same allowance as
# the case engine's entered dates, platform/cases/law/entered_dates.py).
CLOCK_SKEW = dt.timedelta(minutes=5)


def natural_ref(source: str, ref: str | None) -> str | None:
    """The outside system's id of a clue as it is kept and looked up: (district, source,
    this) is the clue's natural key. A hotline's call id or 12345 work-order number is
    typed by an operator and pushed by the hotline's platform, so both are brought to one
    spelling (no blanks, upper case); another sender's id is kept as it sent it."""
    if ref is None:
        return None
    ref = ref.strip()
    if source in HOTLINES:
        ref = re.sub(r"\s+", "", ref).upper()
    return ref or None


def in_future(at: dt.datetime, now: dt.datetime) -> bool:
    """An entered instant of something that happened (the call, the act) after now —
    beyond a few minutes' clock skew."""
    return at > now + CLOCK_SKEW


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
    outcome: str | None = None
    reopened: int = 0
    history: tuple[Step, ...] = ()

    def _with(self, step: Step, **changes: Any) -> Clue:
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
    """Into a duplicate group (an officer confirmed it, or the citizen joined one): the
    clue leaves every queue; the group's lead clue carries the handling."""
    if clue.status in (Status.CLOSED, Status.MERGED):
        raise RoutingError(
            "finished", "线索已办结或已合并。", "The clue is already closed or merged."
        )
    return clue._with(
        Step("merged", clue.agency, into),
        status=Status.MERGED,
        merged_into=into,
        outcome="merged",
    )


def close(clue: Clue, agency: str, outcome: str, note: str = "") -> Clue:
    """办结 with what happened: corrected on the spot, or a decision not to file
    (no violation, not ours and sent on, could not be verified) with its reason."""
    _must_hold(clue, agency, Status.ACCEPTED)
    if outcome not in CLOSING_OUTCOMES:
        raise RoutingError(
            "unknown-outcome",
            "办结结果须为：未发现违法行为、不属本部门管辖并已转交、当场改正或无法核实。",
            f"The outcome must be one of {', '.join(CLOSING_OUTCOMES)}.",
        )
    if len(note.strip()) < 2:
        raise RoutingError(
            "note-required",
            "办结须写明核查及处理情况。",
            "Say what was found and done when closing.",
        )
    action = "not_filed" if outcome in NOT_FILED_OUTCOMES else "closed"
    return clue._with(Step(action, agency, note), status=Status.CLOSED, outcome=outcome)


# The case made from the clue is still under way: the complainant's handling is not over.
CASE_UNDER_WAY = ("case_review", "case_filed")


def file_case(clue: Clue, agency: str) -> Clue:
    """Converted to a case draft: the clue leaves every queue and the draft takes over,
    under review for filing — "filed" only once the head approves it (the case engine
    says so: case.filed), never on the draft alone."""
    _must_hold(clue, agency, Status.ACCEPTED)
    return clue._with(Step("case_drafted", agency), status=Status.CLOSED, outcome="case_review")


def reopen(clue: Clue, reason: str) -> Clue:
    """The complainant answered "not resolved": back to the same owner (it counts
    against that agency in supervision)."""
    if clue.status != Status.CLOSED or clue.outcome not in REOPENABLE:
        raise RoutingError(
            "not-reopenable",
            "只有已办结(未立案、未合并)的投诉可以反馈未解决。",
            "Only a closed complaint (not filed as a case, not merged) can be reopened.",
        )
    return clue._with(
        Step("reopened", clue.agency, reason),
        status=Status.ACCEPTED,
        outcome=None,
        reopened=clue.reopened + 1,
    )


def queue_of(clue: Clue) -> str:
    """The one queue a clue is in."""
    if clue.status == Status.OFFERED:
        return f"inbox:{clue.agency}"
    if clue.status == Status.ACCEPTED:
        return f"handling:{clue.agency}"
    if clue.status == Status.ARBITRATION:
        return "arbitration"
    return "archive"
