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

import marshmallow as ma

from yimen.platform.cases import schemas
from yimen.platform.cases.law import applied as deadlines
from yimen.platform.cases.law import flags as law_flags
from yimen.platform.cases.procedure import rules
from yimen.platform.cases.procedure.declaring import declare
from yimen.platform.cases.procedure.general import HEAD, Ctx
from yimen.platform.cases.record.model import CasePause
from yimen.platform.cases.record.typed import CaseMeasure
from yimen.platform.cases.service import today
from yimen.platform.kernel.errors import FieldProblem, Invalid

QZ = rules.QZ
DOCUMENT_KIND = {"seal": "seal_up", "seize": "seizure"}  # the template's words
DECISION, INVENTORY, RECORD = "查封扣押决定书", "查封扣押清单", "现场笔录"
EXTENSION, TESTING_NOTICE = "延长查封、扣押期限决定书", "检测、检验、检疫、技术鉴定期间告知书"
RELEASE = "解除查封、扣押决定书"
# 第二十八条第一款: the grounds of a release; 第十九条: the head disagreed.
RELEASE_GROUNDS = {
    "no_violation": ("当事人没有违法行为", f"{QZ}第二十八条第一款第(一)项"),
    "unrelated": (
        "查封、扣押的场所、设施或者财物与违法行为无关",
        f"{QZ}第二十八条第一款第(二)项",
    ),
    "decided": (
        "本机关对违法行为已经作出处理决定，不再需要查封、扣押",
        f"{QZ}第二十八条第一款第(三)项",
    ),
    "expired": ("查封、扣押期限已经届满", f"{QZ}第二十八条第一款第(四)项"),
    "no_longer_needed": ("不再需要采取查封、扣押措施", f"{QZ}第二十八条第一款第(五)项"),
    "approval_refused": ("行政机关负责人认为不应当采取行政强制措施", f"{QZ}第十九条"),
}


def _measure(ctx: Ctx, measure_id, open_only: bool = True) -> CaseMeasure:
    for measure in ctx.case.measures:
        if str(measure.id) == str(measure_id) and not (open_only and measure.ended_on):
            return measure
    raise rules.Refusal("no-such-measure", "没有未解除的该项措施。", "No such open measure.")


def _document(measure: CaseMeasure | dict) -> dict:
    """The measure as its documents read it (`act` keeps the documents issued with the
    measure, so a later document finds the decision's number there)."""
    found = measure.as_dict() if isinstance(measure, CaseMeasure) else measure
    return {**found, "kind": DOCUMENT_KIND[found["kind"]]}


def _new_measure(ctx: Ctx, started: dt.date, **extra) -> tuple[dict, list]:
    try:
        rules.require_two_officers(ctx.view)
    except rules.Refusal as refused:  # the same rule, under the compulsion law
        article = f"{QZ}第十七条第三款、第十八条第(二)项"
        raise dataclasses.replace(refused, article=article) from None
    on_site = _on_site(ctx.data)
    measure = CaseMeasure(
        id=uuid.uuid4(),
        position=len(ctx.case.measures),
        kind=ctx.data["kind"],
        items=list(ctx.data["items"]),
        started_on=started,
        reason=on_site.pop("reason"),
        basis=on_site.pop("basis"),
        on_site=on_site,
        **extra,
    )
    measure.ends_on = deadlines.measure_end(ctx.session, ctx.case, measure.as_dict())
    ctx.case.measures.append(measure)
    ctx.measure = measure  # the documents issued are kept with it
    payload = measure.as_dict()
    document = {"measure": _document(payload)}
    return payload, [(DECISION, document), (INVENTORY, document), (RECORD, document)]


# 行政强制法 第十八条, item by item: field → (what the law asks, in English, its item).
ARTICLE_18 = {
    "identity_shown": ("出示执法身份证件", "show the officers' ID", "(三)"),
    "reason": ("当场告知采取措施的理由", "tell the reasons on the spot", "(五)"),
    "basis": ("当场告知采取措施的依据", "tell the legal basis on the spot", "(五)"),
    "told": ("当场告知当事人依法享有的权利、救济途径", "tell the party's rights and remedies", "(五)"),
    # the party present
    "statement": ("听取当事人的陈述和申辩 (放弃的如实记录)", "hear the party (or record it declined)", "(六)"),
    "party_signature": ("当事人在现场笔录上签名，拒绝的予以注明", "the party signs the record, a refusal noted", "(八)"),
    # the party absent
    "party_notified": ("通知当事人到场", "notify the party to attend", "(四)"),
    "witness": ("当事人不到场的，邀请见证人到场并签名", "the party is absent: a witness attends and signs", "(九)"),
}  # fmt: skip
TEXTS = ("reason", "basis", "witness", "statement")


