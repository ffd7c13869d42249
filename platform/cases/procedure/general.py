"""What each action of the general procedure does, once the rules allow it: each handler
beside its declaration (procedure/declaring.py).

`cases.registry.act` is the one write path: check the stage (rules.check_where), the role,
the action's own conditions; run the handler; append the event; issue the documents;
recompute deadlines; commit. Handlers return the event payload and the documents to
issue; `Ctx` is what they are handed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from dataclasses import dataclass

import marshmallow as ma
from sqlalchemy import select
from sqlalchemy.orm import Session

from yimen.platform.cases import schemas, service
from yimen.platform.cases.contracts import NOT_FILING_GROUNDS
from yimen.platform.cases.documents import issuing as documents
from yimen.platform.cases.law import applied as deadlines
from yimen.platform.cases.law import flags as law_flags
from yimen.platform.cases.law import periods as law
from yimen.platform.cases.procedure import rules
from yimen.platform.cases.procedure.declaring import HEAD, REVIEWER, declare
from yimen.platform.cases.record import log as events
from yimen.platform.cases.record.model import Case, CaseStatus
from yimen.platform.cases.record.typed import CaseMeasure, CaseService
from yimen.platform.cases.service import (
    today,
)
from yimen.platform.kernel.directory import Officer
from yimen.platform.kernel.errors import Bilingual, FieldProblem, Invalid
from yimen.platform.kernel.identity import Identity
from yimen.tenants.calendar.service import working_calendar

PZ, QZ = rules.PZ, rules.QZ


@dataclass
class Ctx:
    session: Session
    case: Case
    data: dict
    identity: Identity
    view: rules.CaseView
    definition: dict
    measure: CaseMeasure | None = None  # the measure whose documents this action issues

    @property
    def facts(self) -> dict:
        return self.case.details.setdefault(self.case.stage, {})

    def date(self, key: str) -> dt.date | None:
        return self.view.dates.get(key)

    def set_date(self, key: str, value: dt.date | None) -> None:
        self.case.details.setdefault("dates", {})[key] = value.isoformat() if value else None


def _advance(ctx: Ctx) -> None:
    """Leave the current stage for the next one the case goes through."""
    rules.check_complete(ctx.definition, ctx.view)
    following = rules.next_stage(ctx.definition, ctx.view)
    if following is None:
        raise rules.Refusal("no-next-stage", "已是最后一个环节。", "This is the last stage.")
    ctx.case.stage = following
    ctx.set_date(f"entered_{following}", today())  # a stage's own clock (法制审核) runs from here


@declare(
    "advance",
    "完成本环节",
    "Advance",
    stages=(),  # finish the current stage (any)
    statuses=("open",),
    body={},
)
def _finish_stage(ctx: Ctx):
    before = ctx.case.stage
    _advance(ctx)
    return {"from": before, "to": ctx.case.stage}, []


@declare(
    "approve_filing",
    "批准立案",
    "Approve filing",
    stages=("filing",),
    statuses=("draft",),
    role=HEAD,
    body={"opinion": ma.fields.String(load_default="同意立案")},
    documents=("立案审批表",),
    form={"opinion": ("审批意见", "Approval opinion")},
)
def _approve_filing(ctx: Ctx):
    """立案 with the head's approval: the agency holds the matter, ≥2 qualified
    officers, a party, within the limitation period (处罚法 第十七条、第三十六条、第四十二条、
    第五十四条)."""
    case = ctx.case
    if not case.matter_code:
        raise rules.Refusal(
            "matter-required",
            "立案须选择执法事项。",
            "Choose the enforcement matter.",
            f"{PZ}第五十四条",
        )
    if not case.parties:
        raise rules.Refusal(
            "party-required", "立案须有当事人。", "A case needs a party.", f"{PZ}第五十四条"
        )
    if (elsewhere := service.jurisdiction_refusal(ctx.session, case)) is not None:
        raise elsewhere
    rules.require_two_officers(ctx.view)
    if (barred := deadlines.limitation_refusal(case)) is not None:
        raise barred
    case.status, case.filed_on = CaseStatus.OPEN.value, today()
    ctx.set_date("filed", case.filed_on)
    number = documents.case_number(ctx.session, case)
    case.number = number
    case.stage = rules.next_stage(ctx.definition, ctx.view) or case.stage
    return {"number": number, "opinion": ctx.data.get("opinion", "")}, [
        ("立案审批表", {"opinion": ctx.data.get("opinion", "同意立案")})
    ]


@declare(
    "decline_filing",
    "不予立案",
    "Decline filing",
    stages=("filing",),
    statuses=("draft",),
    role=HEAD,
    body={
        "reason": schemas.text(500),
        "ground": ma.fields.String(
            load_default="other",
            validate=ma.validate.OneOf(tuple(NOT_FILING_GROUNDS)),
            metadata={"description": "不予立案的情形 (告知投诉人的类别) / the ground"},
        ),
    },
    documents=("不予立案决定书",),
    form={"reason": ("不予立案理由", "Reason"), "ground": ("不予立案的情形", "Ground")},
    choices={"ground": "not_filing_ground"},
)
def _decline_filing(ctx: Ctx):
    """不予立案 on a ground of 《市场监督管理行政处罚程序规定》第十九条、第二十条: the
    ground's category (not the reason written) is what the complainant is told."""
    ctx.case.status = CaseStatus.NOT_FILED.value
    ctx.facts["declined"] = ctx.data["reason"]
    ctx.facts["declined_ground"] = ctx.data.get("ground", "other")
    return {"reason": ctx.data["reason"], "ground": ctx.facts["declined_ground"]}, [
        ("不予立案决定书", {"reason": ctx.data["reason"]})
    ]


