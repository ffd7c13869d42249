"""Compulsory measures (行政强制措施: 查封、扣押) in a case, 行政强制法 第三章.

A measure is imposed with the head's approval by two officers, with the decision and
its inventory handed over (第十八条、第二十四条), or on the spot in an emergency and
approved by the head within 24 hours (第十九条). It lasts 30 days, once extended by at
most 30 with approval (第二十五条第一款); fixed testing periods do not count (第三款);
before the end it is lifted, or the property confiscated or transferred (第二十七条、
第二十八条). The nearest end is the case's next deadline.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

from yimen.platform.cases import deadlines, rules
from yimen.platform.cases.actions import HEAD, Ctx, action
from yimen.platform.cases.model import CasePause
from yimen.platform.cases.service import today

QZ = rules.QZ
DOCUMENT_KIND = {"seal": "seal_up", "seize": "seizure"}  # the template's words


def _measure(ctx: Ctx, measure_id, open_only: bool = True) -> dict:
    for measure in ctx.case.details.get("compulsory_measures", {}).get("measures", []):
        if measure["id"] == str(measure_id) and not (open_only and measure.get("ended_on")):
            return measure
    raise rules.Refusal("no-such-measure", "没有未解除的该项措施。", "No such open measure.")


def _new_measure(ctx: Ctx, started: dt.date, **extra) -> tuple[dict, list]:
    try:
        rules.require_two_officers(ctx.view)
    except rules.Refusal as refused:  # the same rule, under the compulsion law
        article = f"{QZ}第十七条第三款、第十八条第(二)项"
        raise dataclasses.replace(refused, article=article) from None
    measure = {
        "id": str(uuid.uuid4()),
        "kind": ctx.data["kind"],
        "items": ctx.data["items"],
        "started_on": started.isoformat(),
        **extra,
    }
    measure["ends_on"] = deadlines.measure_end(ctx.session, ctx.case, measure).isoformat()
    ctx.case.details.setdefault("compulsory_measures", {}).setdefault("measures", []).append(
        measure
    )
    document = {**measure, "kind": DOCUMENT_KIND[measure["kind"]]}
    return measure, [("查封扣押决定书", {"measure": document})]


@action("impose_measure", HEAD)
def _impose(ctx: Ctx):
    """查封/扣押 with the head's approval, two officers, an on-site record and the
    decision with its inventory (行政强制法 第十八条、第二十四条); 30 days at most,
    +30 with approval, testing time excluded (第二十五条)."""
    return _new_measure(
        ctx, ctx.data.get("started_on") or today(), approved_by=ctx.identity.username
    )


@action("impose_emergency_measure")
def _impose_emergency(ctx: Ctx):
    """An emergency measure on the spot (行政强制法 第十九条): the head's approval within
    24 hours, else it is lifted."""
    at = ctx.data["executed_at"]
    due = deadlines.emergency_approval_due(at)
    local = at.astimezone(deadlines.law.SHANGHAI).date()
    return _new_measure(
        ctx, local, emergency=True, executed_at=at.isoformat(), approval_due=due.isoformat()
    )


@action("approve_measure", HEAD)
def _approve(ctx: Ctx):
    """The head approves an emergency measure within 24 hours of its execution, or
    disagrees and it is lifted at once (行政强制法 第十九条)."""
    measure = _measure(ctx, ctx.data["measure_id"])
    if not measure.get("emergency") or measure.get("approved_by"):
        raise rules.Refusal(
            "not-awaiting-approval", "该措施不需补办批准。", "This measure awaits no approval."
        )
    at = ctx.data.get("at") or dt.datetime.now(dt.UTC)
    if not ctx.data["approved"]:
        measure.update(ended_on=today().isoformat(), outcome="lifted", approval="refused")
        return {"measure_id": measure["id"], "approved": False}, []
    if at > dt.datetime.fromisoformat(measure["approval_due"]):
        raise rules.Refusal(
            "emergency-approval-late",
            f"当场实施的行政强制措施须在24小时内 (至{measure['approval_due'][:16]}) 补办批准手续；已逾期，应当立即解除。",
            f"An emergency measure must be approved within 24 hours (by {measure['approval_due'][:16]}); it is late and must be lifted.",
            f"{QZ}第十九条",
        )
    measure.update(approved_by=ctx.identity.username, approved_at=at.isoformat())
    return {"measure_id": measure["id"], "approved": True}, []


@action("extend_measure", HEAD)
def _extend(ctx: Ctx):
    """Once, by at most 30 days, with the head's approval, before the period ends; the
    party is told in writing with the reasons (行政强制法 第二十五条第一款、第二款)."""
    measure = _measure(ctx, ctx.data["measure_id"])
    days = ctx.data.get("days", 30)
    if today() > dt.date.fromisoformat(measure["ends_on"]):
        raise rules.Refusal(
            "seizure-expired",
            f"查封、扣押期限已于{measure['ends_on']}届满，不能延长，应当解除。",
            f"The measure ended on {measure['ends_on']}; it cannot be extended and must be lifted.",
            f"{QZ}第二十五条、第二十八条",
        )
    if (refused := deadlines.measure_extension_refusal(measure, days)) is not None:
        raise refused
    measure.update(extended_days=days, extension_reason=ctx.data["reason"])
    measure["ends_on"] = deadlines.measure_end(ctx.session, ctx.case, measure).isoformat()
    return {"measure_id": measure["id"], "days": days, "ends_on": measure["ends_on"]}, []


@action("record_testing")
def _testing(ctx: Ctx):
    """Testing, inspection, quarantine or appraisal: the period is fixed and told to the
    party in writing, and does not count towards the measure (第二十五条第三款)."""
    measure = _measure(ctx, ctx.data["measure_id"])
    start, end = ctx.data["started_on"], ctx.data["ended_on"]
    if end < start or start < dt.date.fromisoformat(measure["started_on"]):
        raise rules.Refusal(
            "testing-period",
            "检测期间须在查封、扣押之后，且结束日不早于开始日。",
            "The testing period must follow the measure's start and end after it begins.",
            f"{QZ}第二十五条第三款",
        )
    ctx.case.pauses.append(
        CasePause(reason="testing", started_on=start, ended_on=end, note=measure["id"])
    )
    ctx.session.flush()
    measure["ends_on"] = deadlines.measure_end(ctx.session, ctx.case, measure).isoformat()
    measure.setdefault("testing", []).append([start.isoformat(), end.isoformat()])
    return {"measure_id": measure["id"], "testing": [start.isoformat(), end.isoformat()]}, []


@action("lift_measure")
def _lift(ctx: Ctx):
    """Lifted, or the property confiscated or transferred, within the period; once it has
    run out the measure can only be lifted (行政强制法 第二十七条、第二十八条第一款第(四)项)."""
    measure = _measure(ctx, ctx.data["measure_id"])
    ended = ctx.data.get("ended_on") or today()
    expired = ended > dt.date.fromisoformat(measure["ends_on"])
    if expired and ctx.data["outcome"] != "lifted":
        raise rules.Refusal(
            "seizure-expired",
            f"查封、扣押期限已于{measure['ends_on']}届满，只能解除，不得没收或移送。",
            f"The measure ran out on {measure['ends_on']}: it can only be lifted.",
            f"{QZ}第二十七条、第二十八条",
        )
    measure.update(ended_on=ended.isoformat(), outcome=ctx.data["outcome"], late=expired)
    ctx.case.flagged = ctx.case.flagged or expired
    return measure, []
