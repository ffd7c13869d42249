"""The outcomes of an investigation other than a penalty (处罚法 第五十七条第一款第(二)
至(四)项), and the facts of 第三十三条 that decide whether a penalty may be given at all.

The path: the officers record the facts (corrected in time, the harm, a first violation,
no fault shown by evidence) while the case is investigated or heard; they reach every
discretion assessment (deadlines.assess). After the investigation the head chooses the
outcome (第五十七条第一款); an outcome without a penalty leaves out the prior notice, the
statement and the hearing (第四十四条 notifies an intended *penalty*), keeps legal review
and collective discussion where their conditions hold, and ends in a 不予行政处罚决定书
that is served, or in a transfer to the judicial organs; then closure and archive.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import marshmallow as ma
from sqlalchemy import or_, select

from yimen.platform.cases import schemas
from yimen.platform.cases.discretion.terms import CIRCUMSTANCES, HARM
from yimen.platform.cases.documents import issuing as documents
from yimen.platform.cases.documents.context import zh_date
from yimen.platform.cases.law import applied as deadlines
from yimen.platform.cases.procedure import rules
from yimen.platform.cases.procedure.declaring import declare
from yimen.platform.cases.procedure.general import (
    HEAD,
    Ctx,
    _advance,
    _advance_with,
    record_decision,
)
from yimen.platform.cases.record.model import Case, CaseParty, CaseStatus
from yimen.platform.cases.service import today
from yimen.platform.kernel.db.agency_scope import all_agencies

PZ = rules.PZ
NO_PENALTY_DECISION = "不予行政处罚决定书"
GROUNDS = {  # 第三十三条's grounds as the decision states them
    "minor": ("你（单位）的违法行为轻微并及时改正，没有造成危害后果", "第三十三条第一款"),
    "first": ("你（单位）初次违法，危害后果轻微并及时改正", "第三十三条第一款"),
    "no_fault": ("你（单位）有证据足以证明没有主观过错", "第三十三条第二款"),
}


def _view(ctx: Ctx) -> rules.CaseView:
    return dataclasses.replace(ctx.view, details=ctx.case.stage_facts())


def _not_future(on: dt.date, what: str, article: str) -> None:
    if on > today():
        raise rules.Refusal(
            "date-in-future", f"{what}不能晚于今天。", f"{what}: not after today.", article
        )


# --- the facts of 第三十三条 ----------------------------------------------------------


@declare(
    "record_no_penalty_facts",
    "记录改正、危害后果与过错情况",
    "Record no penalty facts",
    stages=rules.FACT_FINDING,
    statuses=("open",),
    body={
        "circumstance": ma.fields.String(validate=ma.validate.OneOf(tuple(CIRCUMSTANCES))),
        "corrected": ma.fields.Boolean(
            load_default=False, metadata={"description": "当事人已及时改正"}
        ),
        "corrected_on": ma.fields.Date(),
        "harm": ma.fields.String(
            validate=ma.validate.OneOf(HARM),
            metadata={"description": "none 没有危害后果 / slight 轻微 / harmful 有危害后果"},
        ),
        "first_violation": ma.fields.Boolean(load_default=False),
        "no_fault": ma.fields.Boolean(
            load_default=False, metadata={"description": "当事人有证据足以证明没有主观过错"}
        ),
        "no_fault_evidence": ma.fields.List(
            ma.fields.String(validate=ma.validate.Length(min=1, max=200)),
            validate=ma.validate.Length(max=20),
            metadata={"description": "证明没有主观过错的证据 (本案证据的编号或名称)"},
        ),
        "no_fault_excluded_by": ma.fields.String(
            validate=ma.validate.Length(max=200),
            metadata={"description": "另有规定的法律、行政法规条文 (第三十三条第二款但书)"},
        ),
    },
    form={"circumstance": ("违法情节", "Circumstances")},
)
def _record_facts(ctx: Ctx):
    """The facts 处罚法 第三十三条 turns on: corrected in time, the harm, a first violation
    (no earlier penalty on the party in the district), no subjective fault proved by the
    case's evidence. Recorded, they reach the discretion assessment of every proposal."""
    data = ctx.data
    if data.get("corrected_on"):
        _not_future(data["corrected_on"], "改正日期", f"{PZ}第三十三条")
    evidence = _evidence_ids(ctx, data.get("no_fault_evidence") or [])
    if data["no_fault"] and not evidence:
        raise rules.Refusal(
            "no-fault-evidence-required",
            "没有主观过错须有当事人足以证明的证据，请选择本案已收集的证据。",
            "No fault must be proved: name the case's evidence that proves it.",
            f"{PZ}第三十三条第二款",
        )
    if data["first_violation"] and (earlier := _earlier_penalties(ctx)):
        raise rules.Refusal(
            "not-first-violation",
            f"当事人此前已受过行政处罚（{'、'.join(earlier)}），不属于初次违法。",
            "The party was penalised before: not a first violation.",
            f"{PZ}第三十三条第一款",
        )
    record = {
        "circumstance": data.get("circumstance"),
        "corrected": data["corrected"],
        "corrected_on": data["corrected_on"].isoformat() if data.get("corrected_on") else None,
        "harm": data.get("harm"),
        "first_violation": data["first_violation"],
        "no_fault": data["no_fault"],
        "no_fault_evidence": evidence if data["no_fault"] else [],
        "no_fault_excluded_by": data.get("no_fault_excluded_by", ""),
        "by": ctx.identity.username,
    }
    ctx.case.details[rules.NO_PENALTY_FACTS] = record
    kind, ground = rules.no_penalty_of(_view(ctx))
    return {**record, "no_penalty": kind, "ground": ground}, []


