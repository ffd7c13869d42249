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

from yimen.platform.api.problems import FieldError, Problem
from yimen.platform.cases.law import applied as deadlines
from yimen.platform.cases.law import flags as law_flags
from yimen.platform.cases.procedure import rules
from yimen.platform.cases.procedure.general import HEAD, Ctx, action
from yimen.platform.cases.record.model import CasePause
from yimen.platform.cases.service import today

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


def _measure(ctx: Ctx, measure_id, open_only: bool = True) -> dict:
    for measure in ctx.case.details.get("compulsory_measures", {}).get("measures", []):
        if measure["id"] == str(measure_id) and not (open_only and measure.get("ended_on")):
            return measure
    raise rules.Refusal("no-such-measure", "没有未解除的该项措施。", "No such open measure.")


def _document(measure: dict) -> dict:
    """The measure as its documents read it (`act` adds the documents issued to the
    measure's own payload, so a later document finds the decision's number there)."""
    return {**measure, "kind": DOCUMENT_KIND[measure["kind"]]}


def _new_measure(ctx: Ctx, started: dt.date, **extra) -> tuple[dict, list]:
    try:
        rules.require_two_officers(ctx.view)
    except rules.Refusal as refused:  # the same rule, under the compulsion law
        article = f"{QZ}第十七条第三款、第十八条第(二)项"
        raise dataclasses.replace(refused, article=article) from None
    on_site = _on_site(ctx.data)
    measure = {
        "id": str(uuid.uuid4()),
        "kind": ctx.data["kind"],
        "items": ctx.data["items"],
        "started_on": started.isoformat(),
        "reason": on_site.pop("reason"),
        "basis": on_site.pop("basis"),
        "on_site": on_site,
        **extra,
    }
    measure["ends_on"] = deadlines.measure_end(ctx.session, ctx.case, measure).isoformat()
    ctx.case.details.setdefault("compulsory_measures", {}).setdefault("measures", []).append(
        measure
    )
    document = {"measure": _document(measure)}
    return measure, [(DECISION, document), (INVENTORY, document), (RECORD, document)]


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
        raise Problem(
            422,
            "measure-procedure",
            f"实施行政强制措施须遵守《行政强制法》第十八条规定的程序，尚缺：{zh}。",
            f"A compulsory measure must follow the Administrative Compulsion Law, art. 18: {en}.",
            errors=[
                FieldError(
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
        released = _released(measure, "approval_refused", measure["items"])
        return {"measure_id": measure["id"], "approved": False}, [(RELEASE, released)]
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
    before = measure["ends_on"]
    measure.update(extended_days=days, extension_reason=ctx.data["reason"])
    measure["ends_on"] = deadlines.measure_end(ctx.session, ctx.case, measure).isoformat()
    extension = {"days": days, "reason": ctx.data["reason"], "ended_on_before": before}
    return {"measure_id": measure["id"], "days": days, "ends_on": measure["ends_on"]}, [
        (EXTENSION, {"measure": _document(measure), "extension": extension})
    ]


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
    testing = {"what": ctx.data["what"], "started_on": start, "ended_on": end}
    return {"measure_id": measure["id"], "testing": [start.isoformat(), end.isoformat()]}, [
        (TESTING_NOTICE, {"measure": _document(measure), "testing": testing})
    ]


@action("lift_measure")
def _lift(ctx: Ctx):
    """Lifted, or the property confiscated or transferred, within the period; once it has
    run out the measure can only be lifted (行政强制法 第二十七条、第二十八条第一款第(四)项).
    A release is decided in writing, on one of 第二十八条第一款's grounds, and the
    property returned at once (第二十八条第二款)."""
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
    if expired:  # kept past its limit: recorded as it happened, flagged (第二十五条)
        law_flags.seizure_kept_late(ctx.session, ctx.case, measure, ended)
    if ctx.data["outcome"] != "lifted":
        return measure, []  # confiscated by the decision, or transferred with the case
    ground = "expired" if expired else ctx.data.get("ground", "no_longer_needed")
    returned = ctx.data.get("returned") or measure["items"]
    measure.update(ground=ground, returned=returned)
    return measure, [(RELEASE, _released(measure, ground, returned))]


def _released(measure: dict, ground: str, returned: list[str]) -> dict:
    text, article = RELEASE_GROUNDS[ground]
    release = {"ground": ground, "ground_text": text, "article": article, "returned": returned}
    return {"measure": _document(measure), "release": release}