@declare(
    "add_evidence",
    "添加证据",
    "Add evidence",
    stages=rules.FACT_FINDING,
    statuses=("open",),
    body={
        "kind": ma.fields.String(required=True, validate=ma.validate.OneOf(schemas.EVIDENCE_KINDS)),
        "title": schemas.text(200),
        "sha256": ma.fields.String(validate=ma.validate.Regexp(r"^[0-9a-f]{64}$")),
        "collected_on": ma.fields.Date(),
    },
    form={"kind": ("证据种类", "Kind of evidence")},
    choices={"kind": "evidence"},
    while_suspended=True,
)
def _add_evidence(ctx: Ctx):
    """证据 (处罚法 第四十六条: one of the eight kinds), bound into the chain by its hash."""
    item = {
        "id": str(uuid.uuid4()),
        "kind": ctx.data["kind"],
        "title": ctx.data["title"],
        "sha256": ctx.data.get("sha256", ""),
        "collected_on": ctx.data.get("collected_on", today().isoformat()),
        "by": ctx.identity.username,
    }
    ctx.case.details.setdefault("investigation", {}).setdefault("evidence", []).append(item)
    return item, []


@declare(
    "add_record",
    "制作笔录",
    "Add record",
    stages=(),  # any stage that uses the record
    statuses=("open",),
    body={"kind": schemas.text(40), "content": schemas.text(20000)},
    form={"kind": ("文书", "Record"), "content": ("笔录内容", "Content")},
    while_suspended=True,
)
def _add_record(ctx: Ctx):
    """A record the stage requires (现场检查笔录, 询问笔录 …), signed by two officers."""
    kind = ctx.data["kind"]
    stage = rules.stage_of(ctx.definition, ctx.case.stage)
    if kind not in {d["kind"] for d in stage["documents"]}:
        raise rules.Refusal(
            "document-not-in-stage",
            f"「{stage['name']}」环节不使用文书「{kind}」。",
            f"The stage does not use '{kind}'.",
        )
    rules.require_two_officers(ctx.view)
    return {"kind": kind}, [(kind, {"content": ctx.data.get("content", "")})]


@declare(
    "recuse_officer",
    "回避",
    "Recuse officer",
    stages=(),  # any stage
    statuses=("draft", "open"),
    role=HEAD,
    body={"officer_id": ma.fields.UUID(required=True), "reason": schemas.text(500)},
    while_suspended=True,
)
def _recuse(ctx: Ctx):
    """回避: decided by the agency head; the investigation goes on (处罚法 第四十三条)."""
    officer_id = uuid.UUID(str(ctx.data["officer_id"]))
    for co in ctx.case.officers:
        if co.officer_id == officer_id:
            co.recused, co.recusal_reason = True, ctx.data["reason"]
            co.recusal_decided_by = ctx.identity.username
            return {"officer_id": str(officer_id), "reason": ctx.data["reason"]}, []
    raise rules.Refusal("not-on-case", "该人员不是本案承办人员。", "Not an officer of this case.")


@declare(
    "apply_for_recusal",
    "登记当事人的回避申请",
    "Record the party's application for recusal",
    stages=(),  # any stage: the party applies when it learns of the tie
    statuses=("draft", "open"),
    body={"officer_id": ma.fields.UUID(required=True), "reason": schemas.text(500)},
    form={
        "officer_id": ("被申请回避的执法人员", "Officer the party asks to recuse"),
        "reason": ("当事人申请回避的理由", "The party's reasons"),
    },
    while_suspended=True,
)
def _apply_for_recusal(ctx: Ctx):
    """当事人申请回避 (处罚法 第四十三条第二款): the party holds that an officer has a direct
    interest in the case or another tie that may affect fair enforcement. The application
    is recorded with the officer and the reasons; the agency reviews it and its head
    decides (第三款; granted: `recuse_officer`), and the investigation does not stop
    meanwhile (第三款)."""
    officer_id = uuid.UUID(str(ctx.data["officer_id"]))
    if officer_id not in {co.officer_id for co in ctx.case.officers}:
        raise rules.Refusal(
            "not-on-case", "该人员不是本案承办人员。", "Not an officer of this case."
        )
    application = {
        "officer_id": str(officer_id),
        "reason": ctx.data["reason"],
        "recorded_by": ctx.identity.username,
        "recorded_on": today().isoformat(),
    }
    ctx.case.details.setdefault("recusal_applications", []).append(application)
    return application, []


# --- order to correct, prior notice, statement ----------------------------------------


@declare(
    "order_correction",
    "责令改正",
    "Order correction",
    stages=("correction_order",),
    statuses=("open",),
    body={"content": schemas.text(1000), "correct_by": ma.fields.Date()},
    documents=("责令改正通知书",),
    form={"content": ("责令改正内容", "What to correct")},
)
def _order_correction(ctx: Ctx):
    """责令改正 (处罚法 第二十八条) with a time limit."""
    ctx.facts.update({"ordered": True, "content": ctx.data["content"]})
    deadline = ctx.data.get("correct_by")
    if deadline is not None:
        ctx.facts["correct_by"] = deadline.isoformat()
    return {"content": ctx.data["content"], "correct_by": ctx.facts.get("correct_by")}, [
        ("责令改正通知书", {"content": ctx.data["content"], "deadline_on": deadline})
    ]