def _on_site(data: dict) -> dict:
    """The facts of 行政强制法 第十八条 recorded with the measure; what is missing is a
    field error, all at once, naming the article."""
    text = {k: (data.get(k) or "").strip() for k in TEXTS}
    present = bool(data.get("party_present"))
    needed = ["identity_shown", "reason", "basis", "told"]
    needed += ["statement", "party_signature"] if present else ["party_notified", "witness"]
    missing = [f for f in needed if not (len(text[f]) >= 2 if f in TEXTS else data.get(f))]
    if missing:
        zh = "、".join(ARTICLE_18[f][0] for f in missing)
        en = "; ".join(ARTICLE_18[f][1] for f in missing)
        raise Invalid(
            "measure-procedure",
            f"实施行政强制措施须遵守《行政强制法》第十八条规定的程序，尚缺：{zh}。",
            f"A compulsory measure must follow the Administrative Compulsion Law, art. 18: {en}.",
            fields=[
                FieldProblem(
                    f,
                    f"须{ARTICLE_18[f][0]}（第十八条第{ARTICLE_18[f][2]}项）。",
                    f"Required: {ARTICLE_18[f][1]} (art. 18{ARTICLE_18[f][2]}).",
                )
                for f in missing
            ],
            extra={"rule": "measure-procedure", "article": f"{QZ}第十八条"},
        )
    return {
        **text,
        "identity_shown": True,
        "told": True,
        "party_present": present,
        "party_notified": bool(data.get("party_notified")) or present,
        "party_signature": data.get("party_signature") if present else "",
        "record": (data.get("record") or "").strip(),
    }


@declare(
    "impose_measure",
    "实施查封扣押",
    "Impose measure",
    stages=("compulsory_measures",),
    statuses=("open",),
    role=HEAD,
    body={
        "kind": ma.fields.String(required=True, validate=ma.validate.OneOf(("seal", "seize"))),
        "items": ma.fields.List(
            ma.fields.String(), required=True, validate=ma.validate.Length(min=1)
        ),
        "started_on": ma.fields.Date(),
        **schemas.on_site(),
    },
    documents=(
        "现场笔录",
        "查封扣押决定书",
        "查封扣押清单",
    ),
    form={
        "kind": ("措施种类", "Kind"),
        "reason": ("采取措施的理由", "Reasons for the measure"),
        "statement": ("当事人的陈述和申辩", "The party's statement"),
    },
    choices={"kind": "measure"},
)
def _impose(ctx: Ctx):
    """查封/扣押 with the head's approval, two officers, an on-site record and the
    decision with its inventory (行政强制法 第十八条、第二十四条); 30 days at most,
    +30 with approval, testing time excluded (第二十五条)."""
    return _new_measure(
        ctx, ctx.data.get("started_on") or today(), approved_by=ctx.identity.username
    )


@declare(
    "impose_emergency_measure",
    "当场实施查封扣押 (情况紧急)",
    "Impose emergency measure",
    stages=("compulsory_measures",),
    statuses=("open",),
    body={
        "kind": ma.fields.String(required=True, validate=ma.validate.OneOf(("seal", "seize"))),
        "items": ma.fields.List(
            ma.fields.String(), required=True, validate=ma.validate.Length(min=1)
        ),
        "executed_at": ma.fields.AwareDateTime(required=True),
        "grounds": schemas.text(1000),
        **schemas.on_site(),
    },
    documents=(
        "现场笔录",
        "查封扣押决定书",
        "查封扣押清单",
    ),
    form={
        "kind": ("措施种类", "Kind"),
        "reason": ("采取措施的理由", "Reasons for the measure"),
        "statement": ("当事人的陈述和申辩", "The party's statement"),
        "grounds": ("情况紧急的事由", "Why it was urgent"),
    },
    choices={"kind": "measure"},
)
def _impose_emergency(ctx: Ctx):
    """An emergency measure on the spot (行政强制法 第十九条): the head's approval within
    24 hours, else it is lifted."""
    at = ctx.data["executed_at"]
    due = deadlines.emergency_approval_due(at)
    local = at.astimezone(deadlines.law.SHANGHAI).date()
    return _new_measure(ctx, local, emergency=True, executed_at=at, approval_due=due)


