"""What each action of the general procedure does, once the rules allow it.

`act` is the one write path: check the stage (rules.check_where), the role, the action's
own conditions; apply it; append the event; issue the documents; recompute deadlines;
commit. Handlers return the event payload and the documents to issue.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from yimen.platform.api.problems import FieldError, Problem
from yimen.platform.cases import service
from yimen.platform.cases.documents import issuing as documents
from yimen.platform.cases.law import applied as deadlines
from yimen.platform.cases.law import entered_dates
from yimen.platform.cases.law import flags as law_flags
from yimen.platform.cases.law import periods as law
from yimen.platform.cases.procedure import rules
from yimen.platform.cases.record import log as events
from yimen.platform.cases.record.model import Case, CaseStatus
from yimen.platform.cases.service import (
    _check_version,
    _commit,
    definition_of,
    refusal,
    today,
    view_of,
)
from yimen.platform.kernel.directory import Officer
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

    @property
    def facts(self) -> dict:
        return self.case.details.setdefault(self.case.stage, {})

    def date(self, key: str) -> dt.date | None:
        return self.view.dates.get(key)

    def set_date(self, key: str, value: dt.date | None) -> None:
        self.case.details.setdefault("dates", {})[key] = value.isoformat() if value else None


Handler = Callable[[Ctx], tuple[dict, list[tuple[str, dict]]]]
HANDLERS: dict[str, Handler] = {}
# Actions that need a role beyond cases.handle.
ROLE: dict[str, tuple[str, str, str]] = {}


def action(name: str, role: tuple[str, str, str] | None = None):
    def register(fn: Handler) -> Handler:
        HANDLERS[name] = fn
        if role:
            ROLE[name] = role
        return fn

    return register


HEAD = ("agency_head", "须由行政机关负责人批准。", "Needs the agency head's approval.")
REVIEWER = ("legal_reviewer", "须由法制审核人员办理。", "Needs a legal reviewer.")


def act(
    session: Session,
    case: Case,
    name: str,
    data: dict,
    identity: Identity,
    version: int | None = None,
) -> Case:
    if name not in HANDLERS:
        raise Problem(404, "unknown-action", "没有这个办案操作。", f"No action named {name}.")
    client_id = data.pop("client_id", None)
    if client_id and (done := events.find_by_client_id(session, client_id)) is not None:
        if done.case_id == case.id and done.kind == name:
            return case  # a record synced again from the mobile app: already in the chain
        raise Problem(
            409,
            "client-id-reused",
            "该离线记录编号已用于其他操作。",
            "This offline record id was already used for another action.",
        )
    _check_version(case, version)
    try:
        return _act(session, case, name, data, identity, client_id)
    except StaleDataError as exc:
        session.rollback()
        raise Problem(
            409,
            "concurrent-change",
            "案件刚被他人处理，请刷新后重试。",
            "Someone else just acted on this case; reload and retry.",
        ) from exc


def _act(session, case, name, data, identity, client_id) -> Case:
    deadlines.fill_dates(session, case)  # a period whose year has been loaded since
    view = view_of(session, case, documents.issued_kinds(session, case.id))
    definition = definition_of(session, case)
    stage = case.stage
    try:
        rules.check_where(name, view)
        if name in ROLE and ROLE[name][0] not in identity.roles:
            raise rules.Refusal(f"role:{ROLE[name][0]}", ROLE[name][1], ROLE[name][2])
        _check_entered_dates(session, case, name, data)
        reviewer_may_not_investigate(session, case, name, identity)
        ctx = Ctx(session, case, data, identity, view, definition)
        payload, to_issue = HANDLERS[name](ctx)
    except rules.Refusal as exc:
        session.rollback()
        raise refusal(exc) from exc
    for kind, context in to_issue:
        document = documents.issue(session, case, kind, context, identity.username)
        payload.setdefault("documents", []).append(
            {"kind": kind, "number": document.number, "sha256": document.sha256}
        )
    flag_modified(case, "details")
    events.append(session, case, name, stage, identity.username, payload, client_id)
    deadlines.refresh(session, case)
    law_flags.sweep(session, case)
    return _commit(session, case)


def _check_entered_dates(session: Session, case: Case, name: str, data: dict) -> None:
    """The dates the body enters, against the record and today (entered_dates.py),
    before the handler runs: a refusal is a 422 naming the field, the bound, the article."""
    refused = entered_dates.check(
        name,
        data,
        entered_dates.record_of(case, data),
        dt.datetime.now(dt.UTC),
        lambda: working_calendar(session),
    )
    if refused is None:
        return
    article = f" ({refused.article})" if refused.article else ""
    raise Problem(
        422,
        refused.code,
        refused.zh + article,
        refused.en + article,
        errors=[FieldError(refused.field, refused.zh + article, refused.en + article)],
        extra={"rule": refused.code, "article": refused.article, "bound": refused.bound},
    )


def _advance(ctx: Ctx) -> None:
    """Leave the current stage for the next one the case goes through."""
    rules.check_complete(ctx.definition, ctx.view)
    following = rules.next_stage(ctx.definition, ctx.view)
    if following is None:
        raise rules.Refusal("no-next-stage", "已是最后一个环节。", "This is the last stage.")
    ctx.case.stage = following
    ctx.set_date(f"entered_{following}", today())  # a stage's own clock (法制审核) runs from here


@action("advance")
def _finish_stage(ctx: Ctx):
    before = ctx.case.stage
    _advance(ctx)
    return {"from": before, "to": ctx.case.stage}, []


@action("approve_filing", HEAD)
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


@action("decline_filing", HEAD)
def _decline_filing(ctx: Ctx):
    ctx.case.status = CaseStatus.NOT_FILED.value
    ctx.facts["declined"] = ctx.data["reason"]
    return {"reason": ctx.data["reason"]}, [("不予立案决定书", {"reason": ctx.data["reason"]})]


@action("add_evidence")
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


@action("add_record")
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


@action("recuse_officer", HEAD)
def _recuse(ctx: Ctx):
    """回避: decided by the agency head; the investigation goes on (处罚法 第四十三条)."""
    officer_id = uuid.UUID(str(ctx.data["officer_id"]))
    for co in ctx.case.officers:
        if co.officer_id == officer_id:
            co.recused, co.recusal_reason = True, ctx.data["reason"]
            co.recusal_decided_by = ctx.identity.username
            return {"officer_id": str(officer_id), "reason": ctx.data["reason"]}, []
    raise rules.Refusal("not-on-case", "该人员不是本案承办人员。", "Not an officer of this case.")


# --- order to correct, prior notice, statement ----------------------------------------


@action("order_correction")
def _order_correction(ctx: Ctx):
    """责令改正 (处罚法 第二十八条) with a time limit."""
    ctx.facts.update({"ordered": True, "content": ctx.data["content"]})
    return {"content": ctx.data["content"]}, [("责令改正通知书", dict(ctx.data))]


@action("correction_not_required")
def _correction_not_required(ctx: Ctx):
    ctx.facts["not_required"] = ctx.data["reason"]
    return {"reason": ctx.data["reason"]}, []


@action("propose_penalty")
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


@action("serve_prior_notice")
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
    ctx.facts["served_on"] = served.isoformat()
    ctx.set_date("prior_notice_served", served)
    ctx.set_date("statement_due", deadlines.statement_due(ctx.session, ctx.case, served))
    to_issue = [("行政处罚事先告知书", {"hearing_right": ctx.facts.get("hearing_right")})]
    _advance_with(ctx, "行政处罚事先告知书")
    return {"served_on": served.isoformat()}, to_issue


@action("record_statement")
def _statement(ctx: Ctx):
    """陈述申辩 and its 复核 (处罚法 第四十五条): no heavier penalty because of it."""
    ctx.facts.update(
        {"statement": ctx.data["statement"], "reexamination": ctx.data.get("reexamination", "")}
    )
    return {
        "statement": ctx.data["statement"],
        "reexamination": ctx.data.get("reexamination", ""),
    }, []


@action("waive")
def _waive(ctx: Ctx):
    """The party expressly gives up statement, defence and hearing (第六十二条)."""
    ctx.facts["waived"] = True
    return {"waived": True, "signed_by": ctx.data["signed_by"]}, []


@action("request_hearing")
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


@action("schedule_hearing")
def _schedule_hearing(ctx: Ctx):
    """Notice at least 7 working days before the hearing; the presider is not one of the
    case's investigators (处罚法 第六十四条第(二)(四)项)."""
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
            "noticed_on": noticed_on.isoformat(),
            "presider_id": str(presider),
            "public": ctx.data.get("public", True),
            "place": ctx.data["place"],
        }
    )
    ctx.set_date("hearing_on", hearing_on)
    return dict(ctx.facts), [("听证通知书", dict(ctx.facts))]