def _evidence_ids(ctx: Ctx, refs: list[str]) -> list[str]:
    """The case's evidence named by id or title; a name that is not the case's is refused."""
    items = ctx.case.details.get("investigation", {}).get("evidence", [])
    found, unknown = [], []
    for ref in refs:
        item = next((i for i in items if ref.strip() in (i["id"], i["title"])), None)
        if item is None:
            unknown.append(ref)
        else:
            found.append(item["id"])
    if unknown:
        raise rules.Refusal(
            "unknown-evidence",
            f"本案没有这些证据：{'、'.join(unknown)}。",
            f"Not evidence of this case: {', '.join(unknown)}.",
            f"{PZ}第四十六条",
        )
    return list(dict.fromkeys(found))


def _earlier_penalties(ctx: Ctx) -> list[str]:
    """Numbers of the district's earlier cases that penalised one of this case's parties
    (same credit code or ID number), not revoked (处罚法 第三十三条第一款: 初次违法且危害后果轻微并及时改正)."""
    codes = {p.credit_code for p in ctx.case.parties if p.credit_code}
    ids = {p.id_number for p in ctx.case.parties if p.id_number}
    if not codes and not ids:
        return []
    same = [CaseParty.credit_code.in_(codes)] if codes else []
    same += [CaseParty.id_number.in_(ids)] if ids else []
    query = (
        select(Case.id, Case.number, Case.penalty_kinds, Case.details)
        .join(CaseParty, CaseParty.case_id == Case.id)
        .where(Case.id != ctx.case.id, Case.decided_on.is_not(None), or_(*same))
    )
    # The district's cases, whichever agency decided them; read as values (no other
    # agency's case enters the session as a record).
    with all_agencies():
        earlier = ctx.session.execute(query).all()
    return sorted(
        {
            number or str(case_id)
            for case_id, number, penalty_kinds, details in earlier
            if penalty_kinds
            and ((details or {}).get("execution") or {}).get("done") != "revoked"
            and ((details or {}).get("outcome") or {}).get("kind", "penalty") == "penalty"
        }
    )


# --- the head's choice after the investigation ---------------------------------------


@declare(
    "choose_outcome",
    "审查调查结果，确定处理意见",
    "Choose outcome",
    stages=("correction_order", "prior_notice", "statement", "hearing"),
    statuses=("open",),
    role=HEAD,
    body={
        "outcome": ma.fields.String(
            required=True, validate=ma.validate.OneOf(tuple(rules.OUTCOMES))
        ),
        "reason": schemas.text(2000),
    },
    form={"outcome": ("处理意见", "Outcome"), "reason": ("审查意见及理由", "Findings and reasons")},
    choices={"outcome": "case_outcome"},
)
def _choose_outcome(ctx: Ctx):
    """处罚法 第五十七条第一款: the head reviews the investigation's results and decides
    which way the case goes. No penalty needs a ground of 第三十三条 among the recorded
    facts; a penalty is refused where they say 不予行政处罚. Until the case leaves the
    stages before a decision the choice may be changed."""
    outcome, reason = ctx.data["outcome"], ctx.data["reason"]
    kind, ground = rules.no_penalty_of(_view(ctx))
    if outcome == "no_penalty" and kind is None:
        raise rules.Refusal(
            "no-penalty-ground-required",
            "记录的情节不属于依法可以不予行政处罚的情形（及时改正且没有危害后果、初次违法且危害后果轻微并及时改正、有证据证明没有主观过错）。",
            "None of Article 33's grounds is recorded: no outcome without a penalty on that basis.",
            f"{PZ}第三十三条、第五十七条第一款第(二)项",
        )
    if outcome == "penalty" and kind == "mandatory":
        raise rules.Refusal(
            "no-penalty-mandatory",
            "本案已记录的情节属于应当不予行政处罚的情形，不能给予行政处罚。",
            "The recorded facts make a penalty unlawful.",
            rules.article_33(ground),
        )
    article = rules.OUTCOMES[outcome][1]
    if outcome == "no_penalty":
        article = f"{PZ}{GROUNDS[ground][1]}、第五十七条第一款第(二)项"
    record = {
        "kind": outcome,
        "ground": ground if outcome == "no_penalty" else None,
        "reason": reason,
        "text": f"拟{rules.OUTCOMES[outcome][0]}（{article}）",
        "article": article,
        "by": ctx.identity.username,
        "on": today().isoformat(),
    }
    ctx.case.details["outcome"] = record
    if outcome != "penalty":  # a hearing asked for does not hold up the decision now
        deadlines.resume(ctx.case, "hearing", today())
    return record, []