@declare(
    "correction_not_required",
    "无需责令改正",
    "Correction not required",
    stages=("correction_order",),
    statuses=("open",),
    body={"reason": schemas.text(500)},
    form={"reason": ("无需责令改正的理由", "Reason")},
)
def _correction_not_required(ctx: Ctx):
    ctx.facts["not_required"] = ctx.data["reason"]
    return {"reason": ctx.data["reason"]}, []


@declare(
    "propose_penalty",
    "拟定处罚",
    "Propose penalty",
    stages=("prior_notice",),
    statuses=("open",),
    body={
        "penalty_kinds": ma.fields.List(
            ma.fields.String(validate=ma.validate.OneOf(schemas.PENALTY_KINDS)),
            required=True,
            validate=ma.validate.Length(min=1),
        ),
        "fine_fen": schemas.fen(),
        "confiscation_fen": schemas.fen(),
        "circumstance": ma.fields.String(validate=ma.validate.Length(max=40)),
        "first_violation": ma.fields.Boolean(load_default=False),
        "illegal_gains_fen": schemas.fen(),
        "mitigating": ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=40))),
        "aggravating": ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=40))),
        "justification": ma.fields.String(validate=ma.validate.Length(max=2000)),
    },
)
def _propose(ctx: Ctx):
    """The intended penalty within the discretion benchmark (国办发〔2022〕27号); outside
    the range it needs a written justification and is flagged for supervision."""
    case = ctx.case
    matter = service.matter_of(ctx.session, case)
    if (minor := deadlines.minor_refusal(case, ctx.data)) is not None:
        raise minor
    assessment = deadlines.assess(ctx.session, case, ctx.data, matter)
    case.penalty_kinds = ctx.data["penalty_kinds"]
    case.proposed_fine_fen = ctx.data.get("fine_fen")
    case.confiscation_fen = ctx.data.get("confiscation_fen")
    case.discretion = assessment
    case.flagged = case.flagged or assessment.get("flag", False)
    right, reason = deadlines.hearing_right(ctx.session, case)
    ctx.facts.update({"hearing_right": right, "hearing_right_reason": reason})
    return {
        "penalty_kinds": case.penalty_kinds,
        "fine_fen": case.proposed_fine_fen,
        **assessment,
    }, []


def penalty_proposed(case: rules.CaseView) -> rules.Refusal | None:
    """The notice states the penalty proposed (处罚法 第四十四条): not before it is."""
    if case.penalty_proposed:
        return None
    return rules.Refusal(
        "penalty-not-proposed",
        "送达告知书前须先拟定处罚。",
        "Propose the penalty before serving the notice.",
        f"{PZ}第四十四条",
    )


@declare(
    "serve_prior_notice",
    "送达事先告知书",
    "Serve prior notice",
    stages=("prior_notice",),
    statuses=("open",),
    body={"served_on": ma.fields.Date()},
    documents=("行政处罚事先告知书",),
    form={"served_on": ("告知书送达日期", "Notice served on")},
    guard=penalty_proposed,  # so the console offers 拟定处罚 first
)
def _serve_notice(ctx: Ctx):
    """事先告知 (处罚法 第四十四条): served on the party; the statement and hearing request
    window (5 working days, 第六十四条、第八十五条) starts."""
    if ctx.case.proposed_fine_fen is None and not ctx.case.penalty_kinds:
        raise rules.Refusal(
            "penalty-not-proposed",
            "送达告知书前须先拟定处罚。",
            "Propose the penalty before serving the notice.",
            f"{PZ}第四十四条",
        )
    served = ctx.data.get("served_on") or today()
    ctx.case.services.append(
        CaseService(document="prior_notice", served_on=served, recipient=_recipient(ctx))
    )
    ctx.set_date("prior_notice_served", served)
    ctx.set_date("statement_due", deadlines.statement_due(ctx.session, ctx.case, served))
    to_issue = [("行政处罚事先告知书", {"hearing_right": ctx.facts.get("hearing_right")})]
    _advance_with(ctx, "行政处罚事先告知书")
    return {"served_on": served.isoformat()}, to_issue


@declare(
    "record_statement",
    "记录陈述申辩及复核",
    "Record statement",
    stages=("statement",),
    statuses=("open",),
    body={
        "statement": schemas.text(5000),
        "reexamination": ma.fields.String(validate=ma.validate.Length(max=5000)),
    },
)
def _statement(ctx: Ctx):
    """陈述申辩 and its 复核 (处罚法 第四十五条): no heavier penalty because of it."""
    ctx.facts.update(
        {"statement": ctx.data["statement"], "reexamination": ctx.data.get("reexamination", "")}
    )
    return {
        "statement": ctx.data["statement"],
        "reexamination": ctx.data.get("reexamination", ""),
    }, []


@declare(
    "waive",
    "当事人放弃陈述申辩",
    "Waive",
    stages=("statement",),
    statuses=("open",),
    body={"signed_by": schemas.text(100)},
)
def _waive(ctx: Ctx):
    """The party expressly gives up statement, defence and hearing (第六十二条)."""
    ctx.facts["waived"] = True
    return {"waived": True, "signed_by": ctx.data["signed_by"]}, []


