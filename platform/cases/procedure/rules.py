"""The statutory procedure as a state machine — pure functions, no Flask, no database.

A case moves through the stages of its pinned workflow definition (tenants.workflow):
the statutory floor plus whatever the district or agency added. A stage whose condition
does not hold for the case (no compulsory measures, no hearing asked for, not a major
decision, not complex) is skipped; every other stage must be completed, in order, and a
stage is complete only when its required documents are issued and its own conditions
are met (seed 000 一(三): "完成规定的上一环节才能进入下一环节"). Each action says where
it may happen and what it needs; a refusal names the rule and the article.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from yimen.platform.cases.discretion.benchmark import no_penalty_ground
from yimen.platform.cases.discretion.terms import Facts
from yimen.tenants.directory.rules import Certificate, may_handle

PZ = "《行政处罚法》"
QZ = "《行政强制法》"

# The case's pinned workflow definition and its stages, as stored JSON (tenants.workflow;
# statutory.py shows the shape), and a stage's recorded facts (the JSON the console
# posts, open by stage): read by key, so open mappings.
Definition = dict[str, Any]
Stage = dict[str, Any]
StageFacts = dict[str, Any]


@dataclass(frozen=True)
class Refusal(Exception):
    rule: str
    zh: str
    en: str
    article: str = ""

    def __str__(self) -> str:  # pragma: no cover - for logs and tracebacks
        return f"{self.rule}: {self.en}"


@dataclass(frozen=True)
class CaseView:
    """What the rules read about a case (built by the service from the rows)."""

    procedure: str
    stage: str
    status: str
    matter_domain: str = ""
    major: bool = False
    complex_case: bool = False
    measures_needed: bool = False
    hearing_requested: bool = False
    hearing_right: bool = False
    parties: int = 0
    officers: tuple[OfficerView, ...] = ()
    documents: frozenset[str] = frozenset()  # kinds issued
    details: dict[str, Any] = field(default_factory=dict)  # stage facts by stage id
    on_spot_possible: bool = True  # the matter's penalty fits 处罚法 第五十一条
    penalty_proposed: bool = False  # a fine or another penalty is proposed (第四十四条)
    today: dt.date = dt.date(2026, 1, 1)
    # filed, statement_due, ... (date or None)
    dates: dict[str, dt.date | None] = field(default_factory=dict)


@dataclass(frozen=True)
class OfficerView:
    id: str
    name: str
    certificate_no: str | None
    certificate_valid_until: dt.date | None
    domains: tuple[str, ...]
    active: bool = True
    recused: bool = False


CONDITIONS: dict[str, Callable[[CaseView], bool]] = {
    "measures_needed": lambda c: c.measures_needed,
    "hearing_requested": lambda c: c.hearing_requested,
    # 处罚法 第五十八条第一款: major public interest or on the major-decision list (一)(四),
    # a hearing held (二), complex with several legal relationships (三)
    "major_decision": lambda c: (
        c.major or c.complex_case or bool(c.details.get("hearing", {}).get("held"))
    ),
    "complex_or_serious": lambda c: c.complex_case or c.major,
}


def applies(stage: Stage, case: CaseView) -> bool:
    if stage["id"] in SKIPPED_BY_OUTCOME.get(outcome_of(case), ()):
        return False
    condition = stage.get("condition")
    return condition is None or CONDITIONS.get(condition, _always)(case)


def _always(_case: CaseView) -> bool:
    return True  # a condition this version does not know does not skip its stage


# --- the outcome of the investigation (处罚法 第五十七条第一款) ---------------------------

# outcome → (what the head decides, its item of 第五十七条第一款)
OUTCOMES: dict[str, tuple[str, str]] = {
    "penalty": ("给予行政处罚", f"{PZ}第五十七条第一款第(一)项"),
    "no_penalty": (
        "违法行为轻微，依法可以不予行政处罚，不予行政处罚",
        f"{PZ}第五十七条第一款第(二)项",
    ),
    "not_established": ("违法事实不能成立，不予行政处罚", f"{PZ}第五十七条第一款第(三)项"),
    "transfer": ("违法行为涉嫌犯罪，移送司法机关", f"{PZ}第五十七条第一款第(四)项"),
}
# Notice and the party's statement and hearing come before a penalty only (第四十四条、
# 第四十五条、第六十三条); without a penalty there is nothing to execute, and a transfer
# leaves no decision to serve on the party. Review and discussion keep their conditions.
_BEFORE_A_PENALTY = ("prior_notice", "statement", "hearing")
SKIPPED_BY_OUTCOME: dict[str, tuple[str, ...]] = {
    "no_penalty": (*_BEFORE_A_PENALTY, "execution"),
    "not_established": (*_BEFORE_A_PENALTY, "execution"),
    "transfer": (*_BEFORE_A_PENALTY, "service", "execution"),
}
# The decision stage's instrument by outcome (a transfer's 移送书 is a later issue).
DECISION_DOCUMENTS = {
    "no_penalty": ("不予行政处罚决定书",),
    "not_established": ("不予行政处罚决定书",),
    "transfer": (),
}
# Actions that belong to some outcomes only.
OUTCOME_ACTIONS: dict[str, tuple[str, ...]] = {
    "propose_penalty": ("penalty",),
    "serve_prior_notice": ("penalty",),
    "decide": ("penalty",),
    "decide_no_penalty": ("no_penalty", "not_established"),
    "decide_transfer": ("transfer",),
}
NO_PENALTY_FACTS = "no_penalty_facts"  # details key of the facts of 第三十三条


def outcome_of(case: CaseView) -> str:
    outcome: dict[str, Any] = case.details.get("outcome") or {}
    kind: str = outcome.get("kind", "penalty")
    return kind


def recorded_facts(details: dict[str, Any]) -> dict[str, Any]:
    """The facts of 第三十三条 recorded on the case, as `discretion.Facts` arguments: a
    proof of no fault counts unless a law or administrative regulation says otherwise."""
    facts = details.get(NO_PENALTY_FACTS) or {}
    found = {
        "circumstances": facts.get("circumstance"),
        "first_violation": bool(facts.get("first_violation")),
        "corrected": bool(facts.get("corrected")),
        "harm": facts.get("harm"),
        "no_fault": bool(facts.get("no_fault")) and not facts.get("no_fault_excluded_by"),
    }
    return {k: v for k, v in found.items() if v not in (None, False)}


def no_penalty_of(case: CaseView) -> tuple[str | None, str | None]:
    """(mandatory | discretionary | None, ground) from the case's recorded facts."""
    return no_penalty_ground(Facts(**recorded_facts(case.details)))


