"""Execution of a decision: the five paths of seed 000 一(三) 六 —

1. an agency with execution power: 催告书 → (statement) → 强制执行决定书 after the
   demand's period → `enforce` path `agency_power` (行政强制法 第三十五条–第三十八条);
2. an agency without it: 催告书 → `apply_to_court` (第十三条、第五十三条);
3. demolition of structures: `publish_demolition_notice` (公告, 限期自行拆除) → demand
   and decision → `enforce` path `demolition` only after the notice, reconsideration and
   litigation periods ran out unchallenged (第四十四条);
4. monetary payment: `record_payment` with the surcharge (处罚法 第七十二条); after the
   surcharge ran over 30 days and a demand, `enforce` path `monetary` (with power) or
   `apply_to_court` (without), or `auction` of property sealed or seized (第四十六条);
5. application to the court: 10 working days after the demand, within 3 months of the
   litigation deadline (第五十三条、第五十四条).

A reconsideration or lawsuit (`record_challenge` / `conclude_challenge`) pauses the
surcharge (处罚法 第七十三条第三款) and blocks demolition and the court application.
Execution may be suspended on a ground of 行政强制法 第三十九条 and resumed, or ended on a
ground of 第四十条 (`suspend_execution`, `resume_execution`, `terminate_execution`); an
execution agreement (第四十二条) holds execution while kept and may waive surcharge for a
remedy (`record_execution_agreement`, `agreement_breached`).
An agency may perform an obligation to remove an obstruction or restore on the party's
behalf (代履行, 第五十条、第五十一条): `decide_substitute_performance` then
`record_substitute_performance`.
"""

from __future__ import annotations

import datetime as dt
import uuid

import marshmallow as ma

from yimen.platform.cases import schemas
from yimen.platform.cases.execution import law as execution_law
from yimen.platform.cases.law import applied as deadlines
from yimen.platform.cases.law import periods as law
from yimen.platform.cases.procedure import rules
from yimen.platform.cases.procedure.declaring import declare
from yimen.platform.cases.procedure.general import HEAD, Ctx
from yimen.platform.cases.procedure.simple import close_if_settled, settle_simple_payment
from yimen.platform.cases.record.typed import CasePayment
from yimen.platform.cases.service import today
from yimen.platform.kernel.directory import Agency

PZ, QZ = rules.PZ, rules.QZ


def _execution(ctx: Ctx) -> dict:
    return ctx.case.details.setdefault("execution", {})


@declare(
    "record_payment",
    "登记缴款",
    "Record payment",
    stages=rules.EXECUTION_STAGES,
    statuses=("open",),
    body={"amount_fen": schemas.fen(required=True), "paid_on": ma.fields.Date()},
)
def _payment(ctx: Ctx):
    """The fine paid, with the late-payment surcharge when late (第七十二条: 3% a day,
    at most the fine; challenge days not counted, 第七十三条第三款)."""
    paid_on, amount = ctx.data.get("paid_on") or today(), ctx.data["amount_fen"]
    if not deadlines.outstanding(ctx.case):
        raise rules.Refusal(
            "nothing-owed", "没有待缴的罚款。", "No fine is owed.", f"{PZ}第六十七条"
        )
    surcharge = deadlines.surcharge(ctx.session, ctx.case, paid_on)
    waived = min(surcharge, (_execution(ctx).get("agreement") or {}).get("waived_fen", 0))
    owed = (ctx.case.fine_fen or 0) + surcharge - waived  # 行政强制法 第四十二条第一款
    if amount < owed:
        raise rules.Refusal(
            "underpaid",
            f"应缴 {owed / 100:.2f} 元(含加处罚款)，实缴 {amount / 100:.2f} 元。",
            f"{owed / 100:.2f} yuan is due (surcharge included); {amount / 100:.2f} was paid.",
            f"{PZ}第七十二条",
        )
    payload = {"paid_on": paid_on.isoformat(), "amount_fen": amount, "owed_fen": owed}
    if ctx.case.stage == "filing_record":
        settle_simple_payment(ctx, paid_on, amount)
    else:
        ctx.case.payment = CasePayment(
            paid_on=paid_on,
            amount_fen=amount,
            fine_fen=ctx.case.fine_fen,
            surcharge_fen=surcharge,
            waived_fen=waived,
        )
        _execution(ctx)["done"] = "paid"
    return payload, []