@declare(
    "request_hearing",
    "申请听证",
    "Request hearing",
    stages=("statement",),
    statuses=("open",),
    body={"requested_on": ma.fields.Date()},
)
def _request_hearing(ctx: Ctx):
    """听证 on request within 5 working days of the notice, for penalties that carry the
    right (处罚法 第六十三条、第六十四条)."""
    if not ctx.case.details.get("prior_notice", {}).get("hearing_right"):
        raise rules.Refusal(
            "no-hearing-right",
            "拟作出的处罚不属于当事人有权要求听证的情形。",
            "The intended penalty does not carry the right to a hearing.",
            f"{PZ}第六十三条",
        )
    requested = ctx.data.get("requested_on") or today()
    if (late := deadlines.hearing_request_refusal(ctx.session, ctx.case, requested)) is not None:
        raise late
    ctx.case.hearing_requested = True
    ctx.facts["hearing_requested_on"] = requested.isoformat()
    deadlines.pause(ctx.case, "hearing", requested)
    return {"requested_on": requested.isoformat()}, []


# --- hearing, legal review, collective discussion -------------------------------------

# The notice tells the party the hearing's time as well as its day and place (第六十四条
# 第(二)项): a time of day, 24-hour "HH:MM".
HEARING_TIME = ma.fields.String(
    required=True,
    validate=ma.validate.Regexp(
        r"^([01]\d|2[0-3]):[0-5]\d$",
        error=Bilingual(
            "请按“时:分”填写听证时间，如 09:30。", "Give the time as HH:MM, e.g. 09:30."
        ),
    ),
    metadata={"description": "听证开始时间 (时:分，24小时制)"},
)


@declare(
    "schedule_hearing",
    "安排听证",
    "Schedule hearing",
    stages=("hearing",),
    statuses=("open",),
    body={
        "hearing_on": ma.fields.Date(required=True),
        "hearing_time": HEARING_TIME,
        "noticed_on": ma.fields.Date(),
        "presider_id": ma.fields.UUID(required=True),
        "place": schemas.text(200),
        "public": ma.fields.Boolean(load_default=True),
    },
    documents=("听证通知书",),
    form={"hearing_time": ("听证时间 (时:分)", "Hearing time (HH:MM)")},
)
def _schedule_hearing(ctx: Ctx):
    """Notice of the hearing's day, time and place at least 7 working days before it; the
    presider is not one of the case's investigators (处罚法 第六十四条第(二)(四)项)."""
    hearing_on, noticed_on = ctx.data["hearing_on"], ctx.data.get("noticed_on") or today()
    presider = uuid.UUID(str(ctx.data["presider_id"]))
    chosen = ctx.session.get(Officer, presider)
    if chosen is None or chosen.agency_id != ctx.case.agency_id or chosen.status != "active":
        raise rules.Refusal(
            "presider-not-officer",
            "听证主持人须为本案执法机关指定的在职工作人员。",
            "The presiding officer must be an active officer of the case's agency.",
            f"{PZ}第六十四条第(四)项",
        )
    if presider in {co.officer_id for co in ctx.case.officers}:
        raise rules.Refusal(
            "presider-is-investigator",
            "听证主持人不得由本案调查人员担任。",
            "The presiding officer may not be one of the case's investigators.",
            f"{PZ}第六十四条第(四)项",
        )
    if (late := deadlines.hearing_notice_refusal(ctx.session, noticed_on, hearing_on)) is not None:
        raise late
    ctx.facts.update(
        {
            "hearing_on": hearing_on.isoformat(),
            "hearing_time": ctx.data["hearing_time"],
            "noticed_on": noticed_on.isoformat(),
            "presider_id": str(presider),
            "public": ctx.data.get("public", True),
            "place": ctx.data["place"],
        }
    )
    ctx.set_date("hearing_on", hearing_on)
    return dict(ctx.facts), [("听证通知书", dict(ctx.facts))]


@declare(
    "record_hearing",
    "记录听证",
    "Record hearing",
    stages=("hearing",),
    statuses=("open",),
    body={
        "transcript": ma.fields.String(validate=ma.validate.Length(max=20000)),
        "no_show": ma.fields.Boolean(load_default=False),
        "held_on": ma.fields.Date(),
    },
    documents=("听证笔录",),
)
def _record_hearing(ctx: Ctx):
    """The hearing held (transcript) or the party absent without reason = waiver, the
    hearing ended (处罚法 第六十四条第(六)项)."""
    if "hearing_on" not in ctx.facts:
        raise rules.Refusal(
            "hearing-not-scheduled",
            "尚未安排听证：须先于听证七日前通知当事人听证的时间、地点。",
            "No hearing scheduled: notify the party of its time and place first.",
            f"{PZ}第六十四条第(二)项",
        )
    held_on, scheduled = ctx.data.get("held_on") or today(), ctx.facts["hearing_on"]
    if held_on < dt.date.fromisoformat(scheduled):
        raise rules.Refusal(
            "hearing-not-due",
            f"听证定于{scheduled}举行，此前不能记录听证结果或当事人缺席。",
            f"The hearing is set for {scheduled}; nothing can be recorded before then.",
            f"{PZ}第六十四条",
        )
    if ctx.data.get("no_show"):
        ctx.facts["no_show"] = True
    else:
        ctx.facts.update(
            {"held": True, "held_on": held_on.isoformat(), "transcript": ctx.data["transcript"]}
        )
    deadlines.resume(ctx.case, "hearing", held_on)
    kinds = (
        [] if ctx.data.get("no_show") else [("听证笔录", {"transcript": ctx.data["transcript"]})]
    )
    return {"held": not ctx.data.get("no_show")}, kinds


