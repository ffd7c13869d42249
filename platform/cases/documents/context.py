"""What a template is filled with: the case's own facts, read from the database, then the
keys the issuing action passes (which win).

Every template gets these keys (dates as "2026年11月22日"):

- `title`, `kind`, `number` (None for unnumbered kinds), `issued_on_zh`, `issued_by`, `sealed`
- `agency` {name, credit_code}; `district` (the tenant's name);
  `reconsideration_body` (tenant setting, else "<district>人民政府": 行政复议法 第二十四条);
  `court` (tenant setting `litigation_court`, else "<district>人民法院")
- `case` {number, facts, place, matter_name, matter_code, occurred_on_zh, filed_on_zh}
- `parties` [{name, kind, id_number, credit_code, legal_representative, address}], `party`
  (the first, or an empty one)
- `officers` [{name, certificate_no}] — the case's officers who are not recused
- `violated` (provisions violated), `penalty_basis` (the penalty provision)
- `penalty_text` ("罚款人民币伍仟元整（¥5,000.00）" …), `fine_fen`, `fine_yuan`, `fine_upper`
- `discretion_sentence`, `evidence_text`, `statement_summary`, `hearing_right`
- `decision_number`, `decision_kind` (the decision's document kind), `decided_on_zh`,
  `served_on_zh`, `prior_notice_served_zh`, `statement_due_zh`, `demand_served_on_zh`,
  `execution_text`
- `details` (the case's stage facts)

- `hearing_time_zh`, `hearing_held`, `hearing_held_on_zh`, `hearing_no_show` (the hearing's
  facts: a decision after one is made on its record, 第六十五条), `reviewer_name` (the legal
  reviewer's name), `payment_account` {name, bank, number} (the agency's, or None),
  `case_source` (the clue's channel and number, or the officers' own discovery)

Keys an action may pass, by kind (all optional unless marked):

- 立案审批表: opinion, source (else `case_source`) · 不予立案决定书: reason (required)
- 现场检查笔录 / 现场笔录 / 询问笔录: content, record_time, record_place, respondent
- 责令改正通知书: content (required), deadline_on (date)
- 查封扣押决定书 / 查封扣押清单 / 现场笔录 / 延长查封、扣押期限决定书 / 检测、检验、检疫、技术鉴定
  期间告知书 / 解除查封、扣押决定书: measure {kind: seal_up|seizure, items, started_on,
  ends_on, reason, basis, on_site {…第十八条}, documents}; the measure's decision number
  is `measure_decision_number`. Extension: extension {days, reason, ended_on_before};
  testing notice: testing {what, started_on, ended_on}; release: release {ground_text,
  article, returned}
- 先行登记保存通知书: preservation {items, reason, kept_at, approved_on, preserved_on, handle_by}
- 行政处罚事先告知书: hearing_right (bool)
- 听证通知书: hearing_on (date), hearing_time ("HH:MM"), place, presider_id, public ·
  听证笔录: transcript
- 法制审核意见书: opinion (required), reviewer (the reviewer's name) · 集体讨论记录: minutes, conclusion
- 行政处罚决定书 / 当场处罚决定书: fine_fen (overrides the case's), collected_on_spot
- 送达回证: method (direct|left|electronic|post|notice), served_documents, note
- 催告书: surcharge_text, remedy_text (the reconsideration and litigation periods' state) ·
  强制执行决定书: content · 结案审批表: opinion
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from yimen.platform.cases.discretion import benchmark as discretion
from yimen.platform.cases.discretion.terms import Assessment
from yimen.platform.cases.documents.model import CaseDocument
from yimen.platform.cases.record.model import Case
from yimen.platform.kernel.directory import Agency, Officer, Tenant
from yimen.tenants.directory import district_settings
from yimen.tenants.powers.model import EnforcementMatter
from yimen.tenants.powers.rules import PENALTY_KINDS, provision_text

SHANGHAI = ZoneInfo("Asia/Shanghai")
DIGITS = "零壹贰叁肆伍陆柒捌玖"
SERVICE_METHODS = {
    "direct": "直接送达",
    "left": "留置送达",
    "electronic": "电子送达（经当事人同意并签订确认书）",
    "post": "邮寄送达",
    "notice": "公告送达",
    "entrusted": "委托送达",
}
EVIDENCE_KINDS = {
    "documentary": "书证",
    "physical": "物证",
    "audiovisual": "视听资料",
    "electronic": "电子数据",
    "witness": "证人证言",
    "statement": "当事人的陈述",
    "expert": "鉴定意见",
    "record": "勘验笔录、现场笔录",
}


def zh_date(value: dt.date | dt.datetime | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.astimezone(SHANGHAI).date()
    return f"{value.year}年{value.month}月{value.day}日"


def zh_time(value: str | None) -> str:
    """A time of day as a notice writes it: "14:30" → "14时30分"."""
    if not value:
        return ""
    hour, minute = (int(part) for part in value.split(":")[:2])
    return f"{hour}时{minute:02d}分"


def payment_account(agency: Agency | None) -> dict | None:
    """The account the agency's fines are paid into (户名, 开户银行, 账号), as its
    administrator configured it (处罚法 第六十七条: paid at the designated bank); None until
    it is set, and the decision then names none."""
    account = (agency.payment_account if agency else None) or {}
    if not all(account.get(k) for k in ("name", "bank", "number")):
        return None
    return account


# How a case came to the agency, as the filing form records it (案件来源): the clue's
# channel, or the officers' own discovery when no clue was handed over.
CASE_SOURCES = {
    "public_web": "投诉举报（网上投诉）",
    "open311": "投诉举报（网上投诉）",
    "api": "投诉举报",
    "hotline": "投诉举报（热线电话）",
    "patrol": "巡查发现",
    "inspection": "监督检查发现",
    "upper_level": "上级机关交办",
    "police": "公安机关移送",
}
OWN_DISCOVERY = "执法人员检查发现"


def case_source(case: Case) -> str:
    """The clue's channel and number (recorded on the draft when the clue was handed
    over), or the officers' own discovery."""
    if case.clue_id is None:
        return OWN_DISCOVERY
    source = (case.details or {}).get("source") or {}
    if not source:
        return "线索移交"  # a draft handed over before the channel was recorded
    label = CASE_SOURCES.get(source.get("channel", ""), "线索移交")
    return f"{label}，线索编号 {source.get('clue', '')}"