@declare(
    "approve_deferral",
    "批准暂缓或分期缴纳罚款",
    "Approve deferral",
    stages=rules.EXECUTION_STAGES,
    statuses=("open",),
    role=HEAD,
    body={
        "kind": ma.fields.String(
            required=True, validate=ma.validate.OneOf(("deferral", "instalments"))
        ),
        "until": ma.fields.Date(required=True, metadata={"description": "暂缓或分期的截止日"}),
        "reason": schemas.text(1000),
    },
    form={"kind": ("暂缓或分期", "Deferral or instalments"), "until": ("截止日期", "Until")},
    choices={"kind": "deferral_kind"},
)
def _deferral(ctx: Ctx):
    """Payment deferred or in instalments on the party's application, for real economic
    hardship, with the head's approval (处罚法 第六十六条第二款): the surcharge runs from
    the new deadline, and the court window from it (第七十二条第二款)."""
    until = ctx.data["until"]
    pay_due = ctx.date("pay_due")
    if not deadlines.outstanding(ctx.case) or pay_due is None:
        raise rules.Refusal(
            "nothing-owed", "没有待缴的罚款。", "No fine is owed.", f"{PZ}第六十六条"
        )
    if until <= pay_due:
        raise rules.Refusal(
            "deferral-date",
            f"暂缓或分期缴纳的期限须晚于原缴款期限{pay_due:%Y-%m-%d}。",
            f"The deferred deadline must be after {pay_due:%Y-%m-%d}.",
            f"{PZ}第六十六条第二款",
        )
    entry = {"kind": ctx.data["kind"], "until": until.isoformat(), "reason": ctx.data["reason"]}
    _execution(ctx)["deferral"] = entry
    ctx.set_date("deferral_ends", until)
    ctx.set_date("pay_due", until)
    return entry, []


@declare(
    "issue_demand",
    "催告",
    "Issue demand",
    stages=rules.EXECUTION_STAGES,
    statuses=("open",),
    body={"served_on": ma.fields.Date()},
    documents=("催告书",),
    form={"served_on": ("催告书送达日期", "Demand served on")},
)
def _demand(ctx: Ctx):
    """催告 before any compulsory execution, in writing: the deadline, the amount with
    the surcharge, the right to state and defend (行政强制法 第三十五条、第五十四条) —
    only once the 15 days to pay have run out (处罚法 第六十七条第三款); what it says of
    reconsideration and litigation follows those periods' state on the day."""
    served = ctx.data.get("served_on") or today()
    if (early := execution_law.demand_too_early(ctx.case, served)) is not None:
        raise early  # 处罚法 第六十七条第三款: the 15 days to pay run first
    _execution(ctx)["demand_served_on"] = served.isoformat()
    ctx.set_date("demand_served", served)
    surcharge = deadlines.surcharge(ctx.session, ctx.case, served)
    text = f"截至催告之日已加处罚款 {surcharge / 100:.2f} 元" if surcharge else ""
    remedy = execution_law.remedy_text(ctx.case, served)
    return {"served_on": served.isoformat(), "surcharge_fen": surcharge}, [
        ("催告书", {"surcharge_text": text, "remedy_text": remedy})
    ]


@declare(
    "record_demand_statement",
    "记录催告后的陈述申辩",
    "Record demand statement",
    stages=rules.EXECUTION_STAGES,
    statuses=("open",),
    body={"statement": schemas.text(5000), "reexamination": schemas.text(5000)},
)
def _demand_statement(ctx: Ctx):
    """The party's statement after the demand, recorded and re-examined (第三十六条)."""
    if ctx.date("demand_served") is None:
        raise rules.Refusal(
            "demand-first",
            "当事人的陈述、申辩针对催告书，须先送达催告书。",
            "The statement answers a served demand: serve the demand first.",
            f"{QZ}第三十五条、第三十六条",
        )
    _execution(ctx).update(
        {
            "demand_statement": ctx.data["statement"],
            "demand_reexamination": ctx.data["reexamination"],
        }
    )
    return dict(ctx.data), []