@declare(
    "legal_review",
    "法制审核",
    "Legal review",
    stages=("legal_review",),
    statuses=("open",),
    role=REVIEWER,
    body={
        "result": ma.fields.String(
            required=True, validate=ma.validate.OneOf(("passed", "returned"))
        ),
        "opinion": schemas.text(5000),
        "reviewer_id": ma.fields.UUID(
            metadata={"description": "审核人员 (代其提交时填写；本人登录时不填)"}
        ),
    },
    documents=("法制审核意见书",),
    form={"opinion": ("审核意见", "Review opinion")},
)
def _legal_review(ctx: Ctx):
    """法制审核 (处罚法 第五十八条; 118号 (十三)): passed, or returned with the problems
    found for the handlers to fix and resubmit."""
    result = ctx.data["result"]
    reviewer = _reviewer(ctx)
    if reviewer.first_legal_review_on is None:
        reviewer.first_legal_review_on = today()  # the date 第五十八条第二款 asks about
    ctx.facts.update(
        {
            "result": result,
            "opinion": ctx.data["opinion"],
            "reviewer": ctx.identity.username,
            "reviewer_id": str(reviewer.id),
            "reviewer_name": reviewer.name,
        }
    )
    opinion = {"opinion": ctx.data["opinion"], "reviewer": reviewer.name}
    kinds = [("法制审核意见书", opinion)] if result == "passed" else []
    return {"result": result, "opinion": ctx.data["opinion"]}, kinds


LAW_IN_FORCE = dt.date(2021, 7, 15)  # 《行政处罚法》(2021年修订) 施行之日
# Acts of investigation (调查取证): whoever took one on a case investigated it, whether or
# not they are among its assigned officers.
INVESTIGATIVE_ACTIONS = frozenset(
    {"add_evidence", "add_record", "preserve_evidence", "impose_measure", "record_no_penalty_facts"}
)


def _investigated(ctx: Ctx, officer: Officer) -> bool:
    """Whether `officer` took an act of investigation on this case (the record's actor)."""
    event = events.CaseEvent
    return (
        ctx.session.execute(
            select(event.id)
            .where(
                event.case_id == ctx.case.id,
                event.kind.in_(INVESTIGATIVE_ACTIONS),
                event.actor == officer.username,
            )
            .limit(1)
        ).first()
        is not None
    )


def reviewer_may_not_investigate(
    session: Session, case: Case, name: str, identity: Identity
) -> None:
    """The officer who did a case's legal review takes no act of investigation on it —
    not even after the review returned it to the handlers (处罚法 第五十八条; 118号)."""
    if name not in INVESTIGATIVE_ACTIONS:
        return
    review = case.details.get("legal_review") or {}
    if not review.get("reviewer_id"):
        return
    acting = session.execute(
        select(Officer.id).where(Officer.subject == identity.subject)
    ).scalar_one_or_none()
    if acting is not None and str(acting) == review["reviewer_id"]:
        raise rules.Refusal(
            "reviewer-may-not-investigate",
            f"{review.get('reviewer_name', '')}已对本案进行法制审核，不得参与本案调查取证。",
            "The officer who did this case's legal review may not take part in its investigation.",
            INDEPENDENCE,
        )


INDEPENDENCE = f"{PZ}第五十八条; 国办发〔2018〕118号（十一）、（十四）"


def _reviewer(ctx: Ctx) -> Officer:
    """The officer who did the review: the signed-in officer, or — for a client acting
    for one — the officer named by `reviewer_id`. Not one of the case's investigators
    (review is separate from investigation); one who first took up legal review on or
    after the law took effect holds 法律职业资格 (处罚法 第五十八条第二款)."""
    found = ctx.session.execute(
        select(Officer).where(Officer.subject == ctx.identity.subject)
    ).scalar_one_or_none()
    if found is None and ctx.data.get("reviewer_id"):
        found = ctx.session.get(Officer, uuid.UUID(str(ctx.data["reviewer_id"])))
        if found is not None and "legal_reviewer" not in found.roles:
            found = None
    if found is None or found.status != "active":
        raise Invalid(
            "reviewer-required",
            "法制审核须由本机关在职的法制审核人员办理：请以该人员身份登录，或填写审核人员。",
            "Legal review is done by an active legal reviewer: sign in as that officer or name them.",
            fields=[
                FieldProblem(
                    "reviewer_id",
                    "请选择在职的法制审核人员。",
                    "Name an active legal reviewer.",
                )
            ],
        )
    if found.id in {co.officer_id for co in ctx.case.officers} or _investigated(ctx, found):
        raise rules.Refusal(
            "reviewer-is-investigator",
            f"{found.name}是本案承办（调查）人员，不得对本案进行法制审核。",
            f"{found.name} investigated this case and may not review it.",
            INDEPENDENCE,
        )
    first = found.first_legal_review_on or today()
    if first >= LAW_IN_FORCE and not found.legal_qualification_no:
        raise rules.Refusal(
            "reviewer-unqualified",
            f"{found.name}初次从事法制审核 ({first:%Y-%m-%d}) 在2021年7月15日以后，须取得法律职业资格，系统中未登记其法律职业资格证书。",
            f"{found.name} first did legal review ({first:%Y-%m-%d}) after the law took effect on 2021-07-15 and must hold a legal professional qualification; none is recorded.",
            f"{PZ}第五十八条第二款",
        )
    return found


@declare(
    "record_discussion",
    "集体讨论",
    "Record discussion",
    stages=("collective_discussion",),
    statuses=("open",),
    role=HEAD,
    body={"minutes": schemas.text(20000), "conclusion": schemas.text(2000)},
    documents=("集体讨论记录",),
)
def _discussion(ctx: Ctx):
    ctx.facts.update({"minutes": ctx.data["minutes"], "conclusion": ctx.data["conclusion"]})
    return {"conclusion": ctx.data["conclusion"]}, [("集体讨论记录", dict(ctx.data))]