@declare(
    "approve_measure",
    "补办查封扣押批准",
    "Approve measure",
    stages=("compulsory_measures",),
    statuses=("open",),
    role=HEAD,
    body={
        "measure_id": ma.fields.UUID(required=True),
        "approved": ma.fields.Boolean(required=True),
        "at": ma.fields.AwareDateTime(),
    },
    documents=("解除查封、扣押决定书",),
)
def _approve(ctx: Ctx):
    """The head approves an emergency measure within 24 hours of its execution, or
    disagrees and it is lifted at once (行政强制法 第十九条)."""
    measure = _measure(ctx, ctx.data["measure_id"])
    if not measure.emergency or measure.approved_by:
        raise rules.Refusal(
            "not-awaiting-approval", "该措施不需补办批准。", "This measure awaits no approval."
        )
    at = ctx.data.get("at") or dt.datetime.now(dt.UTC)
    if not ctx.data["approved"]:
        measure.ended_on, measure.outcome, measure.approval_refused = today(), "lifted", True
        released = _released(measure.as_dict(), "approval_refused", list(measure.items))
        return {"measure_id": str(measure.id), "approved": False}, [(RELEASE, released)]
    due = measure.as_dict()["approval_due"]
    if at > dt.datetime.fromisoformat(due):
        raise rules.Refusal(
            "emergency-approval-late",
            f"当场实施的行政强制措施须在24小时内 (至{due[:16]}) 补办批准手续；已逾期，应当立即解除。",
            f"An emergency measure must be approved within 24 hours (by {due[:16]}); it is late and must be lifted.",
            f"{QZ}第十九条",
        )
    measure.approved_by, measure.approved_at = ctx.identity.username, at
    return {"measure_id": str(measure.id), "approved": True}, []


@declare(
    "extend_measure",
    "延长查封扣押期限",
    "Extend measure",
    stages=("compulsory_measures",),
    statuses=("open",),
    role=HEAD,
    body={
        "measure_id": ma.fields.UUID(required=True),
        "days": ma.fields.Integer(validate=ma.validate.Range(min=1, max=366)),
        "reason": schemas.text(1000),
    },
    documents=("延长查封、扣押期限决定书",),
    form={"reason": ("延长理由 (情况复杂)", "Why (complex case)")},
)
def _extend(ctx: Ctx):
    """Once, by at most 30 days, with the head's approval, before the period ends; the
    party is told in writing with the reasons (行政强制法 第二十五条第一款、第二款)."""
    measure = _measure(ctx, ctx.data["measure_id"])
    days = ctx.data.get("days", 30)
    if today() > measure.ends_on:
        raise rules.Refusal(
            "seizure-expired",
            f"查封、扣押期限已于{measure.ends_on}届满，不能延长，应当解除。",
            f"The measure ended on {measure.ends_on}; it cannot be extended and must be lifted.",
            f"{QZ}第二十五条、第二十八条",
        )
    if (refused := deadlines.measure_extension_refusal(measure.as_dict(), days)) is not None:
        raise refused
    before = measure.ends_on.isoformat()
    measure.extended_days, measure.extension_reason = days, ctx.data["reason"]
    measure.ends_on = deadlines.measure_end(ctx.session, ctx.case, measure.as_dict())
    extension = {"days": days, "reason": ctx.data["reason"], "ended_on_before": before}
    ends_on = measure.ends_on.isoformat()
    return {"measure_id": str(measure.id), "days": days, "ends_on": ends_on}, [
        (EXTENSION, {"measure": _document(measure), "extension": extension})
    ]