def article_33(ground: str | None) -> str:
    return f"{PZ}第三十三条第{'二' if ground == 'no_fault' else '一'}款"


def check_outcome(action: str, case: CaseView, label_zh: str) -> None:
    """A penalty where the law says 不予行政处罚 is refused (第三十三条); each outcome's
    actions only on its path (第五十七条第一款)."""
    outcome = outcome_of(case)
    if action in OUTCOME_ACTIONS and outcome not in OUTCOME_ACTIONS[action]:
        raise Refusal(
            "outcome-differs",
            f"本案的处理意见为「{OUTCOMES[outcome][0]}」，不能进行此操作：{label_zh}。",
            f"The case's outcome is '{outcome}': '{action}' does not belong to it.",
            OUTCOMES[outcome][1],
        )
    kind, ground = no_penalty_of(case)
    if kind == "mandatory" and OUTCOME_ACTIONS.get(action) == ("penalty",):
        raise Refusal(
            "no-penalty-mandatory",
            "本案已记录的情节属于应当不予行政处罚的情形，不能拟定或者作出行政处罚；应当对当事人进行教育，并作出不予行政处罚决定。",
            "The recorded facts make a penalty unlawful (Article 33): decide not to penalise and educate the party.",
            article_33(ground),
        )


def stage_ids(definition: Definition, case: CaseView) -> list[str]:
    """The stages this case goes through, in order."""
    return [s["id"] for s in definition["stages"] if applies(s, case)]


def next_stage(definition: Definition, case: CaseView) -> str | None:
    ids = stage_ids(definition, case)
    if case.stage not in ids:
        # The stage's condition stopped holding (e.g. no hearing after all): go on from
        # where it sat in the full list.
        full = [s["id"] for s in definition["stages"]]
        later = full[full.index(case.stage) + 1 :] if case.stage in full else []
        return next((s for s in later if s in ids), None)
    position = ids.index(case.stage)
    return ids[position + 1] if position + 1 < len(ids) else None