@declare(
    "extend_deadline",
    "延长办案期限",
    "Extend deadline",
    stages=rules.BEFORE_DECISION,
    statuses=("open",),
    role=HEAD,
    body={
        "reason": schemas.text(1000),
        "days": ma.fields.Integer(
            validate=ma.validate.Range(min=1, max=366),
            metadata={"description": "集体讨论确定的延长天数 (再次延长时)"},
        ),
    },
    form={"reason": ("延期理由", "Reason")},
)
def _extend(ctx: Ctx):
    """The decision deadline is extended only with a recorded approval, by the days the
    sector profile allows (市场监管 第六十四条; 住建 第二十九条)."""
    if (late := law_flags.decision_limit_refusal(ctx.session, ctx.case, today())) is not None:
        raise rules.Refusal(  # 不能在规定期限内作出决定的 is approved while the period runs
            "extension-after-limit",
            late.zh.replace("不得再作出行政处罚决定", "不能再批准延长"),
            late.en.replace("no penalty decision", "no extension approved"),
            late.article,
        )
    extension = deadlines.extend_decision(
        ctx.session, ctx.case, ctx.data["reason"], ctx.data.get("days")
    )
    return extension, []


@declare(
    "approve_departure",
    "批准突破裁量基准",
    "Approve departure",
    stages=rules.PENALTY_PROPOSED,
    statuses=("open",),
    role=HEAD,
    body={"reason": schemas.text(1000)},
)
def _approve_departure(ctx: Ctx):
    """The principal head approves a fine outside the discretion benchmark, on the
    written reason (国办发〔2022〕27号（十二）); a recorded collective discussion does too."""
    discretion = ctx.case.discretion or {}
    if not discretion.get("outside_range"):
        raise rules.Refusal(
            "within-benchmark",
            "拟处罚在裁量基准幅度内，无需批准突破。",
            "The proposed penalty is within the benchmark: there is nothing to approve.",
            DEPARTURE_ARTICLE,
        )
    approval = {
        "by": ctx.identity.username,
        "on": today().isoformat(),
        "reason": ctx.data["reason"],
        "fine_fen": ctx.case.proposed_fine_fen,
    }
    decision = ctx.case.decision_record()
    decision.departure_approved_by, decision.departure_approved_on = approval["by"], today()
    decision.departure_approval_reason = approval["reason"]
    decision.departure_fine_fen = approval["fine_fen"]
    return approval, []


DEPARTURE_ARTICLE = "国办发〔2022〕27号（十二）"


def departure_refusal(case: Case, fine: int | None) -> rules.Refusal | None:
    """国办发〔2022〕27号（十二）: a fine outside the benchmark range (where the law allows
    one) is decided only with the written reason and the principal head's approval or the
    heads' collective discussion, recorded before the decision."""
    low, high = (
        (case.discretion or {}).get("fine_min_fen"),
        (case.discretion or {}).get("fine_max_fen"),
    )
    if fine is None or low is None or high is None or low <= fine <= high:
        return None
    approved = case.decision.departure_fine_fen if case.decision is not None else None
    if approved is not None and fine <= approved:
        return None
    if (case.details.get("collective_discussion") or {}).get("conclusion"):
        return None
    return rules.Refusal(
        "departure-not-approved",
        f"罚款{fine / 100:.2f}元超出裁量基准幅度{low / 100:.2f}元至{high / 100:.2f}元，除书面说明理由外，须经本机关主要负责人批准或者集体讨论通过后才能作出决定。",
        f"A fine of {fine / 100:.2f} yuan is outside the benchmark range ({low / 100:.2f}–{high / 100:.2f}): besides the written reason it needs the principal head's approval or a collective discussion before the decision.",
        DEPARTURE_ARTICLE,
    )


# --- decision, service, execution -----------------------------------------------------


@declare(
    "decide",
    "作出处罚决定",
    "Decide",
    stages=("decision",),
    statuses=("open",),
    role=HEAD,
    body={"fine_fen": schemas.fen()},
    documents=("行政处罚决定书",),
)
def _decide(ctx: Ctx):
    """The decision (处罚法 第五十七条、第五十九条): never heavier than the notice because
    the party defended itself (第四十五条); within the discretion range or justified."""
    case = ctx.case
    fine = ctx.data.get("fine_fen", case.proposed_fine_fen)
    if fine is not None and case.proposed_fine_fen is not None and fine > case.proposed_fine_fen:
        raise rules.Refusal(
            "heavier-than-notified",
            "决定的罚款不得高于告知的拟处罚款(不得因当事人陈述申辩而加重处罚)。",
            "The fine may not exceed the one notified (no heavier penalty for defending oneself).",
            f"{PZ}第四十五条",
        )
    if (late := law_flags.decision_limit_refusal(ctx.session, case, today())) is not None:
        raise late  # 处罚法 第六十条 and the sector's extension rule
    if (unapproved := departure_refusal(case, fine)) is not None:
        raise unapproved
    case.fine_fen, case.decided_on = fine, today()
    ctx.set_date("decided", case.decided_on)
    record_decision(ctx, "penalty")
    _advance_with(ctx, "行政处罚决定书")
    return {"fine_fen": fine, "penalty_kinds": case.penalty_kinds}, [
        ("行政处罚决定书", {"fine_fen": fine})
    ]


def _advance_with(ctx: Ctx, kind: str) -> None:
    """Leave the stage whose document is being issued in this same action."""
    ctx.view = dataclasses.replace(ctx.view, documents=ctx.view.documents | {kind})
    _advance(ctx)


