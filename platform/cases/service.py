"""Use cases of the case engine: open a draft, edit it, and act on the case.

Every action loads the case under the caller's tenant, asks the rules (procedure/rules.py) whether
the law allows it now, applies it, appends a hash-chained event (record/log.py), issues the
stage's documents (documents/issuing.py), recomputes the next deadline (law/applied.py) and
commits once; two officers acting on the same version get one success and one 409.
"""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from stdnum.cn import ric

from yimen.platform.cases.law import applied as deadlines
from yimen.platform.cases.procedure import rules
from yimen.platform.cases.record.model import (
    Case,
    CaseOfficer,
    CaseParticipant,
    CaseParty,
    CaseStatus,
    PartyKind,
)
from yimen.platform.kernel.db.agency_scope import ParticipationRole
from yimen.platform.kernel.directory import Agency, Officer, OfficerStatus
from yimen.platform.kernel.errors import (
    Conflict,
    FieldProblem,
    Forbidden,
    Invalid,
    Refused,
    not_found,
)
from yimen.tenants.directory.rules import Certificate, check_credit_code, may_handle
from yimen.tenants.powers.model import EnforcementMatter, MatterAdoption
from yimen.tenants.powers.service import holder_of
from yimen.tenants.workflow.service import effective_for, load_pinned

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today() -> dt.date:
    return dt.datetime.now(SHANGHAI).date()


def refused(exc: rules.Refusal) -> Refused:
    """A rule of law said no: the domain's refusal, naming the rule and the article."""
    return Refused(exc.rule, exc.zh, exc.en, article=exc.article)


def get_case(session: Session, case_id: uuid.UUID) -> Case:
    """A case of the district that the caller reaches (kernel/db/agency_scope.py: an
    agency's staff, the cases their agency takes part in); any other is 404, exactly as
    a missing one."""
    case = session.get(Case, case_id)
    if case is None:
        raise not_found("案件不存在。", "Case not found.")
    return case


def jurisdiction_refusal(session: Session, case: Case) -> rules.Refusal | None:
    """职权法定 (处罚法 第十七条; the district's power list under 第十八条): a case is
    filed or decided on the spot only by the agency that holds its matter today, or by
    the handler the legal-affairs office designated for the clue it came from."""
    if (case.details or {}).get("designated"):
        return None  # designated by the legal-affairs office (处罚法 第二十五条第二款)
    holder = holder_of(session, case.matter_code) if case.matter_code else None
    if holder is not None and holder.id == case.agency_id:
        return None
    matter = matter_of(session, case)
    name = matter.name if matter else case.matter_code
    who_zh = f"本区权责清单中由{holder.name}行使" if holder else "本区权责清单中无部门行使"
    who_en = (
        f"the district's power list gives it to {holder.name}"
        if holder
        else ("no agency holds it in the district's power list")
    )
    return rules.Refusal(
        "no-jurisdiction",
        f"本部门无权就「{name}」立案或处罚 ({who_zh})，应当移送有管辖权的部门。",
        f"This agency holds no power over '{name}' ({who_en}); transfer the matter.",
        f"{rules.PZ}第十七条、第十八条",
    )


def matter_of(session: Session, case: Case) -> EnforcementMatter | None:
    if not case.matter_code:
        return None
    return session.execute(
        select(EnforcementMatter).where(EnforcementMatter.code == case.matter_code)
    ).scalar_one_or_none()


# --- parties and officers -------------------------------------------------------------