def stage_of(definition: Definition, stage_id: str) -> Stage:
    return next(s for s in definition["stages"] if s["id"] == stage_id)


# --- who may handle -------------------------------------------------------------------


def qualified_officers(case: CaseView) -> list[OfficerView]:
    """Officers who may act: active, not recused, with a certificate valid today that
    covers the matter's domain (处罚法 第四十二条)."""
    return [
        o
        for o in case.officers
        if not o.recused
        and may_handle(
            Certificate(o.certificate_no, o.domains, o.certificate_valid_until, o.active),
            case.matter_domain or (o.domains[0] if o.domains else ""),
            case.today,
        ).ok
    ]


def require_two_officers(case: CaseView) -> None:
    if len(qualified_officers(case)) < 2:
        problems = [
            o.name for o in case.officers if o not in qualified_officers(case) and not o.recused
        ]
        detail = f"(不符合条件：{'、'.join(problems)})" if problems else ""
        raise Refusal(
            "two-officers",
            f"执法人员不得少于两人，且须持有效执法证件并具备本事项所属领域资格{detail}。",
            "At least two officers with valid certificates covering the matter's domain are required.",
            f"{PZ}第四十二条",
        )


# --- leaving a stage ------------------------------------------------------------------


# The execution stage's instruments depend on the path taken: a paid fine needs none, an
# application to the court needs the demand and the application, an agency's own
# execution the demand (行政强制法 第三十五条、第五十四条、第五十五条).
EXECUTION_DOCUMENTS = {
    "paid": (),
    "no-payment-due": (),
    "revoked": (),  # the decision was revoked on reconsideration or in court
    "court": ("催告书", "强制执行申请书"),
    "enforced": ("催告书", "强制执行决定书"),  # 第三十七条
    "terminated": (),  # 终结执行 (行政强制法 第四十条): the head's decision, recorded
    "substituted": ("催告书", "代履行决定书"),  # 代履行 (第五十条、第五十一条)
}


def missing_documents(definition: Definition, case: CaseView) -> list[str]:
    stage = stage_of(definition, case.stage)
    kinds = [d["kind"] for d in stage["documents"]]
    if case.stage == "decision" and outcome_of(case) in DECISION_DOCUMENTS:
        kinds = [k for k in kinds if k != "行政处罚决定书"]
        kinds += list(DECISION_DOCUMENTS[outcome_of(case)])
    path = case.details.get("execution", {}).get("done")
    if case.stage == "execution" and path in EXECUTION_DOCUMENTS:
        statutory = {"催告书", "强制执行申请书", "强制执行决定书"}
        kinds = [k for k in kinds if k not in statutory] + list(EXECUTION_DOCUMENTS[path])
    if case.stage == "hearing" and case.details.get("hearing", {}).get("no_show"):
        kinds = [k for k in kinds if k != "听证笔录"]  # no hearing took place (第六十四条第六项)
    return [k for k in kinds if k not in case.documents]


def _stage_facts(case: CaseView) -> StageFacts:
    facts: StageFacts = case.details.get(case.stage, {})
    return facts


def check_complete(definition: Definition, case: CaseView) -> None:
    """May the case leave its current stage?"""
    stage = stage_of(definition, case.stage)
    facts = _stage_facts(case)
    if case.stage in SKIPPED_BY_OUTCOME.get(outcome_of(case), ()):
        return  # the outcome chosen leaves this stage out (a penalty's notice, …)
    if case.stage == "correction_order" and facts.get("not_required"):
        return  # 责令改正 explicitly not required, with a reason (seed 000 一(三) 四)
    missing = missing_documents(definition, case)
    if missing:
        raise Refusal(
            f"documents:{case.stage}",
            f"「{stage['name']}」环节还缺少文书：{'、'.join(missing)}。",
            f"The stage '{stage.get('name_en', stage['id'])}' still needs: {', '.join(missing)}.",
            stage.get("article", ""),
        )
    check = STAGE_CHECKS.get(case.stage)
    if check is not None:
        check(case, facts)