@declare(
    "educate_party",
    "对当事人进行教育",
    "Educate party",
    stages=rules.AFTER_INVESTIGATION,
    statuses=("open",),
    body={"content": schemas.text(2000), "educated_on": ma.fields.Date()},
    form={"content": ("教育内容", "What the party was told")},
)
def _educate(ctx: Ctx):
    """对当事人进行教育 (处罚法 第三十三条第三款): required before a decision not to
    penalise on a ground of 第三十三条; the decision states it."""
    on = ctx.data.get("educated_on") or today()
    _not_future(on, "教育日期", f"{PZ}第三十三条第三款")
    record = {
        "content": ctx.data["content"],
        "educated_on": on.isoformat(),
        "by": ctx.identity.username,
    }
    ctx.case.details.setdefault("education", []).append(record)
    return record, []


# --- the decisions ---------------------------------------------------------------------


@declare(
    "decide_no_penalty",
    "作出不予行政处罚决定",
    "Decide no penalty",
    stages=("decision",),
    statuses=("open",),
    role=HEAD,
    body={},
    documents=("不予行政处罚决定书",),
)
def _decide_no_penalty(ctx: Ctx):
    """不予行政处罚决定 (处罚法 第五十七条第一款第(二)项 on a ground of 第三十三条, with
    the party educated; 第(三)项 where the facts are not established), then served
    (第六十一条)."""
    case, outcome = ctx.case, ctx.case.details["outcome"]
    education = case.details.get("education") or []
    if outcome["kind"] == "no_penalty":
        kind, ground = rules.no_penalty_of(_view(ctx))
        if kind is None:
            raise rules.Refusal(
                "no-penalty-ground-required",
                "记录的情节已不属于依法可以不予行政处罚的情形。",
                "Article 33's ground is no longer recorded.",
                f"{PZ}第三十三条",
            )
        if not education:
            raise rules.Refusal(
                "education-required",
                "依法不予行政处罚的，应当对当事人进行教育；请先记录教育情况。",
                "A party not penalised must be educated: record it first.",
                f"{PZ}第三十三条第三款",
            )
        ground_text, basis = (
            GROUNDS[ground][0],
            f"{PZ}{GROUNDS[ground][1]}、第五十七条第一款第(二)项",
        )
    else:
        ground_text = "违法事实不能成立"
        basis = f"{PZ}第四十条、第五十七条第一款第(三)项"
    case.decided_on, case.fine_fen, case.penalty_kinds = today(), None, []
    ctx.set_date("decided", case.decided_on)
    context = {
        "outcome": outcome["kind"],
        "reason": outcome["reason"].rstrip("。"),
        "ground_text": ground_text,
        "basis": basis.replace(PZ, "《中华人民共和国行政处罚法》"),
        "education": education[-1]["content"].rstrip("。")
        if outcome["kind"] == "no_penalty"
        else "",
        "education_on_zh": zh_date(education[-1]["educated_on"]) if education else "",
    }
    document = documents.issue(
        ctx.session, case, NO_PENALTY_DECISION, context, ctx.identity.username
    )
    record_decision(ctx, outcome["kind"], legal_basis=basis)
    case.decision_record().number = document.number  # the typed record keeps the number
    outcome.update(
        summary=f"不予行政处罚（{document.number}）",
        execution="不予行政处罚，无须执行",
    )
    _advance_with(ctx, NO_PENALTY_DECISION)
    return {
        "outcome": outcome["kind"],
        "basis": basis,
        "documents": [documents.entry(document)],
    }, []


@declare(
    "decide_transfer",
    "移送司法机关",
    "Decide transfer",
    stages=("decision",),
    statuses=("open",),
    role=HEAD,
    body={
        "organ": schemas.text(200, metadata={"description": "接收移送的司法机关"}),
        "transferred_on": ma.fields.Date(),
    },
)
def _decide_transfer(ctx: Ctx):
    """违法行为涉嫌犯罪的，移送司法机关 (处罚法 第二十七条、第五十七条第一款第(四)项): the
    receiving organ and the date are recorded and the case is 已移送; the transfer's
    materials and the organ's answer (国务院令第310号) are not handled here yet."""
    on = ctx.data.get("transferred_on") or today()
    _not_future(on, "移送日期", f"{PZ}第五十七条第一款第(四)项")
    record = {"organ": ctx.data["organ"], "transferred_on": on.isoformat()}
    ctx.case.details["transfer"] = {**record, "by": ctx.identity.username}
    ctx.case.details["outcome"].update(
        summary=f"移送{record['organ']}（{zh_date(on)}）",
        execution="涉嫌犯罪，已移送司法机关",
    )
    _advance(ctx)  # to closure: nothing to serve or execute
    ctx.case.status = CaseStatus.TRANSFERRED.value
    return record, []