@declare(
    "decide_execution",
    "作出强制执行决定",
    "Decide execution",
    stages=rules.EXECUTION_STAGES,
    statuses=("open",),
    role=HEAD,
    body={
        "content": schemas.text(2000, metadata={"description": "强制执行的方式和时间"}),
        "decided_on": ma.fields.Date(),
        "immediate": ma.fields.Boolean(load_default=False),
        "grounds": ma.fields.String(validate=ma.validate.Length(max=2000)),
        "path": ma.fields.String(validate=ma.validate.OneOf(schemas.EXECUTION_PATHS)),
    },
    documents=("强制执行决定书",),
)
def _decide_execution(ctx: Ctx):
    """强制执行决定 (行政强制法 第三十七条): in writing, after the demand's period passed
    without performance — at once only where property is being moved or hidden."""
    if not _power(ctx) and ctx.data.get("path") != "auction":
        raise rules.Refusal(
            "no-execution-power",
            "本部门没有强制执行权，须申请人民法院强制执行。",
            "This agency holds no execution power; apply to the court.",
            f"{QZ}第十三条、第五十三条",
        )
    on = ctx.data.get("decided_on") or today()
    immediate = ctx.data.get("immediate", False)
    if immediate and not ctx.data.get("grounds"):
        raise rules.Refusal(
            "immediate-grounds",
            "立即强制执行须有当事人转移或者隐匿财物迹象的证据。",
            "Immediate execution needs evidence that property is being moved or hidden.",
            f"{QZ}第三十七条第三款",
        )
    if not immediate and (refused := execution_law.demand_refusal(ctx.session, ctx.case, on)):
        raise refused
    _execution(ctx).update(
        {"execution_decided": on.isoformat(), "immediate": immediate, "method": ctx.data["content"]}
    )
    return {"decided_on": on.isoformat(), "immediate": immediate}, [
        ("强制执行决定书", {"content": ctx.data["content"]})
    ]


@declare(
    "publish_demolition_notice",
    "公告限期自行拆除",
    "Publish demolition notice",
    stages=("execution",),
    statuses=("open",),
    role=HEAD,
    body={"demolish_by": ma.fields.Date(required=True), "published_on": ma.fields.Date()},
)
def _demolition_notice(ctx: Ctx):
    """公告: the party is ordered to demolish the illegal structure by a deadline
    (行政强制法 第四十四条)."""
    deadline, published = ctx.data["demolish_by"], ctx.data.get("published_on") or today()
    if deadline <= published:
        raise rules.Refusal(
            "demolition-notice-deadline",
            "公告须给当事人留出自行拆除的期限。",
            "The notice must leave the party time to demolish.",
            f"{QZ}第四十四条",
        )
    _execution(ctx).update(
        {"demolition_notice": published.isoformat(), "demolish_by": deadline.isoformat()}
    )
    ctx.set_date("demolition_notice_due", deadline)
    return {"published_on": published.isoformat(), "demolish_by": deadline.isoformat()}, []


@declare(
    "apply_to_court",
    "申请法院强制执行",
    "Apply to court",
    stages=rules.EXECUTION_STAGES,
    statuses=("open",),
    role=HEAD,
    body={"applied_on": ma.fields.Date()},
    documents=("强制执行申请书",),
)
def _court(ctx: Ctx):
    """An agency without execution power (or one choosing the court) applies within 3
    months after the litigation period, at least 10 working days after the demand was
    served, unless a challenge is pending (行政强制法 第五十三条、第五十四条)."""
    on = ctx.data.get("applied_on") or today()
    if (refused := execution_law.court_refusal(ctx.session, ctx.case, on)) is not None:
        raise refused
    _execution(ctx).update({"path": "court", "applied_on": on.isoformat(), "done": "court"})
    if ctx.case.procedure == "simple":
        close_if_settled(ctx)  # an unpaid on-the-spot fine, now with the court
    return {"applied_on": on.isoformat()}, [("强制执行申请书", {})]