@action("record_hearing")
def _record_hearing(ctx: Ctx):
    """The hearing held (transcript) or the party absent without reason = waiver
    (处罚法 第六十四条第(六)至(八)项)."""
    if "hearing_on" not in ctx.facts:
        raise rules.Refusal("hearing-not-scheduled", "尚未安排听证。", "No hearing scheduled.")
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
        ctx.facts.update({"held": True, "transcript": ctx.data["transcript"]})
    deadlines.resume(ctx.case, "hearing", held_on)
    kinds = (
        [] if ctx.data.get("no_show") else [("听证笔录", {"transcript": ctx.data["transcript"]})]
    )
    return {"held": not ctx.data.get("no_show")}, kinds


@action("legal_review", REVIEWER)
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
    kinds = [("法制审核意见书", {"opinion": ctx.data["opinion"]})] if result == "passed" else []
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
        raise Problem(
            422,
            "reviewer-required",
            "法制审核须由本机关在职的法制审核人员办理：请以该人员身份登录，或填写审核人员。",
            "Legal review is done by an active legal reviewer: sign in as that officer or name them.",
            errors=[
                FieldError(
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


@action("record_discussion", HEAD)
def _discussion(ctx: Ctx):
    ctx.facts.update({"minutes": ctx.data["minutes"], "conclusion": ctx.data["conclusion"]})
    return {"conclusion": ctx.data["conclusion"]}, [("集体讨论记录", dict(ctx.data))]


@action("extend_deadline", HEAD)
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


@action("approve_departure", HEAD)
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
    ctx.case.details["departure_approval"] = approval
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
    approved = (case.details.get("departure_approval") or {}).get("fine_fen")
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


@action("decide", HEAD)
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
    _advance_with(ctx, "行政处罚决定书")
    return {"fine_fen": fine, "penalty_kinds": case.penalty_kinds}, [
        ("行政处罚决定书", {"fine_fen": fine})
    ]


def _advance_with(ctx: Ctx, kind: str) -> None:
    """Leave the stage whose document is being issued in this same action."""
    ctx.view = dataclasses.replace(ctx.view, documents=ctx.view.documents | {kind})
    _advance(ctx)


@action("serve_decision")
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
    served = _served_on(ctx, method)
    law_flags.service_late(ctx.session, ctx.case, served)  # recorded, flagged (第六十一条)
    ctx.case.served_on = served
    ctx.facts.update({"method": method, "served_on": served.isoformat()})
    for key, value in deadlines.after_service(ctx.session, ctx.case, served).items():
        ctx.set_date(key, value)
    _advance_with(ctx, "送达回证")
    if not ctx.case.fine_fen:  # a warning or a non-monetary penalty: nothing to collect
        ctx.case.details.setdefault("execution", {})["done"] = "no-payment-due"
    return {"method": method, "served_on": served.isoformat()}, [("送达回证", {"method": method})]


def _served_on(ctx: Ctx, method: str) -> dt.date:
    """When the decision counts as served, which starts every later period: left at the
    address only with the refusal witnessed or recorded (民事诉讼法 第八十九条); by public
    notice only where no other way reaches the party, served 30 days after publication
    (第九十五条) — the party's periods run from then, not from the notice."""
    if method == "left" and len((ctx.data.get("witness") or "").strip()) < 2:
        raise Problem(
            422,
            "witness-required",
            "留置送达须注明拒收事由和日期，并有见证人签名或者以拍照、录像等方式记录 (《民事诉讼法》第八十九条)。",
            "Leaving the decision needs the refusal witnessed or photographed/recorded (Civil Procedure Law art. 89).",
            errors=[
                FieldError(
                    "witness", "请填写见证情况。", "Say who witnessed or how it was recorded."
                )
            ],
        )
    if method != "public_notice":
        return ctx.data.get("served_on") or today()
    if len((ctx.data.get("untraceable") or "").strip()) < 2:
        raise Problem(
            422,
            "untraceable-required",
            "公告送达仅适用于受送达人下落不明或者用其他方式无法送达的情形，须写明情况 (《民事诉讼法》第九十五条)。",
            "Public notice is only for a party who cannot be found or reached otherwise: say why (Civil Procedure Law art. 95).",
            errors=[
                FieldError("untraceable", "请写明无法送达的情况。", "Say why no other way works.")
            ],
        )
    published = ctx.data.get("published_on") or today()
    if published > today():
        raise rules.Refusal(
            "future-date", "日期不能晚于今天。", "The date cannot be in the future."
        )
    ctx.facts["published_on"] = published.isoformat()
    due = law.due(law.rule("public_notice_service"), published, working_calendar(ctx.session))
    if due.on is None:
        raise rules.Refusal("calendar-not-loaded", due.reason_zh, due.reason_en, due.rule.article)
    return due.on


@action("extend_lead_check", HEAD)
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


@action("pause_clock", HEAD)
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


@action("resume_clock", HEAD)
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


@action("approve_closure", HEAD)
def _close(ctx: Ctx):
    ctx.case.status, ctx.case.closed_on = CaseStatus.CLOSED.value, today()
    _advance_with(ctx, "结案审批表")
    return {"closed_on": today().isoformat()}, [("结案审批表", {})]


@action("archive")
def _archive(ctx: Ctx):
    ctx.case.status = CaseStatus.ARCHIVED.value
    return {"archived_on": today().isoformat()}, []


# The handlers of the simple procedure, compulsory measures and execution register
# themselves on import (kept apart by meaning; `act` is the one write path for all).
from yimen.platform.cases.execution import actions as actions_execution  # noqa: E402, F401
from yimen.platform.cases.measures import compulsory as actions_measures  # noqa: E402, F401
from yimen.platform.cases.measures import preservation as actions_preservation  # noqa: E402, F401
from yimen.platform.cases.procedure import outcomes as actions_outcomes  # noqa: E402, F401
from yimen.platform.cases.procedure import simple as actions_simple  # noqa: E402, F401