def _group_upper(group: int) -> str:
    out, zero = "", False
    for power, unit in ((3, "仟"), (2, "佰"), (1, "拾"), (0, "")):
        digit = group // 10**power % 10
        if digit == 0:
            zero = zero or bool(out)
            continue
        out += ("零" if zero else "") + DIGITS[digit] + unit
        zero = False
    return out


def yuan_upper(fen: int) -> str:
    """An amount in capital numerals, as financial documents write it: 壹万零伍佰元整."""
    yuan, rest = divmod(fen, 100)
    jiao, cents = divmod(rest, 10)
    groups = []
    while yuan:
        yuan, group = divmod(yuan, 10000)
        groups.append(group)
    out, gap = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            gap = gap or bool(out)
            continue
        if out and (gap or group < 1000):
            out += "零"
        out += _group_upper(group) + ("", "万", "亿", "万亿")[index]
        gap = False
    out = out + "元" if out else ""
    if not jiao and not cents:
        return (out or "零元") + "整"
    if jiao:
        out += DIGITS[jiao] + "角"
    elif out:
        out += "零"
    return out + (DIGITS[cents] + "分" if cents else "整")


def yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


def penalty_text(case: Case, fine_fen: int | None) -> str:
    parts = []
    for kind in case.penalty_kinds or []:
        label = PENALTY_KINDS.get(kind, (kind,))[0]
        if kind == "fine" and fine_fen:
            parts.append(f"罚款人民币{yuan_upper(fine_fen)}（¥{yuan(fine_fen)}）")
        elif kind == "confiscate_gains" and case.confiscation_fen:
            amount = case.confiscation_fen
            parts.append(f"没收违法所得人民币{yuan_upper(amount)}（¥{yuan(amount)}）")
        else:
            parts.append(label)
    if not parts and fine_fen:
        parts.append(f"罚款人民币{yuan_upper(fine_fen)}（¥{yuan(fine_fen)}）")
    return "；".join(parts)


def _party(p) -> dict:
    return {
        "name": p.name,
        "kind": p.kind,
        "id_number": p.id_number,
        "credit_code": p.credit_code,
        "legal_representative": p.legal_representative,
        "address": p.address,
    }


def _officers(session: Session, case: Case) -> list[dict]:
    ids = [co.officer_id for co in case.officers if not co.recused]
    if not ids:
        return []
    rows = {o.id: o for o in session.execute(select(Officer).where(Officer.id.in_(ids))).scalars()}
    return [
        {"name": rows[i].name, "certificate_no": rows[i].certificate_no} for i in ids if i in rows
    ]


def _matter(session: Session, case: Case) -> EnforcementMatter | None:
    if not case.matter_code:
        return None
    return session.execute(
        select(EnforcementMatter).where(EnforcementMatter.code == case.matter_code)
    ).scalar_one_or_none()


DECISION_KINDS = ("行政处罚决定书", "当场处罚决定书", "不予行政处罚决定书")


