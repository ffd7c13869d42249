"""The simple procedure (简易程序, 当场处罚): a draft decided on the spot.

Why an action on a draft and not a separate endpoint: the draft already carries what the
law checks (the party by GB 11643 / GB 32100, the officers, the matter, the act's date),
and `act` already gives the on-the-spot decision the engine's guarantees — one write
path, optimistic locking, offline records synced once, the hash-chained event, the
numbered document. `decide_on_spot` re-pins the case to the district's "simple" workflow
(stages on_spot_decision → service → filing_record) and walks it through the first two
in the same act, because the law has them happen together: 当场作出、当场交付
(处罚法 第五十二条).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import marshmallow as ma

from yimen.platform.cases import schemas, service
from yimen.platform.cases.documents import issuing as documents
from yimen.platform.cases.law import applied as deadlines
from yimen.platform.cases.law import flags as law_flags
from yimen.platform.cases.procedure import rules
from yimen.platform.cases.procedure.declaring import declare
from yimen.platform.cases.procedure.general import Ctx, record_decision
from yimen.platform.cases.record.model import CaseStatus, Procedure
from yimen.platform.cases.service import definition_of, matter_of, today
from yimen.tenants.workflow.service import effective_for

PZ = rules.PZ


@declare(
    "decide_on_spot",
    "当场作出处罚决定",
    "Decide on spot",
    stages=("filing",),  # simple procedure (第五十一条)
    statuses=("draft",),
    body={
        "penalty_kinds": ma.fields.List(
            ma.fields.String(validate=ma.validate.OneOf(("warning", "fine"))),
            required=True,
            validate=ma.validate.Length(min=1, max=2),
            metadata={"description": "简易程序只能警告或罚款 (处罚法 第五十一条)"},
        ),
        "fine_fen": schemas.fen(),
        "circumstance": ma.fields.String(validate=ma.validate.Length(max=40)),
        "first_violation": ma.fields.Boolean(load_default=False),
        "justification": ma.fields.String(
            validate=ma.validate.Length(max=2000),
            metadata={"description": "罚款超出裁量基准幅度时的书面理由"},
        ),
        "decided_on": ma.fields.Date(metadata={"description": "默认今天；离线记录补传时填写"}),
        "refused_to_sign": ma.fields.Boolean(
            load_default=False, metadata={"description": "当事人拒绝签收，在决定书上注明"}
        ),
        "collect_on_spot": ma.fields.Boolean(load_default=False),
        "hard_to_collect": ma.fields.Boolean(load_default=False),
        "remote_area_request": ma.fields.Boolean(load_default=False),
        "receipt_no": ma.fields.String(
            validate=ma.validate.Length(max=40), metadata={"description": "罚款专用票据号"}
        ),
    },
    documents=("当场处罚决定书",),
)
def _decide_on_spot(ctx: Ctx):
    """当场处罚 (处罚法 第五十一条、第五十二条): a warning, or a fine of at most ¥200 on a
    citizen and ¥3,000 on an organisation; two qualified officers (第四十二条); within the
    limitation period (第三十六条); the numbered 当场处罚决定书 handed over on the spot
    (refusal to sign noted) — it sends the party to reconsideration first (行政复议法
    第二十三条); the fine collected on the spot only as 第六十八条、第六十九条 allow."""
    case, data = ctx.case, ctx.data
    kinds, fine = data["penalty_kinds"], data.get("fine_fen")
    collect = data.get("collect_on_spot", False)
    assessment = _check_on_spot(ctx, kinds, fine, collect)
    on = data.get("decided_on") or today()
    _pin_simple(ctx)
    case.penalty_kinds, case.proposed_fine_fen, case.fine_fen = kinds, fine, fine
    case.discretion = assessment
    case.flagged = case.flagged or assessment.get("flag", False)
    case.decided_on = case.served_on = on
    case.status = CaseStatus.OPEN.value
    method = "left" if data.get("refused_to_sign") else "direct"
    _spot(ctx).update(
        {
            "decided_on": on.isoformat(),
            "fine_fen": fine,
            "method": method,
            "collected_on_spot": bool(collect),
            "receipt_no": data.get("receipt_no", ""),
        }
    )
    ctx.set_date("decided", on)
    for key, value in deadlines.after_service(ctx.session, case, on).items():
        ctx.set_date(key, value)
    ctx.set_date("litigation_due", None)  # reconsideration first (行政复议法 第二十三条)
    if collect:
        ctx.set_date("collected", on)
        ctx.set_date("hand_in_due", deadlines.hand_in_due(ctx.session, on))
    decision = documents.issue(
        ctx.session, case, "当场处罚决定书", {"fine_fen": fine, "collected_on_spot": collect},
        ctx.identity.username,
    )  # fmt: skip
    case.number = decision.number
    record_decision(ctx, "penalty")
    case.decision_record().number = decision.number  # the 当场处罚决定书's number
    case.stage = "filing_record"  # decided and handed over in this one act
    return {
        "penalty_kinds": kinds,
        "fine_fen": fine,
        "decided_on": on.isoformat(),
        "method": method,
        "collected_on_spot": bool(collect),
        "documents": [documents.entry(decision)],
    }, []


def _check_on_spot(ctx: Ctx, kinds: list[str], fine: int | None, collect: bool) -> dict:
    """Everything the law asks before an on-the-spot decision; the benchmark's verdict."""
    case, data = ctx.case, ctx.data
    if not case.parties:
        raise rules.Refusal(
            "party-required", "当场处罚须有当事人。", "Name the party.", f"{PZ}第五十二条"
        )
    if not case.matter_code:
        raise rules.Refusal(
            "matter-required",
            "当场处罚须选择执法事项 (违法行为及处罚依据)。",
            "Choose the enforcement matter (the act and the legal basis).",
            f"{PZ}第五十二条",
        )
    if (elsewhere := service.jurisdiction_refusal(ctx.session, case)) is not None:
        raise elsewhere
    if (refused := deadlines.simple_refusal(ctx.session, case, kinds, fine)) is not None:
        raise refused
    rules.require_two_officers(ctx.view)
    if (barred := deadlines.limitation_refusal(case)) is not None:
        raise barred
    if (minor := deadlines.minor_refusal(case, data)) is not None:
        raise minor
    terms = {
        key: data[key]
        for key in ("circumstance", "first_violation", "justification", "mitigating")
        if key in data
    }
    assessment = deadlines.assess(
        ctx.session,
        case,
        {"penalty_kinds": kinds, "fine_fen": fine, **terms},
        matter_of(ctx.session, case),
    )  # the benchmark applies on the spot too (国办发〔2022〕27号); never above the law's maximum
    if collect and (
        refused := deadlines.on_spot_collection_refusal(
            fine or 0, data.get("hard_to_collect", False), data.get("remote_area_request", False)
        )
    ):
        raise refused
    if collect and not fine:
        raise rules.Refusal(
            "nothing-to-collect",
            "没有罚款可收缴。",
            "There is no fine to collect.",
            f"{PZ}第六十八条",
        )
    if (data.get("decided_on") or today()) > today():
        raise rules.Refusal(
            "future-date", "日期不能晚于今天。", "The date cannot be in the future."
        )
    return assessment