def _power(ctx: Ctx) -> bool:
    agency = ctx.session.get(Agency, ctx.case.agency_id)
    return bool(agency and agency.has_compulsory_power)


@declare(
    "enforce",
    "强制执行",
    "Enforce",
    stages=rules.EXECUTION_STAGES,
    statuses=("open",),
    role=HEAD,
    body={
        "path": ma.fields.String(
            required=True, validate=ma.validate.OneOf(schemas.EXECUTION_PATHS)
        ),
        "at": ma.fields.AwareDateTime(),
        "emergency": ma.fields.String(
            validate=ma.validate.Length(max=500),
            metadata={"description": "情况紧急须在夜间或节假日执行的，写明紧急情况"},
        ),
    },
    form={
        "emergency": (
            "情况紧急须在夜间或节假日执行的，写明紧急情况 (不少于10字)",
            "If urgent at night or on a holiday: the emergency (10+ characters)",
        )
    },
)
def _enforce(ctx: Ctx):
    """Execution by the agency, on its path (see the module); never at night or on a
    holiday (第四十三条)."""
    if refused := execution_law.enforce_refusal(ctx.session, ctx.case, ctx.data, _power(ctx)):
        raise refused
    at = execution_law.execution_moment(ctx.data)
    _execution(ctx).update(
        {"path": ctx.data["path"], "enforced_at": at.isoformat(), "done": "enforced"}
    )
    if execution_law.off_hours_refusal(ctx.session, ctx.case, at) is not None:
        _execution(ctx)["emergency"] = ctx.data["emergency"].strip()  # 情况紧急 (第四十三条)
        ctx.case.flagged = True  # at night or on a holiday: supervision sees it
    if ctx.case.procedure == "simple":
        close_if_settled(ctx)
    return {"path": ctx.data["path"], "at": at.isoformat()}, []


@declare(
    "record_challenge",
    "登记复议或诉讼",
    "Record challenge",
    stages=rules.EXECUTION_STAGES,
    statuses=("open",),
    body={
        "kind": ma.fields.String(
            required=True, validate=ma.validate.OneOf(schemas.CHALLENGE_KINDS)
        ),
        "filed_on": ma.fields.Date(),
        "body": ma.fields.String(
            validate=ma.validate.Length(max=200), metadata={"description": "复议机关或法院"}
        ),
    },
    form={
        "kind": ("救济途径", "Remedy"),
        "filed_on": ("申请复议或起诉日期", "Filed on"),
        "body": ("复议机关或人民法院", "Reconsideration body or court"),
    },
    choices={"kind": "challenge_kind"},
)
def _challenge(ctx: Ctx):
    """The party applied for reconsideration or sued: the surcharge stops counting until
    it concludes (处罚法 第七十三条第三款); execution is not suspended (第七十三条第一款)."""
    kind, filed = ctx.data["kind"], ctx.data.get("filed_on") or today()
    if any(p.reason == kind and p.ended_on is None for p in ctx.case.pauses):
        raise rules.Refusal(
            "challenge-open", "该救济程序尚未终结。", "This challenge is still pending."
        )
    deadlines.pause(ctx.case, kind, filed)
    ctx.case.pauses[-1].note = ctx.data.get("body", "")
    entry = {"id": str(uuid.uuid4()), "kind": kind, "filed_on": filed.isoformat()}
    _execution(ctx).setdefault("challenges", []).append(entry)
    return entry, []