@declare(
    "serve_decision",
    "送达决定书",
    "Serve decision",
    stages=("service",),
    statuses=("open",),
    body={
        "method": ma.fields.String(
            required=True,
            validate=ma.validate.OneOf(("direct", "left", "electronic", "post", "public_notice")),
        ),
        "served_on": ma.fields.Date(),
        "consent_signed": ma.fields.Boolean(load_default=False),
        "witness": ma.fields.String(
            validate=ma.validate.Length(max=500),
            metadata={"description": "留置送达：拒收事由、见证人或拍照录像记录"},
        ),
        "published_on": ma.fields.Date(metadata={"description": "公告送达：公告发布日期"}),
        "untraceable": ma.fields.String(
            validate=ma.validate.Length(max=500),
            metadata={"description": "公告送达：受送达人下落不明或其他方式无法送达的情况"},
        ),
    },
    documents=("送达回证",),
    form={
        "served_on": ("决定书送达日期", "Decision served on"),
        "witness": (
            "留置送达：拒收事由及见证情况 (见证人或拍照录像)",
            "Left: the refusal and who witnessed it (or the recording)",
        ),
        "published_on": ("公告送达：公告发布日期", "Public notice: published on"),
        "untraceable": (
            "公告送达：无法以其他方式送达的情况",
            "Public notice: why no other way reaches the party",
        ),
    },
)
def _serve_decision(ctx: Ctx):
    """送达 (处罚法 第六十一条): electronic service only with the party's signed consent;
    service starts the payment (15 days), reconsideration (60 days) and litigation
    (6 months) periods."""
    method = ctx.data["method"]
    if method == "electronic" and not ctx.data.get("consent_signed"):
        raise rules.Refusal(
            "no-e-service-consent",
            "电子送达须经当事人同意并签订确认书。",
            "Electronic service needs the party's signed consent.",
            f"{PZ}第六十一条",
        )
    served, published = _served_on(ctx, method)
    law_flags.service_late(ctx.session, ctx.case, served)  # recorded, flagged (第六十一条)
    ctx.case.served_on = served
    ctx.case.services.append(
        CaseService(
            document="decision",
            method=method,
            served_on=served,
            published_on=published,
            recipient=_recipient(ctx),
            witness=(ctx.data.get("witness") or "").strip() if method == "left" else "",
            untraceable=(ctx.data.get("untraceable") or "").strip()
            if method == "public_notice"
            else "",
        )
    )
    for key, value in deadlines.after_service(ctx.session, ctx.case, served).items():
        ctx.set_date(key, value)
    _advance_with(ctx, "送达回证")
    if not ctx.case.fine_fen:  # a warning or a non-monetary penalty: nothing to collect
        ctx.case.details.setdefault("execution", {})["done"] = "no-payment-due"
    return {"method": method, "served_on": served.isoformat()}, [("送达回证", {"method": method})]


def _served_on(ctx: Ctx, method: str) -> tuple[dt.date, dt.date | None]:
    """When the decision counts as served, which starts every later period: left at the
    address only with the refusal witnessed or recorded (民事诉讼法 第八十九条); by public
    notice only where no other way reaches the party, served 30 days after publication
    (第九十五条) — the party's periods run from then, not from the notice."""
    if method == "left" and len((ctx.data.get("witness") or "").strip()) < 2:
        raise Invalid(
            "witness-required",
            "留置送达须注明拒收事由和日期，并有见证人签名或者以拍照、录像等方式记录 (《民事诉讼法》第八十九条)。",
            "Leaving the decision needs the refusal witnessed or photographed/recorded (Civil Procedure Law art. 89).",
            fields=[
                FieldProblem(
                    "witness", "请填写见证情况。", "Say who witnessed or how it was recorded."
                )
            ],
        )
    if method != "public_notice":
        return ctx.data.get("served_on") or today(), None
    if len((ctx.data.get("untraceable") or "").strip()) < 2:
        raise Invalid(
            "untraceable-required",
            "公告送达仅适用于受送达人下落不明或者用其他方式无法送达的情形，须写明情况 (《民事诉讼法》第九十五条)。",
            "Public notice is only for a party who cannot be found or reached otherwise: say why (Civil Procedure Law art. 95).",
            fields=[
                FieldProblem("untraceable", "请写明无法送达的情况。", "Say why no other way works.")
            ],
        )
    published = ctx.data.get("published_on") or today()
    if published > today():
        raise rules.Refusal(
            "future-date", "日期不能晚于今天。", "The date cannot be in the future."
        )
    due = law.due(law.rule("public_notice_service"), published, working_calendar(ctx.session))
    if due.on is None:
        raise rules.Refusal("calendar-not-loaded", due.reason_zh, due.reason_en, due.rule.article)
    return due.on, published


def _recipient(ctx: Ctx) -> str:
    """受送达人: the one named, else the case's party (its first, where there are several)."""
    named = (ctx.data.get("recipient") or "").strip()
    return named or (ctx.case.parties[0].name if ctx.case.parties else "")


DECISION_DOCUMENT = "行政处罚决定书"