def _pin_simple(ctx: Ctx) -> None:
    """The case now runs under the district's simple-procedure workflow, pinned."""
    case = ctx.case
    case.procedure = Procedure.SIMPLE.value
    case.workflow_pin = effective_for(ctx.session, case.agency_id, "simple").key
    ctx.definition = definition_of(ctx.session, case)
    stages = [s["id"] for s in ctx.definition["stages"]]
    if stages[:1] != ["on_spot_decision"] or "filing_record" not in stages:
        raise rules.Refusal(
            "simple-workflow",
            "本区简易程序流程配置缺少「当场作出决定」或「备案」环节。",
            "The district's simple-procedure workflow lacks the decision or filing-record stage.",
            f"{PZ}第五十二条",
        )
    case.stage = "on_spot_decision"
    ctx.view = dataclasses.replace(ctx.view, procedure=case.procedure, stage=case.stage)


@declare(
    "hand_in_fine",
    "上交当场收缴的罚款",
    "Hand in fine",
    stages=("filing_record",),
    statuses=("open",),
    body={"handed_in_on": ma.fields.Date()},
)
def _hand_in(ctx: Ctx):
    """The officer hands the fine collected on the spot to the agency within 2 working
    days (处罚法 第七十一条); a late hand-in is recorded and flagged for supervision."""
    facts = _spot(ctx)
    if not facts.get("collected_on_spot") or facts.get("handed_in_on"):
        raise rules.Refusal(
            "nothing-to-hand-in",
            "没有待上交的当场收缴罚款。",
            "No fine collected on the spot waits to be handed in.",
            f"{PZ}第七十一条",
        )
    on = ctx.data.get("handed_in_on") or today()
    due = ctx.date("hand_in_due")
    late = due is not None and on > due
    facts.update({"handed_in_on": on.isoformat(), "handed_in_late": late})
    ctx.set_date("handed_in", on)
    if late:  # recorded as it happened, flagged (处罚法 第七十一条)
        law_flags.hand_in_late(ctx.session, ctx.case, due, on)
    close_if_settled(ctx)
    return {
        "handed_in_on": on.isoformat(),
        "due": due.isoformat() if due else None,
        "late": late,
    }, []


@declare(
    "record_filing",
    "报所属行政机关备案",
    "Record filing",
    stages=("filing_record",),
    statuses=("open",),
    body={
        "filed_on": ma.fields.Date(),
        "note": ma.fields.String(validate=ma.validate.Length(max=500)),
    },
    form={"filed_on": ("备案日期", "Filed with the agency on")},
)
def _record_filing(ctx: Ctx):
    """备案: the on-the-spot decision is filed with the officers' agency (处罚法 第五十二条);
    the case closes once no fine is owed or held by an officer."""
    if _spot(ctx).get("filed_record_on"):
        raise rules.Refusal("already-filed", "已经备案。", "Already filed with the agency.")
    on = ctx.data.get("filed_on") or today()
    _spot(ctx).update({"filed_record_on": on.isoformat(), "note": ctx.data.get("note", "")})
    close_if_settled(ctx)
    return {"filed_on": on.isoformat(), "closed": ctx.case.status == CaseStatus.CLOSED}, []


def _spot(ctx: Ctx) -> dict:
    """The on-the-spot decision's facts (kept under its stage whatever the stage now)."""
    return ctx.case.details.setdefault("on_spot_decision", {})


def close_if_settled(ctx: Ctx) -> None:
    """A simple case closes once filed (备案) and nothing is owed or held by an officer:
    paid, collected and handed in, or its execution done (a court application)."""
    facts = _spot(ctx)
    held = facts.get("collected_on_spot") and not facts.get("handed_in_on")
    if facts.get("filed_record_on") and not held and not deadlines.outstanding(ctx.case):
        ctx.case.status, ctx.case.closed_on = CaseStatus.CLOSED.value, today()


def settle_simple_payment(ctx: Ctx, paid_on: dt.date, amount: int) -> None:
    """A simple-procedure fine paid at the bank (第六十七条): closes a filed case."""
    _spot(ctx).update({"paid_on": paid_on.isoformat(), "amount_fen": amount})
    close_if_settled(ctx)
