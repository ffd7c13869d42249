"""Evidence registered and preserved (证据先行登记保存), 处罚法 第五十六条.

Where evidence may be lost or later be hard to obtain, the head approves and the
officers register and preserve it, with a notice to the party; within 7 working days
(第八十五条) the agency decides what becomes of it: returned, recorded and returned,
sent for testing, sealed up or seized as a compulsory measure, or transferred. Until then
the period is among the case's deadlines; a decision after it is still recorded, and the
case flagged for supervision.
"""

from __future__ import annotations

import datetime as dt
import uuid

from yimen.platform.cases.law import applied as deadlines
from yimen.platform.cases.procedure import rules
from yimen.platform.cases.procedure.general import HEAD, Ctx, action
from yimen.platform.cases.service import today

PZ = rules.PZ
NOTICE = "先行登记保存通知书"
KEY = "evidence_preservation"  # details[KEY]["records"], as deadlines.open_preservations reads
# outcome → what becomes of the evidence (the console's words)
OUTCOMES = {
    "returned": "解除先行登记保存，退还当事人",
    "copied": "采取记录、复制、拍照、录像等证据保全措施后解除先行登记保存",
    "tested": "送交检测、检验、检疫、鉴定",
    "seized": "依法采取查封、扣押行政强制措施",
    "transferred": "移送有关机关处理",
}


@action("preserve_evidence", HEAD)
def _preserve(ctx: Ctx):
    """Registered and preserved with the head's approval, where evidence may be lost or
    later be hard to obtain; the party gets a notice (处罚法 第五十六条)."""
    approved = ctx.data.get("approved_on") or today()
    preserved = ctx.data.get("preserved_on") or today()
    if preserved > today() or approved > preserved:
        raise rules.Refusal(
            "preservation-dates",
            "先行登记保存须先经行政机关负责人批准，且日期不能晚于今天。",
            "Preservation needs the head's approval first, and no date in the future.",
            f"{PZ}第五十六条",
        )
    record = {
        "id": str(uuid.uuid4()),
        "items": ctx.data["items"],
        "reason": ctx.data["reason"],
        "kept_at": ctx.data.get("kept_at", ""),
        "approved_by": ctx.identity.username,
        "approved_on": approved.isoformat(),
        "preserved_on": preserved.isoformat(),
    }
    handle_by = deadlines.preservation_end(ctx.session, preserved)
    record["handle_by"] = handle_by.isoformat() if handle_by else None
    ctx.case.details.setdefault(KEY, {}).setdefault("records", []).append(record)
    return record, [(NOTICE, {"preservation": record})]


@action("decide_preserved_evidence", HEAD)
def _decide(ctx: Ctx):
    """What becomes of the preserved evidence, decided within 7 working days (处罚法
    第五十六条、第八十五条); later, it is recorded as late and the case flagged. Seizing
    it is a compulsory measure of its own: the case goes through that stage."""
    record = _record(ctx)
    decided = ctx.data.get("decided_on") or today()
    if decided > today() or decided < dt.date.fromisoformat(record["preserved_on"]):
        raise rules.Refusal(
            "preservation-dates",
            "处理决定的日期须在登记保存之后，且不能晚于今天。",
            "The decision must come after the preservation and not in the future.",
            f"{PZ}第五十六条",
        )
    late = bool(record["handle_by"]) and decided > dt.date.fromisoformat(record["handle_by"])
    outcome = ctx.data["outcome"]
    record.update(
        decided_on=decided.isoformat(),
        outcome=outcome,
        outcome_text=OUTCOMES[outcome],
        note=ctx.data.get("note", ""),
        decided_by=ctx.identity.username,
        late=late,
    )
    ctx.case.flagged = ctx.case.flagged or late
    if outcome == "seized":
        ctx.case.measures_needed = True  # the seizure follows 行政强制法 第十八条、第二十四条
    return dict(record), []


def _record(ctx: Ctx) -> dict:
    waiting = deadlines.open_preservations(ctx.case)
    wanted = ctx.data.get("preservation_id")
    found = [r for r in waiting if wanted is None or r["id"] == str(wanted)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise rules.Refusal(
            "no-such-preservation",
            "没有待处理的该项先行登记保存。",
            "No such preservation awaits a decision.",
        )
    raise rules.Refusal(
        "preservation-ambiguous",
        "有多项待处理的先行登记保存，请选择一项。",
        "Several preservations await a decision: choose one.",
    )