def _investigation(case: CaseView, facts: StageFacts) -> None:
    if not facts.get("evidence"):
        raise Refusal(
            "evidence-required",
            "调查终结前须至少收集一项证据。",
            "Collect at least one piece of evidence before ending the investigation.",
            f"{PZ}第四十条、第四十六条",
        )
    preserved = (case.details.get("evidence_preservation") or {}).get("records", [])
    if any(not r.get("decided_on") for r in preserved):
        raise Refusal(
            "preservation-undecided",
            "先行登记保存的证据尚未作出处理决定，须先处理。",
            "Decide what becomes of the preserved evidence first.",
            f"{PZ}第五十六条",
        )


def _measures(case: CaseView, facts: StageFacts) -> None:
    open_measures = [m for m in facts.get("measures", []) if not m.get("ended_on")]
    if open_measures:
        raise Refusal(
            "measures-open",
            "查封、扣押尚未解除或处理，须先作出处理决定。",
            "Seals and seizures must be lifted or dealt with first.",
            f"{QZ}第二十七条、第二十八条",
        )


def _statement(case: CaseView, facts: StageFacts) -> None:
    """No decision before the party was heard: the window must have closed, or the
    party expressly waived (处罚法 第六十二条)."""
    due = case.dates.get("statement_due")
    if facts.get("waived"):
        return
    if due is None:
        raise Refusal(
            "statement-window-unknown",
            "陈述申辩期限无法计算(该年度工作日历未载入)，不能结束本环节。",
            "The statement period cannot be computed (calendar not loaded).",
            f"{PZ}第四十五条、第六十二条",
        )
    if case.today <= due:
        raise Refusal(
            "statement-window-open",
            f"当事人陈述申辩、申请听证的期限至{due:%Y-%m-%d}，期满或当事人明确放弃后才能继续。",
            f"The party may state, defend or ask for a hearing until {due:%Y-%m-%d}.",
            f"{PZ}第四十五条、第六十二条、第六十四条",
        )
    if facts.get("statement") and not facts.get("reexamination"):
        raise Refusal(
            "reexamination-required",
            "当事人提出了陈述申辩，须记录复核意见。",
            "The party's statement must be re-examined and the opinion recorded.",
            f"{PZ}第四十五条",
        )


def _hearing(case: CaseView, facts: StageFacts) -> None:
    if not (facts.get("held") or facts.get("no_show")):
        raise Refusal(
            "hearing-not-held",
            "听证尚未举行。",
            "The hearing has not taken place.",
            f"{PZ}第六十四条",
        )


def _legal_review(case: CaseView, facts: StageFacts) -> None:
    if facts.get("result") != "passed":
        raise Refusal(
            "legal-review-not-passed",
            "未经法制审核或者审核未通过的，不得作出决定。",
            "No decision without a passed legal review.",
            f"{PZ}第五十八条",
        )


def _execution(case: CaseView, facts: StageFacts) -> None:
    if not facts.get("done"):
        raise Refusal(
            "execution-not-done",
            "处罚决定尚未执行完毕(缴纳罚款或强制执行)。",
            "The decision has not been carried out yet.",
            f"{PZ}第六十六条、第七十二条",
        )


STAGE_CHECKS: dict[str, Callable[[CaseView, StageFacts], None]] = {
    "investigation": _investigation,
    "compulsory_measures": _measures,
    "statement": _statement,
    "hearing": _hearing,
    "legal_review": _legal_review,
    "execution": _execution,
}


# --- where each action may happen -----------------------------------------------------

# The stages the decision deadline runs through (处罚法 第六十条), where its clock pauses.
BEFORE_DECISION = (
    "investigation",
    "compulsory_measures",
    "correction_order",
    "prior_notice",
    "statement",
    "hearing",
    "legal_review",
    "collective_discussion",
    "decision",
)
# Where a decision is carried out: the general procedure's execution stage, and a simple
# case's 备案 while its on-the-spot fine is owed (see spot_execution).
EXECUTION_STAGES = ("execution", "filing_record")
# Where facts are still gathered: investigation through the hearing.
FACT_FINDING = BEFORE_DECISION[: BEFORE_DECISION.index("hearing") + 1]
# Once a penalty is proposed (the prior notice) until the decision.
PENALTY_PROPOSED = BEFORE_DECISION[BEFORE_DECISION.index("prior_notice") :]
# From the order to correct until the decision (education accompanies either).
AFTER_INVESTIGATION = BEFORE_DECISION[BEFORE_DECISION.index("correction_order") :]
# Where each action is allowed is declared with the action (procedure/declaring.py) and
# handed to these functions as a `Where` by the registry (cases/registry.py).