def _decision(session: Session, case: Case) -> CaseDocument | None:
    query = (
        select(CaseDocument)
        .where(
            CaseDocument.case_id == case.id,
            CaseDocument.kind.in_(DECISION_KINDS),
            CaseDocument.status != "void",
        )
        .order_by(CaseDocument.issued_at.desc())
    )
    return session.execute(query).scalars().first()


def _evidence_text(case: Case) -> str:
    items = (case.details.get("investigation") or {}).get("evidence") or []
    kinds = [EVIDENCE_KINDS.get(i.get("kind"), i.get("kind", "")) for i in items]
    titles = [i.get("title", "") for i in items if i.get("title")]
    return "、".join(titles[:8]) or "、".join(dict.fromkeys(kinds)) or "现场检查笔录、询问笔录"


def _statement_summary(case: Case) -> str:
    statement = case.details.get("statement") or case.details.get("prior_notice") or {}
    if statement.get("waived"):
        return "你（单位）明确表示放弃陈述、申辩和听证的权利。"
    if statement.get("statement"):
        text = f"你（单位）提出了陈述、申辩意见，本机关进行了复核：{statement.get('reexamination') or '复核后维持原拟处罚意见'}。"
        return text
    return "你（单位）在规定期限内未提出陈述、申辩意见。"


def discretion_sentence(case: Case, kind: str, fine: int | None) -> str:
    """How the benchmark was applied (国办发〔2022〕27号 （十二）): the tier, the range,
    the facts that chose it and, on a decision, the fine and its place in the range (with
    the written reason where it departs). A prior notice states the range only: the fine
    there is intended, not decided."""
    data = case.discretion or {}
    if not data.get("matter_code"):
        return ""
    try:
        assessment = Assessment.from_dict({k: v for k, v in data.items() if k in _ASSESSED})
    except (TypeError, ValueError):
        return ""  # an assessment stored by an older version: the document goes without
    decided = kind in ("行政处罚决定书", "当场处罚决定书")
    return discretion.statement(
        assessment, fine if decided else None, data.get("justification", "")
    )


_ASSESSED = frozenset(f.name for f in dataclasses.fields(Assessment))


def build(session: Session, case: Case, kind: str, extra: dict) -> dict:
    """The full template context for a document of `kind` on `case` (see the module)."""
    agency = session.get(Agency, case.agency_id)
    tenant = session.get(Tenant, case.tenant_id)
    settings = (tenant.settings or {}) if tenant else {}
    district = tenant.name if tenant else ""
    matter = _matter(session, case)
    dates = case.details.get("dates") or {}
    fine = extra.get(
        "fine_fen", case.fine_fen if case.fine_fen is not None else case.proposed_fine_fen
    )
    decision = _decision(session, case)
    parties = [_party(p) for p in case.parties]
    hearing = case.details.get("hearing") or {}
    context = {
        "kind": kind,
        "agency": {"name": agency.name, "credit_code": agency.credit_code} if agency else {},
        "district": district,
        "reconsideration_body": district_settings.value_of(
            settings, "reconsideration_body", district
        ),
        "court": district_settings.value_of(settings, "litigation_court", district),
        "case": {
            "number": case.number,
            "facts": case.facts,
            "place": case.place,
            "matter_code": case.matter_code,
            "matter_name": matter.name if matter else "",
            "occurred_on_zh": zh_date(case.occurred_at or case.violation_started_on),
            "filed_on_zh": zh_date(case.filed_on),
        },
        "parties": parties,
        "party": parties[0] if parties else {"name": "", "address": "", "kind": ""},
        "officers": _officers(session, case),
        "violated": "、".join(provision_text(p) for p in matter.violated) if matter else "",
        "penalty_basis": provision_text(matter.penalty_basis) if matter else "",
        "fine_fen": fine,
        "fine_yuan": yuan(fine) if fine else "",
        "fine_upper": yuan_upper(fine) if fine else "",
        "penalty_text": penalty_text(case, fine),
        "discretion_sentence": discretion_sentence(case, kind, fine),
        "evidence_text": _evidence_text(case),
        "statement_summary": _statement_summary(case),
        "hearing_right": bool((case.details.get("prior_notice") or {}).get("hearing_right")),
        "decision_number": decision.number if decision else "",
        "decision_kind": decision.kind if decision else "行政处罚决定书",
        "decided_on_zh": zh_date(case.decided_on),
        "served_on_zh": zh_date(case.served_on),
        "prior_notice_served_zh": zh_date(dates.get("prior_notice_served")),
        "statement_due_zh": zh_date(dates.get("statement_due")),
        "demand_served_on_zh": zh_date(dates.get("demand_served")),
        "hearing_on_zh": zh_date(hearing.get("hearing_on")),
        "hearing_place": hearing.get("place", ""),
        "hearing_time_zh": zh_time(hearing.get("hearing_time")),
        # 第六十五条: a decision after a hearing is made on its record; an absence
        # without reason ended it (第六十四条第(六)项)
        "hearing_held": bool(hearing.get("held")),
        "hearing_held_on_zh": zh_date(hearing.get("held_on") or hearing.get("hearing_on")),
        "hearing_no_show": bool(hearing.get("no_show")),
        "reviewer_name": (case.details.get("legal_review") or {}).get("reviewer_name", ""),
        "payment_account": payment_account(agency),
        "case_source": case_source(case),
        "presider_name": _presider(session, hearing.get("presider_id")),
        "execution_text": _execution_text(case),
        "details": case.stage_facts(),
    }
    context.update(extra)
    if "measure" in extra and kind != MEASURE_DECISION:
        context["measure_decision_number"] = _measure_decision_number(
            session, case, extra["measure"]
        )
    return _derived(session, context, extra)