@declare(
    "conclude_challenge",
    "登记复议或诉讼结果",
    "Conclude challenge",
    stages=rules.EXECUTION_STAGES,
    statuses=("open",),
    body={
        "kind": ma.fields.String(
            required=True, validate=ma.validate.OneOf(schemas.CHALLENGE_KINDS)
        ),
        "outcome": ma.fields.String(
            required=True,
            validate=ma.validate.OneOf(("upheld", "varied", "revoked", "withdrawn")),
        ),
        "concluded_on": ma.fields.Date(),
        "fine_fen": schemas.fen(metadata={"description": "变更后的罚款 (outcome=varied)"}),
    },
    form={"kind": ("救济途径", "Remedy"), "outcome": ("复议决定或裁判结果", "Outcome")},
    choices={"kind": "challenge_kind", "outcome": "challenge_outcome"},
)
def _conclude(ctx: Ctx):
    """The reconsideration or lawsuit concluded: upheld (the surcharge runs again),
    varied (the new fine), revoked (nothing left to execute) or withdrawn."""
    kind, on, outcome = (
        ctx.data["kind"],
        ctx.data.get("concluded_on") or today(),
        ctx.data["outcome"],
    )
    if not any(p.reason == kind and p.ended_on is None for p in ctx.case.pauses):
        raise rules.Refusal(
            "no-challenge", "没有未终结的该项救济程序。", "No such pending challenge."
        )
    deadlines.resume(ctx.case, kind, on)
    for entry in _execution(ctx).get("challenges", []):
        if entry["kind"] == kind and "concluded_on" not in entry:
            entry.update(concluded_on=on.isoformat(), outcome=outcome)
    if kind == "reconsideration" and outcome in ("upheld", "varied"):
        after = execution_law.litigation_after_reconsideration(ctx.session, on)
        current = ctx.date("litigation_due")
        if after is not None and (current is None or after > current):
            ctx.set_date("litigation_due", after)  # and the court window with it
    if outcome == "revoked":
        _execution(ctx)["done"] = "revoked"
    elif outcome == "varied":
        fine = ctx.data.get("fine_fen", ctx.case.fine_fen)
        if fine is not None and ctx.case.fine_fen is not None and fine > ctx.case.fine_fen:
            raise rules.Refusal(
                "no-worse-on-challenge",
                "行政复议机关不得作出对申请人更为不利的变更决定。",
                "A reconsideration may not vary the decision to the applicant's detriment.",
                "《行政复议法》第六十三条第二款",
            )
        ctx.case.fine_fen = fine
    return {"kind": kind, "concluded_on": on.isoformat(), "outcome": outcome}, []


@declare(
    "suspend_execution",
    "中止执行",
    "Suspend execution",
    stages=rules.EXECUTION_STAGES,
    statuses=("open",),
    role=HEAD,
    body={
        "ground": ma.fields.String(
            required=True, validate=ma.validate.OneOf(list(rules.EXECUTION_SUSPENSION_GROUNDS))
        ),
        "reason": schemas.text(500),
        "suspended_on": ma.fields.Date(),
    },
    form={
        "ground": ("中止执行的情形 (行政强制法 第三十九条)", "Ground (art. 39)"),
        "reason": ("具体情况", "Details"),
        "suspended_on": ("中止日期", "Suspended on"),
    },
    choices={"ground": "execution_suspension"},
)
def _suspend_execution(ctx: Ctx):
    """中止执行 (行政强制法 第三十九条第一款): on one of its grounds, with the head's
    decision; the execution actions wait until it is resumed."""
    execution = _execution(ctx)
    if execution.get("suspended"):
        raise rules.Refusal(
            "execution-suspended", "执行已经中止。", "Execution is already suspended.",
            f"{QZ}第三十九条",
        )  # fmt: skip
    on, ground = ctx.data.get("suspended_on") or today(), ctx.data["ground"]
    execution["suspended"] = {
        "since": on.isoformat(),
        "ground": ground,
        "ground_text": rules.EXECUTION_SUSPENSION_GROUNDS[ground],
        "reason": ctx.data["reason"],
    }
    return dict(execution["suspended"]), []


