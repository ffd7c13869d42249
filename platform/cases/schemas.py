"""Request and response schemas of the case API; one body schema per action."""

from __future__ import annotations

import marshmallow as ma

from yimen.platform.api.paging import PageArgs
from yimen.platform.api.problems import Bilingual
from yimen.platform.cases.discretion.terms import CIRCUMSTANCES, HARM
from yimen.platform.cases.procedure import rules
from yimen.platform.cases.record.model import CaseStatus, PartyKind
from yimen.tenants.powers.rules import PENALTY_KINDS as POWER_PENALTY_KINDS

EVIDENCE_KINDS = (  # 处罚法 第四十六条: exactly these eight
    "documentary",  # 书证
    "physical",  # 物证
    "audio_visual",  # 视听资料
    "electronic_data",  # 电子数据
    "witness",  # 证人证言
    "party_statement",  # 当事人的陈述
    "expert_opinion",  # 鉴定意见
    "inspection_record",  # 勘验笔录、现场笔录
)
CHALLENGE_KINDS = ("reconsideration", "litigation")
EXECUTION_PATHS = ("agency_power", "demolition", "monetary", "auction")  # seed 000 一(三) 六
PENALTY_KINDS = tuple(k for k in POWER_PENALTY_KINDS if k != "detention")  # 处罚法 第九条


def _mask_id(number: str) -> str:
    """Birth date and sequence hidden (an ID number is sensitive personal information: the conservative default)."""
    return f"{number[:6]}********{number[-4:]}" if len(number) == 18 else ""


def _mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else ""


class PartyIn(ma.Schema):
    kind = ma.fields.Enum(PartyKind, by_value=True, required=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    id_number = ma.fields.String(validate=ma.validate.Length(max=18))
    credit_code = ma.fields.String(validate=ma.validate.Length(max=18))
    credit_code_confirmed = ma.fields.Boolean(load_default=False)
    legal_representative = ma.fields.String(validate=ma.validate.Length(max=50))
    address = ma.fields.String(validate=ma.validate.Length(max=200))
    phone = ma.fields.String(
        validate=ma.validate.Regexp(
            r"^(1[3-9]\d{9})?$",
            error=Bilingual("请输入正确的11位手机号码。", "Enter a valid mainland mobile number."),
        )
    )


class PartyOut(ma.Schema):
    kind = ma.fields.String()
    name = ma.fields.String()
    id_number = ma.fields.Function(
        lambda p: _mask_id(p.id_number), metadata={"description": "已脱敏"}
    )
    credit_code = ma.fields.String()
    legal_representative = ma.fields.String()
    address = ma.fields.String()
    phone = ma.fields.Function(lambda p: _mask_phone(p.phone))


class OfficerOut(ma.Schema):
    officer_id = ma.fields.UUID()
    recused = ma.fields.Boolean()
    recusal_reason = ma.fields.String()


class DraftIn(ma.Schema):
    matter_code = ma.fields.String(validate=ma.validate.Length(max=20))
    facts = ma.fields.String(validate=ma.validate.Length(max=5000))
    place = ma.fields.String(validate=ma.validate.Length(max=200))
    occurred_at = ma.fields.AwareDateTime()
    violation_started_on = ma.fields.Date()
    violation_ended_on = ma.fields.Date()
    continuing = ma.fields.Boolean()
    life_safety = ma.fields.Boolean(
        metadata={"description": "涉及生命健康安全、金融安全且有危害后果 (五年时效)"}
    )
    discovered_on = ma.fields.Date()
    complex_case = ma.fields.Boolean()
    measures_needed = ma.fields.Boolean()
    sector = ma.fields.String(validate=ma.validate.Length(max=30))
    parties = ma.fields.List(ma.fields.Nested(PartyIn), validate=ma.validate.Length(max=20))
    officer_ids = ma.fields.List(ma.fields.UUID(), validate=ma.validate.Length(max=10))


class DraftUpdate(DraftIn):
    version = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=2**31 - 1))