MEASURE_DECISION = "查封扣押决定书"


def _measure_decision_number(session: Session, case: Case, measure: dict) -> str:
    """The number of the measure's decision: on the measure once its action is recorded
    (`act` lists the documents issued on the payload, which for a measure is the measure),
    else the case's latest, issued just before in the same action."""
    for document in measure.get("documents") or []:
        if document.get("kind") == MEASURE_DECISION:
            return document.get("number") or ""
    query = (
        select(CaseDocument.number)
        .where(
            CaseDocument.case_id == case.id,
            CaseDocument.kind == MEASURE_DECISION,
            CaseDocument.status != "void",
        )
        .order_by(CaseDocument.issued_at.desc(), CaseDocument.serial.desc())
    )
    return session.execute(query).scalars().first() or ""


def _with_zh_dates(values: dict) -> dict:
    """A nested fact's dates (`*_on`, `handle_by`, `ended_on_before`) also in Chinese, as
    `<key>_zh`."""
    dated = {
        f"{k}_zh": zh_date(v)
        for k, v in values.items()
        if (k.endswith("_on") or k in ("handle_by", "ended_on_before")) and v
    }
    return {**values, **dated}


def _derived(session: Session, context: dict, extra: dict) -> dict:
    """Keys computed from what the action passed (dates in Chinese, names of ids)."""
    for key in ("hearing_on", "deadline_on", "served_on"):
        if extra.get(key):
            context[f"{key}_zh"] = zh_date(extra[key])
    if extra.get("hearing_time"):
        context["hearing_time_zh"] = zh_time(extra["hearing_time"])
    if extra.get("presider_id"):
        context["presider_name"] = _presider(session, extra["presider_id"])
    if "method" in extra:
        context["method_zh"] = SERVICE_METHODS.get(extra["method"], extra["method"])
        if not context.get("served_on_zh"):  # served now, by the action issuing it
            context["served_on_zh"] = zh_date(dt.datetime.now(SHANGHAI))
    if not context.get("served_documents") and context.get("decision_number"):
        context["served_documents"] = [
            f"{context['decision_kind']}（{context['decision_number']}）"
        ]
    if measure := extra.get("measure"):
        items = measure.get("items") or []
        context["measure"] = {
            **measure,
            "items_list": items if isinstance(items, list) else [items],
            "started_on_zh": zh_date(measure.get("started_on")),
            "ends_on_zh": zh_date(measure.get("ends_on")),
            "ended_on_zh": zh_date(measure.get("ended_on")),
            "executed_at_zh": zh_date(measure.get("executed_at")),
            "act": "扣押" if measure.get("kind") in ("seizure", "seize") else "查封",
        }
    for key in ("extension", "testing", "release", "preservation", "on_site"):
        if isinstance(extra.get(key), dict):
            context[key] = _with_zh_dates(extra[key])
    if isinstance(measure, dict) and isinstance(measure.get("on_site"), dict):
        context.setdefault("on_site", measure["on_site"])
    return context


def _presider(session: Session, officer_id) -> str:
    if not officer_id:
        return ""
    officer = session.get(Officer, uuid.UUID(str(officer_id)))
    return officer.name if officer else ""


def _execution_text(case: Case) -> str:
    done = (case.details.get("execution") or {}).get("done")
    return {
        "paid": "已按期缴纳罚款",
        "no-payment-due": "无须缴纳罚款，处罚决定已履行",
        "court": "已申请人民法院强制执行",
        "enforced": "已依法强制执行",
    }.get(done or "", done or "")
