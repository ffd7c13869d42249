"""Request and response schemas of the case API; one body schema per action."""

from __future__ import annotations

import marshmallow as ma

from yimen.platform.api.paging import PageArgs
from yimen.platform.cases.procedure import rules
from yimen.platform.cases.record.model import CaseStatus, PartyKind
from yimen.platform.kernel.errors import Bilingual
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
    id = ma.fields.UUID(metadata={"description": "更正当事人信息时指明 (correct_party)"})
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
    """A supervision flag with its rule and article (law/flags.py)."""

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
    # the stage notes with the typed records (record/typed.py) in the places they always had
    details = ma.fields.Dict(attribute="stage_details")
    allowed_actions = ma.fields.List(ma.fields.String())
    deadlines = ma.fields.List(ma.fields.Dict())


# the largest amount the fen columns hold (INTEGER: a fine up to 21,474,836.47 yuan)
FEN_MAX = 2**31 - 1


class CaseQuery(PageArgs):
    status = ma.fields.Enum(CaseStatus, by_value=True)
    stage = ma.fields.String(validate=ma.validate.OneOf(list(rules.STAGE_NAMES)))
    overdue = ma.fields.Boolean(metadata={"description": "仅看已过期限的案件"})
    q = ma.fields.String(validate=ma.validate.Length(max=60), metadata={"description": "案号"})
    after = ma.fields.String(
        validate=ma.validate.Length(max=200),
        metadata={"description": "上一页返回的 next：接着其最后一条往后取 (此时不看 page)"},
    )
    # The decision as issued (case_decision): by its date and its fine, in fen
    decided_from = ma.fields.Date(metadata={"description": "决定日期自 (含)"})
    decided_to = ma.fields.Date(metadata={"description": "决定日期至 (含)"})
    fine_min_fen = ma.fields.Integer(
        validate=ma.validate.Range(min=0, max=FEN_MAX), metadata={"description": "罚款不少于 (分)"}
    )
    fine_max_fen = ma.fields.Integer(
        validate=ma.validate.Range(min=0, max=FEN_MAX), metadata={"description": "罚款不超过 (分)"}
    )


class CasePage(ma.Schema):
    """A page of the case list: numbered (`page`) or after a row (`after`, then page null)."""

    items = ma.fields.List(ma.fields.Nested(CaseOut), required=True)
    page = ma.fields.Integer(required=True, allow_none=True)
    page_size = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True)
    pages = ma.fields.Integer(required=True)
    next = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "下一页的 after 值；最后一页为 null"},
    )


class ActionIn(ma.Schema):
    version = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "读到的案件版本：他人已先处理则 409"},
    )
    client_id = ma.fields.String(
        validate=ma.validate.Length(min=8, max=64),
        metadata={"description": "移动端离线生成的唯一编号：重复同步不会重复记录"},
    )


def on_site() -> dict:
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


def text(n: int = 2000, **kw) -> ma.fields.String:
    return ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=n), **kw)


def fen(**kw) -> ma.fields.Integer:
    return ma.fields.Integer(validate=ma.validate.Range(min=0, max=10**13), **kw)


def body_schema(action: str, fields: dict) -> type[ma.Schema]:
    """An action's body schema from the fields its declaration names (the schema's name,
    e.g. ApproveFilingAction, is what the OpenAPI description shows)."""
    name = "".join(part.title() for part in action.split("_")) + "Action"
    return ActionIn.from_dict(fields, name=name)


CLOCK_PAUSES = ("suspension", "notice")  # 中止调查, 公告 (hearing and testing have their own)