@declare(
    "resume_execution",
    "恢复执行",
    "Resume execution",
    stages=rules.EXECUTION_STAGES,
    statuses=("open",),
    role=HEAD,
    body={"resumed_on": ma.fields.Date()},
    form={"resumed_on": ("恢复执行日期", "Resumed on")},
)
def _resume_execution(ctx: Ctx):
    """第三十九条第二款: the grounds gone, execution resumes."""
    execution = _execution(ctx)
    suspended = execution.pop("suspended", None)
    if suspended is None:
        raise rules.Refusal(
            "execution-not-suspended", "执行没有中止。", "Execution is not suspended.",
            f"{QZ}第三十九条第二款",
        )  # fmt: skip
    on = ctx.data.get("resumed_on") or today()
    if on.isoformat() < suspended["since"]:
        raise rules.Refusal(
            "resume-before-pause", "恢复日期早于中止日期。", "Resumed before it was suspended."
        )
    execution.setdefault("suspensions", []).append({**suspended, "resumed_on": on.isoformat()})
    return {"resumed_on": on.isoformat(), "since": suspended["since"]}, []


@declare(
    "terminate_execution",
    "终结执行",
    "Terminate execution",
    stages=rules.EXECUTION_STAGES,
    statuses=("open",),
    role=HEAD,
    body={
        "ground": ma.fields.String(
            required=True, validate=ma.validate.OneOf(list(rules.EXECUTION_TERMINATION_GROUNDS))
        ),
        "reason": schemas.text(500),
        "terminated_on": ma.fields.Date(),
    },
    form={
        "ground": ("终结执行的情形 (行政强制法 第四十条)", "Ground (art. 40)"),
        "reason": ("具体情况", "Details"),
        "terminated_on": ("终结日期", "Ended on"),
    },
    choices={"ground": "execution_termination"},
)
def _terminate_execution(ctx: Ctx):
    """终结执行 (第四十条) on one of its grounds — or 第三十九条第二款: suspended three
    years without resuming, 不再执行 — which ends the execution stage."""
    execution, ground = _execution(ctx), ctx.data["ground"]
    on = ctx.data.get("terminated_on") or today()
    if ground == "suspended_3_years":
        since = (execution.get("suspended") or {}).get("since")
        if since is None or on < law.add_months(dt.date.fromisoformat(since), 36):
            raise rules.Refusal(
                "suspension-under-3-years",
                "中止执行满三年未恢复执行的，才不再执行。",
                "Execution ends on this ground only after three years of suspension.",
                f"{QZ}第三十九条第二款",
            )
    execution.pop("suspended", None)
    execution.update(
        {
            "done": "terminated",
            "terminated": {
                "on": on.isoformat(),
                "ground": ground,
                "ground_text": rules.EXECUTION_TERMINATION_GROUNDS[ground],
                "reason": ctx.data["reason"],
            },
        }
    )
    if ctx.case.procedure == "simple":
        close_if_settled(ctx)
    return dict(execution["terminated"]), []


SUBSTITUTE_HARMS = {
    "traffic": "危害交通安全",
    "pollution": "造成环境污染",
    "resources": "破坏自然资源",
}