class CaseOut(ma.Schema):
    id = ma.fields.UUID()
    number = ma.fields.String(allow_none=True)
    agency_id = ma.fields.UUID()
    clue_id = ma.fields.UUID(allow_none=True)
    procedure = ma.fields.String()
    matter_code = ma.fields.String(allow_none=True)
    stage = ma.fields.String()
    stage_name = ma.fields.Function(lambda c: rules.STAGE_NAMES.get(c.stage, c.stage))
    status = ma.fields.String()
    status_name = ma.fields.Function(lambda c: rules.STATUS_NAMES.get(c.status, c.status))
    facts = ma.fields.String()
    place = ma.fields.String()
    discovered_on = ma.fields.Date(allow_none=True)  # the limitation period's test (第三十六条)
    filed_on = ma.fields.Date(allow_none=True)
    decided_on = ma.fields.Date(allow_none=True)
    served_on = ma.fields.Date(allow_none=True)
    closed_on = ma.fields.Date(allow_none=True)
    major = ma.fields.Boolean()
    complex_case = ma.fields.Boolean()
    hearing_requested = ma.fields.Boolean()
    penalty_kinds = ma.fields.List(ma.fields.String())
    proposed_fine_fen = ma.fields.Integer(allow_none=True)
    fine_fen = ma.fields.Integer(allow_none=True)
    flagged = ma.fields.Boolean()
    next_deadline = ma.fields.Date(allow_none=True)
    next_deadline_label = ma.fields.String()
    version = ma.fields.Integer()


class FlagOut(ma.Schema):
    """A supervision flag with its rule and article (law_flags.py)."""

    rule = ma.fields.String()
    article = ma.fields.String()
    reason = ma.fields.String(attribute="reason_zh")
    reason_en = ma.fields.String()
    raised_at = ma.fields.AwareDateTime()
    resolved_at = ma.fields.AwareDateTime(allow_none=True)


class CaseDetailOut(CaseOut):
    flags = ma.fields.List(ma.fields.Nested(FlagOut))  # open first
    parties = ma.fields.List(ma.fields.Nested(PartyOut))
    officers = ma.fields.List(ma.fields.Nested(OfficerOut))
    discretion = ma.fields.Dict()
    details = ma.fields.Dict()
    allowed_actions = ma.fields.List(ma.fields.String())
    deadlines = ma.fields.List(ma.fields.Dict())


class CaseQuery(PageArgs):
    status = ma.fields.Enum(CaseStatus, by_value=True)
    stage = ma.fields.String(validate=ma.validate.OneOf(list(rules.STAGE_NAMES)))
    overdue = ma.fields.Boolean(metadata={"description": "仅看已过期限的案件"})
    q = ma.fields.String(validate=ma.validate.Length(max=60), metadata={"description": "案号"})


class ActionIn(ma.Schema):
    version = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "读到的案件版本：他人已先处理则 409"},
    )
    client_id = ma.fields.String(
        validate=ma.validate.Length(min=8, max=64),
        metadata={"description": "移动端离线生成的唯一编号：重复同步不会重复记录"},
    )


def _on_site() -> dict:
    """What 行政强制法 第十八条 requires done on the spot when a measure is taken; the
    handler checks it, so a missing fact is a field error naming the article."""
    return {
        "reason": ma.fields.String(
            validate=ma.validate.Length(max=1000), metadata={"description": "采取措施的理由"}
        ),
        "basis": ma.fields.String(
            validate=ma.validate.Length(max=500), metadata={"description": "采取措施的法律依据"}
        ),
        "identity_shown": ma.fields.Boolean(load_default=False),
        "party_present": ma.fields.Boolean(load_default=False),
        "party_notified": ma.fields.Boolean(load_default=False),
        "witness": ma.fields.String(
            validate=ma.validate.Length(max=100), metadata={"description": "当事人不到场时的见证人"}
        ),
        "told": ma.fields.Boolean(
            load_default=False,
            metadata={"description": "当场告知理由、依据以及当事人依法享有的权利、救济途径"},
        ),
        "statement": ma.fields.String(
            validate=ma.validate.Length(max=2000), metadata={"description": "当事人的陈述和申辩"}
        ),
        "party_signature": ma.fields.String(
            validate=ma.validate.OneOf(("signed", "refused")),
            metadata={"description": "当事人在现场笔录上签名，或拒绝签名 (在笔录中注明)"},
        ),
        "record": ma.fields.String(
            validate=ma.validate.Length(max=5000), metadata={"description": "现场笔录：现场情况"}
        ),
    }