@dataclass(frozen=True)
class Where:
    """Where an action is allowed: its stages (empty: any stage) and case statuses, and
    its Chinese name for the refusal."""

    stages: tuple[str, ...]
    statuses: tuple[str, ...]
    label_zh: str
    # What a suspended case (中止调查) may still do: resume, and keep its record complete.
    while_suspended: bool = False


def check_where(action: str, case: CaseView, where: Where) -> None:
    stages, statuses = where.stages, where.statuses
    execution = case.details.get("execution", {})
    agreement = execution.get("agreement") or {}
    if agreement.get("status") == "in_force" and action in HELD_BY_AGREEMENT:
        raise Refusal(
            "execution-agreement",
            f"已于{agreement['agreed_on']}与当事人达成执行协议，协议履行期间不得强制执行；当事人不履行协议的，先登记违约再恢复强制执行。",
            "An execution agreement is being kept; record its breach to resume execution.",
            f"{QZ}第四十二条",
        )
    if execution.get("suspended") and action in EXECUTION_ACTIONS:
        raise Refusal(
            "execution-suspended",
            f"执行已于{execution['suspended']['since']}中止 ({execution['suspended']['ground_text']})，恢复执行后才能继续。",
            f"Execution was suspended on {execution['suspended']['since']}; resume it first.",
            f"{QZ}第三十九条",
        )
    if case.details.get("suspended") and not where.while_suspended:
        raise Refusal(
            "case-suspended",
            f"案件已于{case.details['suspended']['since']}中止调查 ({case.details['suspended']['reason']})，恢复后才能继续办理。",
            f"The case was suspended on {case.details['suspended']['since']}; resume it first.",
            SUSPENSION_ARTICLE,
        )
    if case.status not in statuses or (stages and case.stage not in stages):
        raise out_of_order(action, case, where)
    check_outcome(action, case, where.label_zh)


# The article that puts each statutory stage where it is: an act refused because an
# earlier step is not done names the article requiring that step.
STAGE_ARTICLES = {
    "filing": f"{PZ}第五十四条第二款",
    "investigation": f"{PZ}第五十四条第一款、第五十五条",
    "compulsory_measures": f"{QZ}第十八条",
    "correction_order": f"{PZ}第二十八条第一款",
    "prior_notice": f"{PZ}第四十四条",
    "statement": f"{PZ}第四十五条、第六十二条",
    "hearing": f"{PZ}第六十三条、第六十四条、第六十五条",
    "legal_review": f"{PZ}第五十八条",
    "collective_discussion": f"{PZ}第五十七条第二款",
    "decision": f"{PZ}第五十七条、第五十九条",
    "service": f"{PZ}第六十一条",
    "execution": f"{PZ}第六十六条、第七十二条",
    "closure": "《市场监督管理行政处罚程序规定》第七十七条",
    "archive": f"{PZ}第四十七条",
    "on_spot_decision": f"{PZ}第五十一条、第五十二条",
    "filing_record": f"{PZ}第五十二条",
}
# 中止调查: the head's approval on the sector rule's grounds (市场监管 第四十六条).
SUSPENSION_ARTICLE = "《市场监督管理行政处罚程序规定》第四十六条"