@declare(
    "decide_substitute_performance",
    "决定代履行",
    "Decide substitute performance",
    stages=("execution",),
    statuses=("open",),
    role=HEAD,
    body={
        "harm": ma.fields.String(
            required=True, validate=ma.validate.OneOf(("traffic", "pollution", "resources"))
        ),
        "obligation": schemas.text(500),
        "reason": schemas.text(1000),
        "target": schemas.text(500),
        "method": schemas.text(500),
        "performer": schemas.text(200),
        "budget_fen": schemas.fen(required=True),
        "served_on": ma.fields.Date(),
        "perform_from": ma.fields.Date(required=True),
    },
    documents=("代履行决定书",),
    form={
        "harm": ("不履行的后果", "Consequence"),
        "obligation": (
            "当事人应履行的义务 (排除妨碍、恢复原状等)",
            "The obligation",
        ),
        "reason": ("代履行的理由和依据", "Reason and basis"),
        "target": ("代履行的标的", "Target"),
        "method": ("代履行的方式和时间", "Method and time"),
        "performer": ("代履行人", "Performer"),
        "budget_fen": ("费用预算 (元)", "Cost budget (yuan)"),
        "served_on": ("决定书送达日期", "Served on"),
        "perform_from": ("代履行开始日期", "Perform from"),
    },
    choices={"harm": "substitute_harm"},
)
def _decide_substitute(ctx: Ctx):
    """代履行 (行政强制法 第五十条、第五十一条): an obligation to remove an obstruction or
    restore, not performed after a demand, whose consequence harms traffic safety, the
    environment or natural resources; the 代履行决定书 (reason and basis, method and time,
    target, cost budget, performer) is served, and performing starts at least 3 working
    days after — the party may still perform itself (第五十一条第一款第(二)项)."""
    data, case = ctx.data, ctx.case
    on = data.get("served_on") or today()
    if not _power(ctx):
        raise rules.Refusal(
            "no-execution-power",
            "本部门没有强制执行权，不能代履行，须申请人民法院强制执行。",
            "This agency holds no execution power; apply to the court.",
            f"{QZ}第十三条、第五十条",
        )
    if (refused := execution_law.demand_refusal(ctx.session, case, on)) is not None:
        raise refused  # 经催告仍不履行 (第五十条)
    if refused := execution_law.substitute_notice_refusal(ctx.session, on, data["perform_from"]):
        raise refused
    facts = {
        "served_on": on.isoformat(),
        "perform_from": data["perform_from"].isoformat(),
        "harm": data["harm"],
        "obligation": data["obligation"],
        "target": data["target"],
        "method": data["method"],
        "performer": data["performer"],
        "budget_fen": data["budget_fen"],
    }
    _execution(ctx)["substitute"] = facts
    return facts, [
        (
            "代履行决定书",
            {
                **facts,
                "harm": SUBSTITUTE_HARMS[data["harm"]],
                "reason": data["reason"],
                "perform_from_zh": f"{data['perform_from']:%Y年%m月%d日}",
                "budget_yuan": f"{data['budget_fen'] / 100:,.2f}",
            },
        )
    ]


@declare(
    "record_substitute_performance",
    "登记代履行完毕",
    "Record substitute performance",
    stages=("execution",),
    statuses=("open",),
    role=HEAD,
    body={
        "performed_on": ma.fields.Date(),
        "supervisor": schemas.text(100),
        "party_signed": ma.fields.Boolean(load_default=False),
        "witness": ma.fields.String(validate=ma.validate.Length(max=200)),
        "cost_fen": schemas.fen(required=True),
    },
    form={
        "performed_on": ("代履行完毕日期", "Performed on"),
        "supervisor": ("到场监督的工作人员", "Supervising officer"),
        "party_signed": ("当事人已签名", "The party signed"),
        "witness": (
            "见证人 (当事人未签名时)",
            "Witness (if the party did not sign)",
        ),
        "cost_fen": ("实际费用 (元)", "Actual cost (yuan)"),
    },
)
def _record_substitute(ctx: Ctx):
    """Done, supervised on site, the record signed by the supervising officer, the
    performer and the party or a witness (第五十一条第一款第(三)、(四)项); the cost,
    borne by the party, is owed at cost (第五十一条第二款)."""
    facts = _execution(ctx).get("substitute")
    if not facts:
        raise rules.Refusal(
            "substitute-decision-first",
            "代履行前须作出并送达代履行决定书。",
            "Serve the decision on substitute performance first.",
            f"{QZ}第五十一条第一款第(一)项",
        )
    on = ctx.data.get("performed_on") or today()
    if on.isoformat() < facts["perform_from"]:
        raise rules.Refusal(
            "substitute-too-early",
            f"代履行决定书确定自{facts['perform_from']}起实施。",
            f"The decision sets performance from {facts['perform_from']}.",
            f"{QZ}第五十一条第一款第(二)项",
        )
    if not (ctx.data.get("party_signed") or (ctx.data.get("witness") or "").strip()):
        raise rules.Refusal(
            "substitute-signatures",
            "代履行完毕，当事人或者见证人应当在执行文书上签名或者盖章。",
            "The party or a witness must sign the record.",
            f"{QZ}第五十一条第一款第(四)项",
        )
    facts.update(
        {
            "performed_on": on.isoformat(),
            "supervisor": ctx.data["supervisor"],
            "party_signed": bool(ctx.data.get("party_signed")),
            "witness": (ctx.data.get("witness") or "").strip(),
            "cost_fen": ctx.data["cost_fen"],
        }
    )
    _execution(ctx)["done"] = "substituted"
    return dict(facts), []