def _party(data: dict, index: int) -> CaseParty:
    field = f"parties[{index}]"
    kind = data["kind"]
    party = CaseParty(
        id=uuid.uuid4(),
        position=index,
        kind=kind,
        name=data["name"],
        address=data.get("address", ""),
        phone=data.get("phone", ""),
        legal_representative=data.get("legal_representative", ""),
    )
    if kind == PartyKind.PERSON:
        number = (data.get("id_number") or "").strip().upper()
        if not ric.is_valid(number):
            raise Invalid(
                "invalid-id-number",
                "当事人身份证号码无效 (GB 11643 校验位或出生日期不符)。",
                "Invalid resident ID number (GB 11643 check digit or birth date).",
                fields=[
                    FieldProblem(
                        f"{field}.id_number",
                        "身份证号码无效 (GB 11643 校验位或出生日期不符)。",
                        "Invalid resident ID number.",
                    )
                ],
            )
        party.id_number = number
    else:
        code = (data.get("credit_code") or "").strip().upper()
        verdict = check_credit_code(code)
        confirmed = bool(data.get("credit_code_confirmed"))
        if not verdict.ok and not (verdict.warning and confirmed):
            raise Invalid(
                "invalid-credit-code",
                verdict.zh,
                verdict.en,
                fields=[FieldProblem(f"{field}.credit_code", verdict.zh, verdict.en)],
            )
        party.credit_code, party.credit_code_confirmed = code, confirmed
    return party


def _officers(
    session: Session, agency_id: uuid.UUID, ids: list, current: list[CaseOfficer] = ()
) -> list[CaseOfficer]:
    found = {
        o.id: o
        for o in session.execute(select(Officer).where(Officer.id.in_(ids))).scalars()
        if o.agency_id == agency_id
    }
    unknown = [str(i) for i in ids if i not in found]
    if unknown:
        raise Invalid(
            "unknown-officer",
            "承办人员须为本部门执法人员。",
            "Case officers must belong to the case's agency.",
            fields=[
                FieldProblem("officer_ids", "承办人员须为本部门执法人员。", "Not our officer.")
            ],
        )
    # an officer kept on the case keeps its row, and with it the head's recusal decision
    kept = {co.officer_id: co for co in current}
    rows = [kept.get(i) or CaseOfficer(id=uuid.uuid4(), officer_id=i) for i in ids]
    for n, row in enumerate(rows):
        row.position = n
    return rows


def open_draft(session: Session, data: dict, agency_id: uuid.UUID, actor: str) -> Case:
    """A case draft at the filing stage (from a patrol, an inspection, or a clue)."""
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise Forbidden("no-agency", "该账号未关联执法部门。", "This account belongs to no agency.")
    case = new_draft(session, agency_id, actor, discovered_on=data.pop("discovered_on", None))
    _apply_draft(session, case, data)
    deadlines.refresh(session, case)  # a draft's lead check is its next deadline
    session.commit()
    return case


def new_draft(
    session: Session, agency_id: uuid.UUID, actor: str, discovered_on: dt.date | None, **fields
) -> Case:
    """The draft row every way in shares (the console, the API, a clue's hand-off): the
    agency's general-procedure workflow pinned, discovered today unless told; not
    committed."""
    case = Case(
        id=uuid.uuid4(),
        agency_id=agency_id,
        created_by=actor,
        workflow_pin=effective_for(session, agency_id, "general").key,
        discovered_on=discovered_on or today(),
        **fields,
    )
    if case.matter_code:  # a clue's matter: on the district's major-decision list?
        case.major = _major(session, case.matter_code)
    session.add(case)
    take_part(session, case, agency_id, ParticipationRole.LEAD)
    return case


def take_part(session: Session, case: Case, agency_id: uuid.UUID, role: ParticipationRole) -> None:
    """`agency_id` takes part in the case from now (kernel/db/agency_scope.py): its staff
    reach the case, its documents, evidence and record."""
    session.add(CaseParticipant(case=case, agency_id=agency_id, role=role.value))


def complete_draft(session: Session, case: Case, data: dict, version: int | None) -> Case:
    """A draft completed for the head's approval (the console's draft form), in one
    write or none: its matter, at least one party, and at least two officers of the
    agency whose certificates are valid today and cover the matter's domain (处罚法
    第四十二条), none of them a legal reviewer (第五十八条: review is kept apart from
    investigation). Every gap is a field error; the rest is `update_draft`'s."""
    _check_version(case, version)
    if gaps := draft_gaps(session, case, data):
        raise Invalid(
            "draft-incomplete",
            "立案信息不完整或有误，请按字段补正。",
            "The draft is incomplete or wrong; see the fields.",
            fields=gaps,
        )
    return update_draft(session, case, data, version)