def out_of_order(action: str, case: CaseView, where: Where) -> Refusal:
    """A step out of order, naming what comes first and the article that requires it:
    a case not yet filed is filed first (第五十四条); a stage still open is finished
    first (its own article); a stage passed is not reopened (that stage's article); a
    case closed, transferred or not filed takes no further act."""
    label, stage = where.label_zh, case.stage
    here = STAGE_NAMES.get(stage, stage)
    if case.status == "draft" and "open" in where.statuses:
        return Refusal(
            "out-of-order",
            f"案件尚未立案，须经行政机关负责人批准立案后才能{label}。",
            f"The case is not filed yet: '{action}' comes after the head approves filing.",
            STAGE_ARTICLES["filing"],
        )
    if case.status not in where.statuses:
        status = STATUS_NAMES.get(case.status, case.status)
        return Refusal(
            "out-of-order",
            f"案件{status}，不能再{label}。",
            f"The case is {case.status}: '{action}' is no longer possible.",
            STATUS_ARTICLES.get(case.status, STAGE_ARTICLES.get(stage, "")),
        )
    order = tuple(STAGE_NAMES)
    wanted = [s for s in where.stages if s in order]
    later = bool(wanted) and stage in order and order.index(stage) < order.index(wanted[0])
    names = "、".join(f"「{STAGE_NAMES[s]}」" for s in wanted)
    if later:
        return Refusal(
            "out-of-order",
            f"当前环节「{here}」尚未完成：须先完成本环节，{label}属于{names}环节。",
            f"Stage '{stage}' comes first: finish it before '{action}' ({', '.join(wanted)}).",
            STAGE_ARTICLES.get(stage, ""),
        )
    return Refusal(
        "out-of-order",
        f"{names}环节已经结束 (当前环节「{here}」)，不能再{label}。",
        f"'{action}' belongs to {', '.join(wanted)}, which the case has left (now '{stage}').",
        STAGE_ARTICLES.get(wanted[0], "") if wanted else "",
    )


STATUS_ARTICLES = {
    "not_filed": f"{PZ}第五十四条第二款",
    "closed": "《市场监督管理行政处罚程序规定》第七十七条",
    "archived": f"{PZ}第四十七条",
    "transferred": f"{PZ}第二十七条、第五十七条第一款第(四)项",
}


# The rule that gives each act to the agency's head or to its legal reviewer (a role
# refusal names it); an act not listed falls back to the role's own rule.
ROLE_ARTICLES = {
    "approve_filing": "《市场监督管理行政处罚程序规定》第十八条、第十九条",
    "decline_filing": "《市场监督管理行政处罚程序规定》第十八条",
    "extend_lead_check": "《市场监督管理行政处罚程序规定》第十八条",
    "recuse_officer": f"{PZ}第四十三条第三款",
    "preserve_evidence": f"{PZ}第五十六条",
    "decide_preserved_evidence": f"{PZ}第五十六条",
    "impose_measure": f"{QZ}第十八条第(一)项、第十九条",
    "approve_measure": f"{QZ}第十八条第(一)项、第十九条",
    "extend_measure": f"{QZ}第二十五条第一款",
    "choose_outcome": f"{PZ}第五十七条第一款",
    "decide": f"{PZ}第五十七条第一款",
    "decide_no_penalty": f"{PZ}第五十七条第一款",
    "decide_transfer": f"{PZ}第五十七条第一款第(四)项",
    "record_discussion": f"{PZ}第五十七条第二款",
    "approve_departure": "国办发〔2022〕27号（十二）",
    "extend_deadline": "《市场监督管理行政处罚程序规定》第六十四条",
    "pause_clock": SUSPENSION_ARTICLE,
    "resume_clock": SUSPENSION_ARTICLE,
    "approve_deferral": f"{PZ}第六十六条第二款",
    "decide_execution": f"{QZ}第三十七条",
    "publish_demolition_notice": f"{QZ}第四十四条",
    "apply_to_court": f"{QZ}第五十五条",
    "enforce": f"{QZ}第三十七条",
    "suspend_execution": f"{QZ}第三十九条",
    "resume_execution": f"{QZ}第三十九条",
    "terminate_execution": f"{QZ}第四十条",
    "decide_substitute_performance": f"{QZ}第五十条、第五十一条",
    "record_substitute_performance": f"{QZ}第五十一条",
    "record_execution_agreement": f"{QZ}第四十二条",
    "agreement_breached": f"{QZ}第四十二条",
    "approve_closure": "《市场监督管理行政处罚程序规定》第七十七条",
    "legal_review": f"{PZ}第五十八条",
}
ROLE_DEFAULT_ARTICLES = {"legal_reviewer": f"{PZ}第五十八条", "agency_head": ""}