@declare(
    "record_execution_agreement",
    "达成执行协议",
    "Record execution agreement",
    stages=rules.EXECUTION_STAGES,
    statuses=("open",),
    role=HEAD,
    body={
        "terms": schemas.text(2000),
        "stages": ma.fields.List(
            ma.fields.Date(), metadata={"description": "分阶段履行的各期期限"}
        ),
        "remedy": ma.fields.String(
            validate=ma.validate.Length(max=500),
            metadata={"description": "当事人采取的补救措施 (减免加处罚款时必填)"},
        ),
        "waived_fen": schemas.fen(),
        "agreed_on": ma.fields.Date(),
    },
    form={
        "terms": ("协议内容", "Terms"),
        "stages": (
            "分阶段履行的期限 (每行一个日期)",
            "Stage deadlines",
        ),
        "remedy": ("当事人采取的补救措施", "Remedial measures taken"),
        "waived_fen": ("减免加处罚款 (元)", "Surcharge waived (yuan)"),
        "agreed_on": ("协议日期", "Agreed on"),
    },
)
def _agreement(ctx: Ctx):
    """执行协议 (行政强制法 第四十二条第一款): agreed with the party where it harms neither
    the public interest nor others' rights; performance may be staged, and where the party
    took remedial measures the surcharge may be reduced or waived (never more than has
    accrued). While it is kept, execution waits; a breach resumes it (第二款)."""
    execution, data = _execution(ctx), ctx.data
    if (execution.get("agreement") or {}).get("status") == "in_force":
        raise rules.Refusal(
            "agreement-in-force", "已有执行协议正在履行。", "An agreement is already in force.",
            f"{QZ}第四十二条",
        )  # fmt: skip
    on = data.get("agreed_on") or today()
    waived = data.get("waived_fen") or 0
    accrued = deadlines.surcharge(ctx.session, ctx.case, on)
    if waived and len((data.get("remedy") or "").strip()) < 2:
        raise rules.Refusal(
            "remedy-required",
            "当事人采取补救措施的，才可以减免加处的罚款。",
            "The surcharge may be reduced only where the party took remedial measures.",
            f"{QZ}第四十二条第一款",
        )
    if waived > accrued:
        raise rules.Refusal(
            "waiver-over-surcharge",
            f"减免额不能超过已加处的罚款 {accrued / 100:.2f} 元。",
            f"The waiver cannot exceed the surcharge accrued ({accrued / 100:.2f} yuan).",
            f"{QZ}第四十二条第一款",
        )
    execution["agreement"] = {
        "status": "in_force",
        "agreed_on": on.isoformat(),
        "terms": data["terms"],
        "stages": [d.isoformat() for d in data.get("stages", [])],
        "remedy": (data.get("remedy") or "").strip(),
        "waived_fen": waived,
        "accrued_fen": accrued,
    }
    return dict(execution["agreement"]), []


@declare(
    "agreement_breached",
    "登记当事人不履行执行协议",
    "Agreement breached",
    stages=rules.EXECUTION_STAGES,
    statuses=("open",),
    role=HEAD,
    body={"note": schemas.text(500), "breached_on": ma.fields.Date()},
    form={
        "note": ("不履行协议的情况", "How the agreement was broken"),
        "breached_on": ("日期", "On"),
    },
)
def _agreement_breached(ctx: Ctx):
    """第四十二条第二款: the party does not keep the agreement — execution resumes (the
    waiver falls with it)."""
    agreement = _execution(ctx).get("agreement") or {}
    if agreement.get("status") != "in_force":
        raise rules.Refusal(
            "no-agreement", "没有正在履行的执行协议。", "No agreement is in force.",
            f"{QZ}第四十二条第二款",
        )  # fmt: skip
    agreement.update(
        status="breached",
        breached_on=(ctx.data.get("breached_on") or today()).isoformat(),
        note=ctx.data["note"],
        waived_fen=0,
    )
    return dict(agreement), []
