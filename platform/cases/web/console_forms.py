"""The console's form for each case action, generated from the action's body schema
(cases.registry.ACTION_SCHEMAS, from each action's declaration) so the page asks for exactly what the API takes, and the posted
form read back into the API's JSON body.

Field types map to inputs: Date → date, String with OneOf → select, a long String →
textarea, Boolean → checkbox, a *_id UUID → a select of officers (or of the case's open
measures), an integer *_fen amount → yuan with two decimals, a List of OneOf → one
checkbox per choice, a List of strings → one line each. `version` travels hidden;
`client_id` (offline sync) and timestamps the server takes as now are left out.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass

import marshmallow as ma
from werkzeug.datastructures import MultiDict

from yimen.platform.api.problems import Bilingual
from yimen.platform.cases.contracts import NOT_FILING_GROUNDS
from yimen.platform.cases.discretion.terms import AGGRAVATING, CIRCUMSTANCES, MITIGATING
from yimen.platform.cases.procedure import rules
from yimen.platform.cases.procedure.rules import OUTCOMES
from yimen.platform.cases.registry import ACTION_SCHEMAS, SPECS
from yimen.tenants.powers.rules import PENALTY_KINDS

SKIPPED = frozenset({"version", "client_id"})

# field → (Chinese, English); per action where the same name means different things.
LABELS: dict[str, tuple[str, str]] = {
    "opinion": ("意见", "Opinion"),
    "reason": ("理由", "Reason"),
    "title": ("证据名称", "Title"),
    "sha256": ("文件 SHA-256 (可选)", "File SHA-256 (optional)"),
    "collected_on": ("收集日期", "Collected on"),
    "content": ("内容", "Content"),
    "officer_id": ("回避的执法人员", "Officer to recuse"),
    "items": ("查封扣押物品 (每行一项)", "Items (one per line)"),
    "started_on": ("开始日期", "Started on"),
    "measure_id": ("措施", "Measure"),
    "outcome": ("处理结果", "Outcome"),
    "ended_on": ("解除日期", "Ended on"),
    "correct_by": ("改正期限", "Correct by"),
    "penalty_kinds": ("处罚种类", "Kinds of penalty"),
    "fine_fen": ("罚款 (元)", "Fine (yuan)"),
    "confiscation_fen": ("没收金额 (元)", "Confiscation (yuan)"),
    "circumstance": ("违法情节", "Circumstances"),
    "first_violation": ("初次违法", "First violation"),
    "illegal_gains_fen": ("违法所得 (元)", "Illegal gains (yuan)"),
    "mitigating": ("从轻、减轻情节", "Mitigating factors"),
    "aggravating": ("从重情节", "Aggravating factors"),
    "justification": ("超出裁量基准的书面说明", "Written justification"),
    "served_on": ("送达日期", "Served on"),
    "statement": ("当事人陈述申辩", "The party's statement"),
    "reexamination": ("复核意见", "Re-examination"),
    "signed_by": ("放弃声明签署人", "Signed by"),
    "requested_on": ("申请日期", "Requested on"),
    "hearing_on": ("听证日期", "Hearing date"),
    "noticed_on": ("通知日期", "Notified on"),
    "presider_id": ("听证主持人", "Presiding officer"),
    "reviewer_id": ("法制审核人员 (代其提交时选择)", "Legal reviewer (when submitting for one)"),
    "place": ("地点", "Place"),
    "public": ("公开举行", "Public hearing"),
    "transcript": ("听证笔录", "Transcript"),
    "no_show": ("当事人无正当理由未到场", "The party did not appear"),
    "held_on": ("举行日期", "Held on"),
    "result": ("审核结论", "Result"),
    "minutes": ("讨论记录", "Minutes"),
    "conclusion": ("讨论结论", "Conclusion"),
    "method": ("送达方式", "Method of service"),
    "consent_signed": ("当事人已签订电子送达确认书", "E-service consent signed"),
    "amount_fen": ("实缴金额 (元)", "Amount paid (yuan)"),
    "paid_on": ("缴款日期", "Paid on"),
    "path": ("执行方式", "Path"),
    "corrected": ("当事人已及时改正", "Corrected in time"),
    "corrected_on": ("改正日期", "Corrected on"),
    "harm": ("危害后果", "Harm"),
    "no_fault": ("当事人有证据足以证明没有主观过错", "No fault proved"),
    "no_fault_evidence": ("证明没有主观过错的证据 (每行一项：证据名称)", "Evidence of no fault"),
    "no_fault_excluded_by": (
        "法律、行政法规另有规定的条文 (如有)",
        "Law or regulation providing otherwise",
    ),
    "educated_on": ("教育日期", "Educated on"),
    "organ": ("接收移送的司法机关", "Receiving judicial organ"),
    "transferred_on": ("移送日期", "Transferred on"),
    # 行政强制法 第十八条: what was done on the spot
    "basis": ("采取措施的依据", "Legal basis"),
    "identity_shown": ("已出示执法身份证件", "Officers' ID shown"),
    "party_present": ("当事人到场", "The party was present"),
    "party_notified": ("已通知当事人到场", "The party was notified to attend"),
    "witness": ("见证人 (当事人不到场时)", "Witness (the party absent)"),
    "told": (
        "已当场告知理由、依据及当事人依法享有的权利、救济途径",
        "Reasons, basis, rights and remedies told on the spot",
    ),
    "party_signature": ("当事人在现场笔录上签名", "The party's signature on the record"),
    "record": ("现场笔录：现场情况", "On-site record"),
    "what": ("检测、检验、检疫或者技术鉴定的事项", "What is tested"),
    "ground": ("解除的情形", "Ground of release"),
    "returned": ("退还的财物 (每行一项，默认全部)", "Items returned (default: all)"),
    "approved_on": ("负责人批准日期", "Approved on"),
    "preserved_on": ("登记保存日期", "Preserved on"),
    "kept_at": ("保存地点", "Kept at"),
    "decided_on": ("决定日期", "Decided on"),
    "note": ("说明", "Note"),
    # 当场处罚 (处罚法 第五十一条、第六十八条、第六十九条)
    "refused_to_sign": ("当事人拒绝签收 (在决定书上注明)", "The party refused to sign"),
    "collect_on_spot": ("当场收缴罚款", "Fine collected on the spot"),
    "hard_to_collect": ("事后难以执行", "Hard to collect afterwards"),
    "remote_area_request": (
        "边远、水上、交通不便地区，当事人提出",
        "Remote area, at the party's request",
    ),
    "receipt_no": ("罚款专用票据号", "Fine receipt number"),
    "handed_in_on": ("罚款交至行政机关日期", "Handed in on"),
    # 行政强制法
    "approved": ("负责人批准", "Approved by the head"),
    "until": ("截止日期", "Until"),
    "immediate": ("立即执行", "Immediate"),
    "grounds": ("事实、理由和依据", "Facts, reasons and basis"),
    "published_on": ("公告日期", "Published on"),
    "demolish_by": ("限期自行拆除日", "Demolish by"),
    "applied_on": ("申请日期", "Applied on"),
    "concluded_on": ("终结日期", "Concluded on"),
}
# A field's label for one action, where the shared one above does not fit: the form hints
# of the action's declaration.
PER_ACTION: dict[tuple[str, str], tuple[str, str]] = {
    (name, field): label for name, spec in SPECS.items() for field, label in spec.form.items()
}
# English for choices whose source tables carry Chinese only (or the code).
CIRCUMSTANCE_EN = {"minor": "Minor", "ordinary": "Ordinary", "serious": "Serious"}
OUTCOME_EN = {
    "penalty": "Impose a penalty",
    "no_penalty": "Minor: no penalty",
    "not_established": "Facts not established: no penalty",
    "transfer": "Suspected crime: transfer to the judicial organ",
}
GROUND_EN: dict[str | tuple[str, str], str] = {
    "hardship": "The party truly cannot perform now",
    "third_party": "A third party claims the object, with reason",
    "irreparable": "Irreparable loss, no harm to the public interest",
    "other": "Other grounds the agency finds",
    ("end", "died"): "The citizen died, no estate, no successor",
    ("end", "dissolved"): "The organisation ended, no property, no successor",
    ("end", "object_lost"): "The object of execution was lost",
    ("end", "revoked"): "The decision was revoked",
    ("end", "suspended_3_years"): "Suspended three years without resuming",
    ("end", "other"): "Other grounds the agency finds",
}
CHOICES: dict[str, dict[str, tuple[str, str]]] = {
    "party_kind": {  # 处罚法 第四条: persons, legal persons and other organisations
        "person": ("自然人", "Natural person"),
        "organisation": ("法人及非法人组织", "Legal person or other organisation"),
        "individual_business": ("个体工商户", "Individual business"),
    },
    "evidence": {
        "documentary": ("书证", "Documentary"),
        "physical": ("物证", "Physical"),
        "audio_visual": ("视听资料", "Audio-visual"),
        "electronic_data": ("电子数据", "Electronic data"),
        "witness": ("证人证言", "Witness testimony"),
        "party_statement": ("当事人的陈述", "The party's statement"),
        "expert_opinion": ("鉴定意见", "Expert opinion"),
        "inspection_record": ("勘验笔录、现场笔录", "Inspection record"),
    },
    "measure": {"seal": ("查封", "Seal-up"), "seize": ("扣押", "Seizure")},
    "party_signature": {"signed": ("已签名", "Signed"), "refused": ("拒绝签名", "Refused")},
    "ground": {
        "no_violation": ("当事人没有违法行为", "No violation"),
        "unrelated": ("财物与违法行为无关", "Unrelated to the violation"),
        "decided": ("已作出处理决定，不再需要", "Decided: no longer needed"),
        "expired": ("查封、扣押期限已经届满", "The period ran out"),
        "no_longer_needed": ("其他不再需要的情形", "No longer needed"),
    },
    "preservation_outcome": {
        "returned": ("解除先行登记保存，退还当事人", "Returned"),
        "copied": ("记录、复制、拍照、录像后退还", "Recorded and returned"),
        "tested": ("送交检测、检验、检疫、鉴定", "Sent for testing"),
        "seized": ("采取查封、扣押措施", "Seized as a compulsory measure"),
        "transferred": ("移送有关机关", "Transferred"),
    },
    "outcome": {
        "lifted": ("解除", "Lifted"),
        "confiscated": ("依法没收", "Confiscated"),
        "transferred": ("移送", "Transferred"),
    },
    "result": {"passed": ("通过", "Passed"), "returned": ("退回补正", "Returned")},
    "method": {
        "direct": ("直接送达", "In person"),
        "left": ("留置送达", "Left at the address"),
        "electronic": ("电子送达", "Electronic"),
        "post": ("邮寄送达", "By post"),
        "public_notice": ("公告送达", "Public notice"),
    },
    "path": {
        "agency_power": ("行政机关强制执行", "By the agency"),
        "monetary": ("加处罚款或滞纳金、划拨存款汇款", "Monetary: surcharge, transfer of deposits"),
        "demolition": ("强制拆除", "Demolition"),
        "auction": ("拍卖、依法处理", "Auction"),
    },
    "penalty_kinds": {k: v for k, v in PENALTY_KINDS.items() if k != "detention"},
    "circumstance": {
        k: (zh, CIRCUMSTANCE_EN.get(k, en)) for k, (zh, en, _tier) in CIRCUMSTANCES.items()
    },
    "deferral_kind": {
        "deferral": ("暂缓缴纳", "Deferred payment"),
        "instalments": ("分期缴纳", "Payment in instalments"),
    },
    "challenge_kind": {
        "reconsideration": ("行政复议", "Administrative reconsideration"),
        "litigation": ("行政诉讼", "Administrative litigation"),
    },
    "challenge_outcome": {
        "upheld": ("维持", "Upheld"),
        "varied": ("变更", "Varied"),
        "revoked": ("撤销", "Revoked"),
        "withdrawn": ("撤回申请或起诉", "Withdrawn"),
    },
    "harm": {
        "none": ("没有造成危害后果", "No harm"),
        "slight": ("危害后果轻微", "Slight harm"),
        "harmful": ("造成危害后果", "Harmful"),
    },
    "case_outcome": {k: (zh, OUTCOME_EN.get(k, k)) for k, (zh, _article) in OUTCOMES.items()},
    "not_filing_ground": {k: (zh, en) for k, (zh, en, _article) in NOT_FILING_GROUNDS.items()},
    "substitute_harm": {
        "traffic": ("危害交通安全", "Harms traffic safety"),
        "pollution": ("造成环境污染", "Pollutes the environment"),
        "resources": ("破坏自然资源", "Damages natural resources"),
    },
    "execution_suspension": {
        k: (v, GROUND_EN.get(k, k)) for k, v in rules.EXECUTION_SUSPENSION_GROUNDS.items()
    },
    "execution_termination": {
        k: (v, GROUND_EN.get(("end", k), k)) for k, v in rules.EXECUTION_TERMINATION_GROUNDS.items()
    },
    "clock_pause": {
        "suspension": ("案件中止调查", "Investigation suspended"),
        "notice": ("公告期间", "Public notice period"),
    },
    "mitigating": {k: (zh, zh) for k, (zh, _a, _m) in MITIGATING.items()},
    "aggravating": {k: (zh, zh) for k, (zh, _a) in AGGRAVATING.items()},
}
# The choice set (CHOICES) of a field for one action: from its declaration.
CHOICE_SET: dict[tuple[str, str], str] = {
    (name, field): choices
    for name, spec in SPECS.items()
    for field, choices in spec.choices.items()
}
LONG_TEXT = 500  # a String longer than this is a textarea
# The field the server computes from a file the form uploads (the console never asks
# for a hash): the action's form takes the file itself, multipart.
UPLOADS: dict[str, str] = {"add_evidence": "sha256"}
UPLOAD_LABEL = (
    "证据文件 (照片、视频、录音或文档，可选)",
    "Evidence file (photo, video, audio or document; optional)",
)


@dataclass(frozen=True)
class Input:
    name: str
    kind: str  # date | text | textarea | select | checkbox | checkboxes | officer | measure | yuan | lines | record | file
    label: tuple[str, str]
    required: bool = False
    choices: tuple[tuple[str, tuple[str, str]], ...] = ()
    checked: bool = False  # a checkbox's default


def _one_of(f: ma.fields.Field) -> tuple[str, ...]:
    for validator in f.validators:
        if isinstance(validator, ma.validate.OneOf):
            return tuple(validator.choices)
    return ()


def _max_length(f: ma.fields.Field) -> int:
    for validator in f.validators:
        if isinstance(validator, ma.validate.Length) and validator.max:
            return validator.max
    return 0


def _labelled(action: str, name: str, codes: tuple[str, ...]):
    table = CHOICES.get(CHOICE_SET.get((action, name), name), {})
    return tuple((c, table.get(c, (c, c))) for c in codes)


def _kind(action: str, name: str, f: ma.fields.Field) -> str | None:
    if UPLOADS.get(action) == name:
        return "file"
    if isinstance(f, ma.fields.AwareDateTime):
        return None  # the server takes "now"
    if isinstance(f, ma.fields.Date):
        return "date"
    if isinstance(f, ma.fields.Boolean):
        return "checkbox"
    if name == "preservation_id":
        return None  # the console decides the one open preservation (the API may choose)
    if isinstance(f, ma.fields.UUID):
        return "measure" if name == "measure_id" else "officer"
    if isinstance(f, ma.fields.Integer) and name.endswith("_fen"):
        return "yuan"
    if isinstance(f, ma.fields.List):
        return "checkboxes" if _one_of(f.inner) or name in CHOICES else "lines"
    if action == "add_record" and name == "kind":
        return "record"
    if _one_of(f) or name in CHOICES:
        return "select"
    if isinstance(f, ma.fields.String):
        return "textarea" if _max_length(f) > LONG_TEXT else "text"
    return None


def inputs(action: str) -> list[Input]:
    """The inputs of an action's form, in the schema's order."""
    schema = ACTION_SCHEMAS[action]()
    found = []
    for name, f in schema.fields.items():
        kind = None if name in SKIPPED else _kind(action, name, f)
        if kind is None:
            continue
        codes = _one_of(f.inner) if isinstance(f, ma.fields.List) else _one_of(f)
        if kind in ("select", "checkboxes") and not codes:  # a free field with known values
            codes = tuple(CHOICES.get(CHOICE_SET.get((action, name), name), {}))
        label = PER_ACTION.get((action, name)) or LABELS.get(name, (name, name))
        if kind == "file":
            name, label = "file", UPLOAD_LABEL
        found.append(
            Input(
                name,
                kind,
                label,
                required=f.required,
                choices=_labelled(action, name, codes),
                checked=f.load_default is True,
            )
        )
    return found


def _yuan_to_fen(value: str) -> int:
    try:
        amount = decimal.Decimal(value.replace(",", "").replace("，", ""))
    except decimal.InvalidOperation:
        raise ma.ValidationError(
            Bilingual("请输入金额 (元)，最多两位小数。", "Enter an amount in yuan.")
        ) from None
    fen = amount * 100
    if fen != fen.to_integral_value() or amount < 0:
        raise ma.ValidationError(
            Bilingual("请输入金额 (元)，最多两位小数。", "Enter an amount in yuan.")
        )
    return int(fen)


def read(action: str, form: MultiDict) -> dict:
    """The posted form as the action's JSON body (blanks dropped); an amount that is not
    yuan is a field error like any the schema finds."""
    data: dict = {}
    errors: dict = {}
    for item in inputs(action):
        if item.kind == "file":
            continue  # the file is read by the upload's view, its hash by the server
        if item.kind == "checkbox":
            data[item.name] = form.get(item.name) in ("1", "on", "true")
        elif item.kind == "checkboxes":
            values = [v for v in form.getlist(item.name) if v]
            if values:
                data[item.name] = values
        elif item.kind == "lines":
            lines = [s.strip() for s in form.get(item.name, "").splitlines() if s.strip()]
            if lines:
                data[item.name] = lines
        elif (value := form.get(item.name, "").strip()) and item.kind == "yuan":
            try:
                data[item.name] = _yuan_to_fen(value)
            except ma.ValidationError as exc:
                errors[item.name] = exc.messages
        elif value:
            data[item.name] = value
    if errors:
        raise ma.ValidationError(errors)
    if form.get("version", "").strip():
        data["version"] = form["version"].strip()
    return data