def role_refusal(action: str, role: tuple[str, str, str]) -> Refusal:
    """The act needs the head (or the legal reviewer): the refusal names the rule that
    gives it to them."""
    name, zh, en = role
    article = ROLE_ARTICLES.get(action) or ROLE_DEFAULT_ARTICLES.get(name, "")
    return Refusal(f"role:{name}", zh, en, article)


# 行政强制法 第三十九条第一款 (中止执行) and 第四十条 (终结执行; 第三十九条第二款: three years
# suspended). code → the law's words.
EXECUTION_SUSPENSION_GROUNDS = {
    "hardship": "当事人履行行政决定确有困难或者暂无履行能力",
    "third_party": "第三人对执行标的主张权利，确有理由",
    "irreparable": "执行可能造成难以弥补的损失，且中止执行不损害公共利益",
    "other": "行政机关认为需要中止执行的其他情形",
}
EXECUTION_TERMINATION_GROUNDS = {
    "died": "公民死亡，无遗产可供执行，又无义务承受人",
    "dissolved": "法人或者其他组织终止，无财产可供执行，又无义务承受人",
    "object_lost": "执行标的灭失",
    "revoked": "据以执行的行政决定被撤销",
    "suspended_3_years": "中止执行满三年未恢复执行",
    "other": "行政机关认为需要终结执行的其他情形",
}


# What waits while execution is suspended (行政强制法 第三十九条); payment is always taken.
EXECUTION_ACTIONS = frozenset(
    {
        "decide_substitute_performance",
        "record_substitute_performance",
        "issue_demand",
        "decide_execution",
        "publish_demolition_notice",
        "apply_to_court",
        "enforce",
        "suspend_execution",
    }
)


HELD_BY_AGREEMENT = EXECUTION_ACTIONS - {"suspend_execution"}  # 第四十二条


# An on-the-spot fine left unpaid is executed like any other (处罚法 第七十二条; 行政强制法
# 第三十五条、第五十三条): these actions are offered on a simple case while it is owed.
def spot_execution(table: Mapping[str, Where]) -> frozenset[str]:
    """The actions of the execution stages, less a bank payment (it settles a simple case
    whatever is owed)."""
    return frozenset(a for a, w in table.items() if w.stages == EXECUTION_STAGES) - {
        "record_payment"
    }


def spot_fine_owed(case: CaseView) -> bool:
    spot = case.details.get("on_spot_decision", {})
    return bool(
        spot.get("fine_fen")
        and not spot.get("collected_on_spot")
        and not spot.get("paid_on")
        and not case.details.get("execution", {}).get("done")
    )


def allowed_actions(
    definition: Definition, case: CaseView, table: Mapping[str, Where]
) -> list[str]:
    """What the console offers now (only what the law allows at this point), of the
    actions declared (`table`, in their order)."""
    found = []
    for action, where in table.items():
        try:
            check_where(action, case, where)
        except Refusal:
            continue
        found.append(action)
    if "decide_on_spot" in found and not case.on_spot_possible:
        found.remove("decide_on_spot")  # the matter's minimum is above 第五十一条's limit
    if case.stage == "filing_record" and not spot_fine_owed(case):
        found = [a for a in found if a not in spot_execution(table)]
    if "advance" in found:
        try:
            check_complete(definition, case)
            if next_stage(definition, case) is None:
                found.remove("advance")  # the last stage (a simple case's 备案)
        except Refusal:
            found.remove("advance")
    return found


STAGE_NAMES = {
    "filing": "立案",
    "investigation": "调查取证",
    "compulsory_measures": "行政强制措施",
    "correction_order": "责令改正",
    "prior_notice": "事先告知",
    "statement": "陈述申辩与复核",
    "hearing": "听证",
    "legal_review": "法制审核",
    "collective_discussion": "集体讨论",
    "decision": "作出决定",
    "service": "送达",
    "execution": "执行",
    "closure": "结案",
    "archive": "归档",
    "on_spot_decision": "当场作出决定",
    "filing_record": "备案",
}
STATUS_NAMES = {
    "draft": "待立案",
    "open": "办理中",
    "not_filed": "不予立案",
    "closed": "已结案",
    "archived": "已归档",
    "transferred": "已移送",
}