def draft_gaps(session: Session, case: Case, data: dict) -> list[FieldProblem]:
    """What keeps `data` (a draft's new filing data) from being approved, field by field."""
    gaps = []
    code = data.get("matter_code", case.matter_code)
    if not code:
        gaps.append(FieldProblem("matter_code", "请选择执法事项。", "Choose the matter."))
    if not data.get("parties", case.parties):
        gaps.append(FieldProblem("parties", "请填写当事人。", "Enter the party."))
    for n, party in enumerate(data.get("parties", [])):
        try:
            _party(party, n)  # an ID number or a credit code, checked as the API does
        except Invalid as exc:
            gaps.extend(exc.fields)
    matter = session.execute(
        select(EnforcementMatter).where(EnforcementMatter.code == code)
    ).scalar_one_or_none()
    ids = list(dict.fromkeys(data.get("officer_ids", [co.officer_id for co in case.officers])))
    if problem := _officers_gap(session, case.agency_id, ids, matter.domain if matter else ""):
        gaps.append(FieldProblem("officer_ids", *problem))
    return gaps


def _officers_gap(
    session: Session, agency_id: uuid.UUID, ids: list, domain: str
) -> tuple[str, str] | None:
    if len(ids) < 2:
        return (
            "承办人员不得少于两人 (《行政处罚法》第四十二条)。",
            "At least two officers (Administrative Penalty Law, Art. 42).",
        )
    found = session.execute(
        select(Officer).where(Officer.id.in_(ids), Officer.agency_id == agency_id)
    ).scalars()
    zh, en = [], []
    for officer in found:
        if "legal_reviewer" in officer.roles:
            zh.append(f"{officer.name}为法制审核人员，不得承办案件 (《行政处罚法》第五十八条)")
            en.append(f"{officer.name} is a legal reviewer (Art. 58)")
            continue
        verdict = may_handle(certificate_of(officer), domain, today()) if domain else None
        if verdict is not None and not verdict.ok:
            zh.append(f"{officer.name}：{verdict.zh.rstrip('。')} (《行政处罚法》第四十二条)")
            en.append(f"{officer.name}: {verdict.en}")
    return ("；".join(zh) + "。", "; ".join(en)) if zh else None


def certificate_of(officer: Officer) -> Certificate:
    return Certificate(
        officer.certificate_no,
        tuple(officer.certificate_domains or ()),
        officer.certificate_valid_until,
        officer.status == OfficerStatus.ACTIVE,
    )


def update_draft(session: Session, case: Case, data: dict, version: int | None) -> Case:
    _check_version(case, version)
    if case.status != CaseStatus.DRAFT:
        raise refused(
            rules.Refusal(
                "filed",
                "已立案的案件不能再修改立案信息。",
                "A filed case's filing data cannot be changed.",
            )
        )
    _apply_draft(session, case, data)
    deadlines.refresh(session, case)
    return _commit(session, case)


def _apply_draft(session: Session, case: Case, data: dict) -> None:
    if "matter_code" in data:
        case.major = _major(session, data["matter_code"])
    for key in (
        "matter_code",
        "facts",
        "place",
        "occurred_at",
        "violation_started_on",
        "violation_ended_on",
        "continuing",
        "life_safety",
        "discovered_on",
        "complex_case",
        "measures_needed",
        "sector",
    ):
        if key in data:
            setattr(case, key, data[key])
    if "parties" in data:
        case.parties = [_party(p, n) for n, p in enumerate(data["parties"])]
    if "officer_ids" in data:
        reviewer = (case.details or {}).get("legal_review", {}).get("reviewer_id")
        if reviewer and reviewer in {str(i) for i in data["officer_ids"]}:
            raise Invalid(  # review is separate from investigation (处罚法 第五十八条)
                "reviewer-as-investigator",
                "本案的法制审核人员不得担任本案承办人员。",
                "The case's legal reviewer cannot be one of its officers.",
                fields=[FieldProblem("officer_ids", "法制审核人员不能承办本案。", "Reviewer.")],
            )
        case.officers = _officers(session, case.agency_id, data["officer_ids"], case.officers)