@declare(
    "record_testing",
    "登记检测鉴定期间",
    "Record testing",
    stages=("compulsory_measures",),
    statuses=("open",),
    body={
        "measure_id": ma.fields.UUID(required=True),
        "started_on": ma.fields.Date(required=True),
        "ended_on": ma.fields.Date(required=True),
        "what": schemas.text(500, metadata={"description": "检测、检验、检疫或者技术鉴定的事项"}),
    },
    documents=("检测、检验、检疫、技术鉴定期间告知书",),
    form={
        "started_on": ("检测等期间开始日期", "Testing starts on"),
        "ended_on": ("检测等期间结束日期", "Testing ends on"),
    },
)
def _testing(ctx: Ctx):
    """Testing, inspection, quarantine or appraisal: the period is fixed and told to the
    party in writing, and does not count towards the measure (第二十五条第三款)."""
    measure = _measure(ctx, ctx.data["measure_id"])
    start, end = ctx.data["started_on"], ctx.data["ended_on"]
    if end < start or start < measure.started_on:
        raise rules.Refusal(
            "testing-period",
            "检测期间须在查封、扣押之后，且结束日不早于开始日。",
            "The testing period must follow the measure's start and end after it begins.",
            f"{QZ}第二十五条第三款",
        )
    ctx.case.pauses.append(
        CasePause(reason="testing", started_on=start, ended_on=end, note=str(measure.id))
    )
    ctx.session.flush()
    measure.ends_on = deadlines.measure_end(ctx.session, ctx.case, measure.as_dict())
    measure.testing = [*(measure.testing or []), [start.isoformat(), end.isoformat()]]
    testing = {"what": ctx.data["what"], "started_on": start, "ended_on": end}
    return {"measure_id": str(measure.id), "testing": [start.isoformat(), end.isoformat()]}, [
        (TESTING_NOTICE, {"measure": _document(measure), "testing": testing})
    ]


@declare(
    "lift_measure",
    "解除或处理查封扣押",
    "Lift measure",
    stages=("compulsory_measures",),
    statuses=("open",),
    body={
        "measure_id": ma.fields.UUID(required=True),
        "outcome": ma.fields.String(
            required=True, validate=ma.validate.OneOf(("lifted", "confiscated", "transferred"))
        ),
        "ground": ma.fields.String(
            validate=ma.validate.OneOf(schemas.RELEASE_GROUNDS),
            metadata={"description": "解除的情形 (行政强制法 第二十八条第一款)"},
        ),
        "returned": ma.fields.List(
            ma.fields.String(validate=ma.validate.Length(min=1, max=200)),
            metadata={"description": "退还的财物 (默认全部)"},
        ),
        "ended_on": ma.fields.Date(),
    },
    documents=("解除查封、扣押决定书",),
)
def _lift(ctx: Ctx):
    """Lifted, or the property confiscated or transferred, within the period; once it has
    run out the measure can only be lifted (行政强制法 第二十七条、第二十八条第一款第(四)项).
    A release is decided in writing, on one of 第二十八条第一款's grounds, and the
    property returned at once (第二十八条第二款)."""
    measure = _measure(ctx, ctx.data["measure_id"])
    ended = ctx.data.get("ended_on") or today()
    expired = ended > measure.ends_on
    if expired and ctx.data["outcome"] != "lifted":
        raise rules.Refusal(
            "seizure-expired",
            f"查封、扣押期限已于{measure.ends_on}届满，只能解除，不得没收或移送。",
            f"The measure ran out on {measure.ends_on}: it can only be lifted.",
            f"{QZ}第二十七条、第二十八条",
        )
    measure.ended_on, measure.outcome, measure.late = ended, ctx.data["outcome"], expired
    if expired:  # kept past its limit: recorded as it happened, flagged (第二十五条)
        law_flags.seizure_kept_late(ctx.session, ctx.case, measure.as_dict(), ended)
    ctx.measure = measure  # the release's number is kept with it
    if ctx.data["outcome"] != "lifted":
        return measure.as_dict(), []  # confiscated by the decision, or transferred
    ground = "expired" if expired else ctx.data.get("ground", "no_longer_needed")
    returned = list(ctx.data.get("returned") or measure.items)
    measure.release_ground, measure.returned = ground, returned
    payload = measure.as_dict()
    return payload, [(RELEASE, _released(payload, ground, returned))]


def _released(measure: dict, ground: str, returned: list[str]) -> dict:
    text, article = RELEASE_GROUNDS[ground]
    release = {"ground": ground, "ground_text": text, "article": article, "returned": returned}
    return {"measure": _document(measure), "release": release}