RELEASE_GROUNDS = ("no_violation", "unrelated", "decided", "expired", "no_longer_needed")
PRESERVATION_OUTCOMES = ("returned", "copied", "tested", "seized", "transferred")


def _text(n: int = 2000, **kw) -> ma.fields.String:
    return ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=n), **kw)


def _fen(**kw) -> ma.fields.Integer:
    return ma.fields.Integer(validate=ma.validate.Range(min=0, max=10**13), **kw)


def _body(action: str, fields: dict) -> type[ma.Schema]:
    name = "".join(part.title() for part in action.split("_")) + "Action"
    return ActionIn.from_dict(fields, name=name)


CLOCK_PAUSES = ("suspension", "notice")  # 中止调查, 公告 (hearing and testing have their own)


ACTION_SCHEMAS: dict[str, type[ma.Schema]] = {
    "advance": _body("advance", {}),
    "extend_lead_check": _body("extend_lead_check", {"reason": _text(500)}),
    "decide_substitute_performance": _body(
        "decide_substitute_performance",
        {
            "harm": ma.fields.String(
                required=True, validate=ma.validate.OneOf(("traffic", "pollution", "resources"))
            ),
            "obligation": _text(500),
            "reason": _text(1000),
            "target": _text(500),
            "method": _text(500),
            "performer": _text(200),
            "budget_fen": _fen(required=True),
            "served_on": ma.fields.Date(),
            "perform_from": ma.fields.Date(required=True),
        },
    ),
    "record_substitute_performance": _body(
        "record_substitute_performance",
        {
            "performed_on": ma.fields.Date(),
            "supervisor": _text(100),
            "party_signed": ma.fields.Boolean(load_default=False),
            "witness": ma.fields.String(validate=ma.validate.Length(max=200)),
            "cost_fen": _fen(required=True),
        },
    ),
    "record_execution_agreement": _body(
        "record_execution_agreement",
        {
            "terms": _text(2000),
            "stages": ma.fields.List(
                ma.fields.Date(), metadata={"description": "分阶段履行的各期期限"}
            ),
            "remedy": ma.fields.String(
                validate=ma.validate.Length(max=500),
                metadata={"description": "当事人采取的补救措施 (减免加处罚款时必填)"},
            ),
            "waived_fen": _fen(),
            "agreed_on": ma.fields.Date(),
        },
    ),
    "agreement_breached": _body(
        "agreement_breached", {"note": _text(500), "breached_on": ma.fields.Date()}
    ),
    "suspend_execution": _body(
        "suspend_execution",
        {
            "ground": ma.fields.String(
                required=True, validate=ma.validate.OneOf(list(rules.EXECUTION_SUSPENSION_GROUNDS))
            ),
            "reason": _text(500),
            "suspended_on": ma.fields.Date(),
        },
    ),
    "resume_execution": _body("resume_execution", {"resumed_on": ma.fields.Date()}),
    "terminate_execution": _body(
        "terminate_execution",
        {
            "ground": ma.fields.String(
                required=True, validate=ma.validate.OneOf(list(rules.EXECUTION_TERMINATION_GROUNDS))
            ),
            "reason": _text(500),
            "terminated_on": ma.fields.Date(),
        },
    ),
    "pause_clock": _body(
        "pause_clock",
        {
            "kind": ma.fields.String(required=True, validate=ma.validate.OneOf(CLOCK_PAUSES)),
            "reason": _text(500),
            "started_on": ma.fields.Date(),
        },
    ),
    "resume_clock": _body(
        "resume_clock",
        {
            "kind": ma.fields.String(required=True, validate=ma.validate.OneOf(CLOCK_PAUSES)),
            "ended_on": ma.fields.Date(),
        },
    ),
    "approve_filing": _body(
        "approve_filing", {"opinion": ma.fields.String(load_default="同意立案")}
    ),
    "decline_filing": _body("decline_filing", {"reason": _text(500)}),
    "decide_on_spot": _body(
        "decide_on_spot",
        {
            "penalty_kinds": ma.fields.List(
                ma.fields.String(validate=ma.validate.OneOf(("warning", "fine"))),
                required=True,
                validate=ma.validate.Length(min=1, max=2),
                metadata={"description": "简易程序只能警告或罚款 (处罚法 第五十一条)"},
            ),
            "fine_fen": _fen(),
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
    ),
    "hand_in_fine": _body("hand_in_fine", {"handed_in_on": ma.fields.Date()}),
    "record_filing": _body(
        "record_filing",
        {
            "filed_on": ma.fields.Date(),
            "note": ma.fields.String(validate=ma.validate.Length(max=500)),
        },
    ),
    "add_evidence": _body(
        "add_evidence",
        {
            "kind": ma.fields.String(required=True, validate=ma.validate.OneOf(EVIDENCE_KINDS)),
            "title": _text(200),
            "sha256": ma.fields.String(validate=ma.validate.Regexp(r"^[0-9a-f]{64}$")),
            "collected_on": ma.fields.Date(),
        },
    ),
    "add_record": _body("add_record", {"kind": _text(40), "content": _text(20000)}),
    "recuse_officer": _body(
        "recuse_officer", {"officer_id": ma.fields.UUID(required=True), "reason": _text(500)}
    ),
    "impose_measure": _body(
        "impose_measure",
        {
            "kind": ma.fields.String(required=True, validate=ma.validate.OneOf(("seal", "seize"))),
            "items": ma.fields.List(
                ma.fields.String(), required=True, validate=ma.validate.Length(min=1)
            ),
            "started_on": ma.fields.Date(),
            **_on_site(),
        },
    ),
    "impose_emergency_measure": _body(
        "impose_emergency_measure",
        {
            "kind": ma.fields.String(required=True, validate=ma.validate.OneOf(("seal", "seize"))),
            "items": ma.fields.List(
                ma.fields.String(), required=True, validate=ma.validate.Length(min=1)
            ),
            "executed_at": ma.fields.AwareDateTime(required=True),
            "grounds": _text(1000),
            **_on_site(),
        },
    ),
    "approve_measure": _body(
        "approve_measure",
        {
            "measure_id": ma.fields.UUID(required=True),
            "approved": ma.fields.Boolean(required=True),
            "at": ma.fields.AwareDateTime(),
        },
    ),
    "extend_measure": _body(
        "extend_measure",
        {
            "measure_id": ma.fields.UUID(required=True),
            "days": ma.fields.Integer(validate=ma.validate.Range(min=1, max=366)),
            "reason": _text(1000),
        },
    ),
    "record_testing": _body(
        "record_testing",
        {
            "measure_id": ma.fields.UUID(required=True),
            "started_on": ma.fields.Date(required=True),
            "ended_on": ma.fields.Date(required=True),
            "what": _text(500, metadata={"description": "检测、检验、检疫或者技术鉴定的事项"}),
        },
    ),
    "lift_measure": _body(
        "lift_measure",
        {
            "measure_id": ma.fields.UUID(required=True),
            "outcome": ma.fields.String(
                required=True, validate=ma.validate.OneOf(("lifted", "confiscated", "transferred"))
            ),
            "ground": ma.fields.String(
                validate=ma.validate.OneOf(RELEASE_GROUNDS),
                metadata={"description": "解除的情形 (行政强制法 第二十八条第一款)"},
            ),
            "returned": ma.fields.List(
                ma.fields.String(validate=ma.validate.Length(min=1, max=200)),
                metadata={"description": "退还的财物 (默认全部)"},
            ),
            "ended_on": ma.fields.Date(),
        },
    ),
    "preserve_evidence": _body(
        "preserve_evidence",
        {
            "items": ma.fields.List(
                ma.fields.String(validate=ma.validate.Length(min=1, max=200)),
                required=True,
                validate=ma.validate.Length(min=1, max=100),
            ),
            "reason": _text(1000, metadata={"description": "证据可能灭失或者以后难以取得的情况"}),
            "approved_on": ma.fields.Date(metadata={"description": "负责人批准日期 (默认今天)"}),
            "preserved_on": ma.fields.Date(metadata={"description": "登记保存日期 (默认今天)"}),
            "kept_at": ma.fields.String(validate=ma.validate.Length(max=200)),
        },
    ),
    "decide_preserved_evidence": _body(
        "decide_preserved_evidence",
        {
            "preservation_id": ma.fields.UUID(
                metadata={"description": "只有一项未处理的登记保存时可省略"}
            ),
            "outcome": ma.fields.String(
                required=True, validate=ma.validate.OneOf(PRESERVATION_OUTCOMES)
            ),
            "decided_on": ma.fields.Date(),
            "note": ma.fields.String(validate=ma.validate.Length(max=1000)),
        },
    ),
    "order_correction": _body(
        "order_correction", {"content": _text(1000), "correct_by": ma.fields.Date()}
    ),
    "correction_not_required": _body("correction_not_required", {"reason": _text(500)}),
    "propose_penalty": _body(
        "propose_penalty",
        {
            "penalty_kinds": ma.fields.List(
                ma.fields.String(validate=ma.validate.OneOf(PENALTY_KINDS)),
                required=True,
                validate=ma.validate.Length(min=1),
            ),
            "fine_fen": _fen(),
            "confiscation_fen": _fen(),
            "circumstance": ma.fields.String(validate=ma.validate.Length(max=40)),
            "first_violation": ma.fields.Boolean(load_default=False),
            "illegal_gains_fen": _fen(),
            "mitigating": ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=40))),
            "aggravating": ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=40))),
            "justification": ma.fields.String(validate=ma.validate.Length(max=2000)),
        },
    ),
    "serve_prior_notice": _body("serve_prior_notice", {"served_on": ma.fields.Date()}),
    "record_statement": _body(
        "record_statement",
        {
            "statement": _text(5000),
            "reexamination": ma.fields.String(validate=ma.validate.Length(max=5000)),
        },
    ),
    "waive": _body("waive", {"signed_by": _text(100)}),
    "request_hearing": _body("request_hearing", {"requested_on": ma.fields.Date()}),
    "schedule_hearing": _body(
        "schedule_hearing",
        {
            "hearing_on": ma.fields.Date(required=True),
            "noticed_on": ma.fields.Date(),
            "presider_id": ma.fields.UUID(required=True),
            "place": _text(200),
            "public": ma.fields.Boolean(load_default=True),
        },
    ),
    "record_hearing": _body(
        "record_hearing",
        {
            "transcript": ma.fields.String(validate=ma.validate.Length(max=20000)),
            "no_show": ma.fields.Boolean(load_default=False),
            "held_on": ma.fields.Date(),
        },
    ),
    "legal_review": _body(
        "legal_review",
        {
            "result": ma.fields.String(
                required=True, validate=ma.validate.OneOf(("passed", "returned"))
            ),
            "opinion": _text(5000),
            "reviewer_id": ma.fields.UUID(
                metadata={"description": "审核人员 (代其提交时填写；本人登录时不填)"}
            ),
        },
    ),
    "record_discussion": _body(
        "record_discussion", {"minutes": _text(20000), "conclusion": _text(2000)}
    ),
    "extend_deadline": _body(
        "extend_deadline",
        {
            "reason": _text(1000),
            "days": ma.fields.Integer(
                validate=ma.validate.Range(min=1, max=366),
                metadata={"description": "集体讨论确定的延长天数 (再次延长时)"},
            ),
        },
    ),
    "approve_departure": _body("approve_departure", {"reason": _text(1000)}),
    "decide": _body("decide", {"fine_fen": _fen()}),
    "record_no_penalty_facts": _body(
        "record_no_penalty_facts",
        {
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
    ),
    "choose_outcome": _body(
        "choose_outcome",
        {
            "outcome": ma.fields.String(
                required=True, validate=ma.validate.OneOf(tuple(rules.OUTCOMES))
            ),
            "reason": _text(2000),
        },
    ),
    "educate_party": _body(
        "educate_party", {"content": _text(2000), "educated_on": ma.fields.Date()}
    ),
    "decide_no_penalty": _body("decide_no_penalty", {}),
    "decide_transfer": _body(
        "decide_transfer",
        {
            "organ": _text(200, metadata={"description": "接收移送的司法机关"}),
            "transferred_on": ma.fields.Date(),
        },
    ),
    "serve_decision": _body(
        "serve_decision",
        {
            "method": ma.fields.String(
                required=True,
                validate=ma.validate.OneOf(
                    ("direct", "left", "electronic", "post", "public_notice")
                ),
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
    ),
    "record_payment": _body(
        "record_payment", {"amount_fen": _fen(required=True), "paid_on": ma.fields.Date()}
    ),
    "approve_deferral": _body(
        "approve_deferral",
        {
            "kind": ma.fields.String(
                required=True, validate=ma.validate.OneOf(("deferral", "instalments"))
            ),
            "until": ma.fields.Date(required=True, metadata={"description": "暂缓或分期的截止日"}),
            "reason": _text(1000),
        },
    ),
    "record_challenge": _body(
        "record_challenge",
        {
            "kind": ma.fields.String(required=True, validate=ma.validate.OneOf(CHALLENGE_KINDS)),
            "filed_on": ma.fields.Date(),
            "body": ma.fields.String(
                validate=ma.validate.Length(max=200), metadata={"description": "复议机关或法院"}
            ),
        },
    ),
    "conclude_challenge": _body(
        "conclude_challenge",
        {
            "kind": ma.fields.String(required=True, validate=ma.validate.OneOf(CHALLENGE_KINDS)),
            "outcome": ma.fields.String(
                required=True,
                validate=ma.validate.OneOf(("upheld", "varied", "revoked", "withdrawn")),
            ),
            "concluded_on": ma.fields.Date(),
            "fine_fen": _fen(metadata={"description": "变更后的罚款 (outcome=varied)"}),
        },
    ),
    "issue_demand": _body("issue_demand", {"served_on": ma.fields.Date()}),
    "record_demand_statement": _body(
        "record_demand_statement", {"statement": _text(5000), "reexamination": _text(5000)}
    ),
    "decide_execution": _body(
        "decide_execution",
        {
            "content": _text(2000, metadata={"description": "强制执行的方式和时间"}),
            "decided_on": ma.fields.Date(),
            "immediate": ma.fields.Boolean(load_default=False),
            "grounds": ma.fields.String(validate=ma.validate.Length(max=2000)),
            "path": ma.fields.String(validate=ma.validate.OneOf(EXECUTION_PATHS)),
        },
    ),
    "publish_demolition_notice": _body(
        "publish_demolition_notice",
        {"demolish_by": ma.fields.Date(required=True), "published_on": ma.fields.Date()},
    ),
    "apply_to_court": _body("apply_to_court", {"applied_on": ma.fields.Date()}),
    "enforce": _body(
        "enforce",
        {
            "path": ma.fields.String(required=True, validate=ma.validate.OneOf(EXECUTION_PATHS)),
            "at": ma.fields.AwareDateTime(),
            "emergency": ma.fields.String(
                validate=ma.validate.Length(max=500),
                metadata={"description": "情况紧急须在夜间或节假日执行的，写明紧急情况"},
            ),
        },
    ),
    "approve_closure": _body("approve_closure", {}),
    "archive": _body("archive", {}),
}