def _major(session: Session, code: str | None) -> bool:
    """重大执法决定 (处罚法 第五十八条第一款第(一)(四)项; 国办发〔2018〕118号（十二）): the
    matter is on the district's major-decision list (its adoption; the catalog's flag for
    a matter the district has not adopted). Recomputed whenever the draft's matter changes,
    so a matter changed to a non-major one takes the legal-review stage away again."""
    if not code:
        return False
    matter = session.execute(
        select(EnforcementMatter).where(EnforcementMatter.code == code)
    ).scalar_one_or_none()
    if matter is None:
        raise Invalid(
            "unknown-matter",
            "执法事项不存在。",
            "Unknown enforcement matter.",
            fields=[FieldProblem("matter_code", "执法事项不存在。", "Unknown matter.")],
        )
    adoption = session.execute(
        select(MatterAdoption).where(MatterAdoption.matter_id == matter.id)
    ).scalar_one_or_none()
    return adoption.on_major_list if adoption is not None else matter.is_major


def concurrent_change() -> Conflict:
    return Conflict(
        "concurrent-change",
        "案件刚被他人处理，请刷新后重试。",
        "Someone else just acted on this case; reload and retry.",
    )


def _check_version(case: Case, version: int | None) -> None:
    if version is not None and version != case.version:
        raise concurrent_change()


def _commit(session: Session, case: Case) -> Case:
    try:
        session.commit()
    except StaleDataError as exc:
        session.rollback()
        raise concurrent_change() from exc
    return case


# --- what the rules see ---------------------------------------------------------------


def definition_of(session: Session, case: Case) -> dict:
    return load_pinned(session, case.workflow_pin).definition


def view_of(session: Session, case: Case, issued: frozenset[str] = frozenset()) -> rules.CaseView:
    matter = matter_of(session, case)
    officers = {
        o.id: o
        for o in session.execute(
            select(Officer).where(Officer.id.in_([co.officer_id for co in case.officers]))
        ).scalars()
    }
    return rules.CaseView(
        procedure=case.procedure,
        stage=case.stage,
        status=case.status,
        matter_domain=matter.domain if matter else "",
        major=case.major,
        complex_case=case.complex_case,
        measures_needed=case.measures_needed,
        hearing_requested=case.hearing_requested,
        hearing_right=bool(case.details.get("prior_notice", {}).get("hearing_right")),
        parties=len(case.parties),
        officers=tuple(
            rules.OfficerView(
                str(co.officer_id),
                officers[co.officer_id].name,
                officers[co.officer_id].certificate_no,
                officers[co.officer_id].certificate_valid_until,
                tuple(officers[co.officer_id].certificate_domains or ()),
                officers[co.officer_id].status == OfficerStatus.ACTIVE,
                co.recused,
            )
            for co in case.officers
            if co.officer_id in officers
        ),
        documents=issued,
        details=case.stage_facts(),
        on_spot_possible=deadlines.on_spot_possible(session, case, matter),
        penalty_proposed=case.proposed_fine_fen is not None or bool(case.penalty_kinds),
        today=today(),
        dates=_dates(case),
    )


def _dates(case: Case) -> dict:
    """The dates the rules compare with today, kept in `details` as ISO strings."""
    found = {}
    for key, value in (case.details.get("dates") or {}).items():
        found[key] = dt.date.fromisoformat(value) if value else None
    return found