def record_decision(ctx: Ctx, outcome: str, legal_basis: str | None = None) -> None:
    """The decision's typed record (处罚法 第五十九条): what was decided, on what basis,
    under which benchmark and with what reason for departing from it (国办发〔2022〕27号)."""
    case, decision = ctx.case, ctx.case.decision_record()
    assessment = case.discretion or {}
    if legal_basis is None:
        matter = service.matter_of(ctx.session, case)
        legal_basis = assessment.get("penalty_basis") or (matter.legal_basis if matter else "")
    decision.outcome, decision.decided_on = outcome, case.decided_on
    decision.penalty_kinds = list(case.penalty_kinds or [])
    decision.fine_fen, decision.confiscation_fen = case.fine_fen, case.confiscation_fen
    decision.legal_basis = legal_basis or ""
    decision.benchmark_tier = assessment.get("tier_name") or ""
    decision.benchmark_min_fen = assessment.get("fine_min_fen")
    decision.benchmark_max_fen = assessment.get("fine_max_fen")
    decision.outside_benchmark = bool(assessment.get("outside_range"))
    decision.departure_reason = assessment.get("justification") or ""


@declare(
    "extend_lead_check",
    "延长核查期限",
    "Extend lead check",
    stages=("filing",),
    statuses=("draft",),
    role=HEAD,
    body={"reason": schemas.text(500)},
    form={"reason": ("延长理由", "Reason")},
)
def _extend_lead_check(ctx: Ctx):
    """The head extends the period to check a lead and decide on filing, once, by the
    sector's days (市场监管 第十八条: +15 working days; 住建 第十五条: +10)."""
    sector = law.profile(ctx.case.sector)
    if not sector.lead_check_extension_days:
        raise rules.Refusal(
            "no-lead-check-extension",
            f"{sector.name_zh}的核查期限不能延长。",
            f"The {sector.name_en} rules allow no extension of the lead check.",
            sector.lead_check_article,
        )
    if ctx.case.details.get("lead_check_extended"):
        raise rules.Refusal(
            "lead-check-extended",
            "核查期限已经延长过一次。",
            "The lead check was already extended once.",
            sector.lead_check_article,
        )
    ctx.case.details["lead_check_extended"] = {
        "days": sector.lead_check_extension_days,
        "reason": ctx.data["reason"],
        "by": ctx.identity.username,
    }
    deadlines.refresh(ctx.session, ctx.case)
    return {"days": sector.lead_check_extension_days, "reason": ctx.data["reason"]}, []


@declare(
    "pause_clock",
    "中止计算办案期限",
    "Pause clock",
    stages=rules.BEFORE_DECISION,
    statuses=("open",),
    role=HEAD,
    body={
        "kind": ma.fields.String(required=True, validate=ma.validate.OneOf(schemas.CLOCK_PAUSES)),
        "reason": schemas.text(500),
        "started_on": ma.fields.Date(),
    },
    form={
        "kind": ("中止事由类别", "Why the clock stops"),
        "reason": ("中止理由", "Reason"),
        "started_on": ("中止日期", "Stopped on"),
    },
    choices={"kind": "clock_pause"},
)
def _pause_clock(ctx: Ctx):
    """The case's clock stops: the investigation suspended (中止调查) or a public notice
    running. Where the sector excludes such time from the decision deadline (市场监管
    第六十四条) the deadline waits; a suspended case does nothing but resume."""
    kind, on = ctx.data["kind"], ctx.data.get("started_on") or today()
    if any(p.reason == kind and p.ended_on is None for p in ctx.case.pauses):
        raise rules.Refusal("clock-paused", "该期间已在中止中。", "This period is already running.")
    deadlines.pause(ctx.case, kind, on, note=ctx.data["reason"])
    if kind == "suspension":
        ctx.case.details["suspended"] = {"since": on.isoformat(), "reason": ctx.data["reason"]}
    return {"kind": kind, "started_on": on.isoformat(), "reason": ctx.data["reason"]}, []


@declare(
    "resume_clock",
    "恢复计算办案期限",
    "Resume clock",
    stages=rules.BEFORE_DECISION,
    statuses=("open",),
    role=HEAD,
    body={
        "kind": ma.fields.String(required=True, validate=ma.validate.OneOf(schemas.CLOCK_PAUSES)),
        "ended_on": ma.fields.Date(),
    },
    form={"kind": ("恢复的期间", "Which period resumes"), "ended_on": ("恢复日期", "Resumed on")},
    choices={"kind": "clock_pause"},
    while_suspended=True,
)
def _resume_clock(ctx: Ctx):
    kind, on = ctx.data["kind"], ctx.data.get("ended_on") or today()
    running = [p for p in ctx.case.pauses if p.reason == kind and p.ended_on is None]
    if not running:
        raise rules.Refusal("clock-running", "没有中止中的该项期间。", "Nothing to resume.")
    if on < running[0].started_on:
        raise rules.Refusal(
            "resume-before-pause", "恢复日期早于中止日期。", "Resumed before it stopped."
        )
    deadlines.resume(ctx.case, kind, on)
    if kind == "suspension":
        ctx.case.details.pop("suspended", None)
    return {"kind": kind, "ended_on": on.isoformat()}, []


@declare(
    "approve_closure",
    "批准结案",
    "Approve closure",
    stages=("closure",),
    statuses=("open", "transferred"),
    role=HEAD,
    body={},
    documents=("结案审批表",),
)
def _close(ctx: Ctx):
    ctx.case.status, ctx.case.closed_on = CaseStatus.CLOSED.value, today()
    _advance_with(ctx, "结案审批表")
    return {"closed_on": today().isoformat()}, [("结案审批表", {})]


@declare(
    "archive",
    "归档",
    "Archive",
    stages=("archive", "filing_record"),  # general, simple
    statuses=("closed",),
    body={},
)
def _archive(ctx: Ctx):
    ctx.case.status = CaseStatus.ARCHIVED.value
    return {"archived_on": today().isoformat()}, []
